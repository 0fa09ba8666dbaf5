"""Cells of a CSV as Microsoft Project's export and spreadsheets write them: dates (Project's short formats,
day or month first decided for the whole file) and money, through the reader and through the API."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from prometheus.errors import ValidationFailed
from prometheus.formats.csv_format import read_csv

HEADER = b"ID,Outline Level,Name,Duration,Start,Constraint Type,Constraint Date,Actual Start,Deadline\r\n"


def _dates(data: bytes) -> list[tuple]:
    doc = read_csv(data)
    return [(t.constraint_date, t.actual_start, t.deadline) for t in doc.tasks]


def test_project_us_export_with_weekdays_and_am_pm() -> None:
    """Project's default U.S. formats: `Mon 11/30/26 8:00 AM`, `December 24, 2026`; the project row's Start
    gives the plan's start date and its default start time."""
    doc = read_csv(
        HEADER + b"0,0,Launch,10 days,Mon 11/30/26 9:00 AM,,NA,NA,NA\r\n"
        b"1,1,Design,2 days,Mon 11/30/26 9:00 AM,Start No Earlier Than,Tue 12/1/26 1:00 PM,"
        b'Mon 11/30/26 9:00 AM,"December 24, 2026"\r\n'
    )
    assert doc.plan.start_date.isoformat() == "2026-11-30" and doc.plan.default_start_time.hour == 9
    (design,) = doc.tasks
    assert design.constraint_date == datetime(2026, 12, 1, 13)
    assert design.actual_start == datetime(2026, 11, 30, 9) and design.deadline == datetime(2026, 12, 24)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ((b"01.12.2026 08:00", b"13.12.2026"), ((12, 1, 8), (12, 13, 0))),  # a day over 12: day first
        ((b"12/1/2026", b"1/13/2026 5:00 PM"), ((12, 1, 0), (1, 13, 17))),  # a month over 12: month first
        ((b"Tue 1/12/26", b"2/3/26"), ((12, 1, 0), (3, 2, 0))),  # 1 December 2026 is the Tuesday
        ((b"2/3/2026", b"4/5/2026"), ((2, 3, 0), (4, 5, 0))),  # nothing tells: Project's U.S. order
        ((b"2026/12/01 08:00", b"2026/1/2"), ((12, 1, 8), (1, 2, 0))),  # year first
    ],
)
def test_one_order_for_the_whole_file(cells: tuple[bytes, bytes], expected: tuple) -> None:
    data = HEADER + b"".join(
        b"%d,1,T%d,1 day,,Start No Earlier Than,%s,NA,NA\r\n" % (i + 1, i, c) for i, c in enumerate(cells)
    )
    got = [(d[0].month, d[0].day, d[0].hour) for d in _dates(data)]
    assert got == list(expected)


@pytest.mark.parametrize(
    ("cell", "needle"),
    [
        (b"13/12/2026,12/13/2026", "mix day-first and month-first"),  # the file says both
        (b"December 24,NA", "line 2"),  # no year: not guessed
        (b"31/2/2026,NA", "line 2"),  # no such day either way
        (b"someday,NA", "line 2"),
    ],
)
def test_dates_that_cannot_be_read_are_refused_naming_the_line(cell: bytes, needle: str) -> None:
    first, second = cell.split(b",")
    data = b"Name,Duration,Constraint Type,Constraint Date\r\nA,1d,SNET,%s\r\nB,1d,SNET,%s\r\n" % (
        first,
        second,
    )
    with pytest.raises(ValidationFailed, match=needle):
        read_csv(data)


def test_a_project_csv_imports_over_http_with_its_dates(api: httpx.Client) -> None:
    data = (
        HEADER
        + b"0,0,Launch,3 days,Mon 11/30/26 8:00 AM,,NA,NA,NA\r\n"
        + (b"1,1,Build,3 days,Mon 11/30/26 8:00 AM,Start No Earlier Than,Wed 12/2/26 8:00 AM,NA,NA\r\n")
    )
    r = api.post("/plans/import", params={"format": "csv"}, content=data)
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    (task,) = api.get(f"/plans/{pid}/tasks").json()["data"]
    assert task["constraint_date"].startswith("2026-12-02T08:00:00")
    timeline = api.get(f"/plans/{pid}/timeline").json()["data"]
    assert any(t["start"].startswith("2026-12-02T08:00") for t in timeline["tasks"]), timeline
    r = api.post(
        "/plans/import",
        params={"format": "csv"},
        content=b"Name,Constraint Type,Constraint Date\r\nA,SNET,13/12/2026\r\nB,SNET,12/13/2026\r\n",
    )
    assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", r.text


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        (b"$1,200.50", 1200.5),  # Project's U.S. currency format
        (b"1.200,50 \xe2\x82\xac", 1200.5),  # a decimal comma, the sign after
        (b"CHF 1'200.50", 1200.5),
        (b"($50.00)", -50.0),  # a negative amount as accountants write it
        (b"1,5", 1.5),
        (b"1200", 1200.0),
    ],
)
def test_actual_cost_as_project_writes_money(cell: bytes, amount: float) -> None:
    (task,) = read_csv(b'Name,Duration,Actual Cost\r\nA,1 day,"%s"\r\n' % cell).tasks
    assert task.actual_cost == amount


def test_an_amount_that_is_no_number_is_refused_naming_the_line() -> None:
    with pytest.raises(ValidationFailed, match="line 3"):
        read_csv(b"Name,Duration,Actual Cost\r\nA,1 day,$5\r\nB,1 day,lots\r\n")


def test_without_a_project_row_the_plan_starts_where_its_first_task_does() -> None:
    """Project's CSV export writes no project row: the plan starts at the earliest Start in the file (with
    its time of day), not on the day it is imported."""
    doc = read_csv(
        b"ID,Name,Duration,Start,Predecessors\r\n1,Design,3 days,Tue 12/1/26 9:00 AM,\r\n"
        b"2,Kick-off,1 day,Mon 11/30/26 9:00 AM,\r\n3,Build,1 day,NA,1\r\n"
    )
    assert doc.plan.start_date.isoformat() == "2026-11-30" and doc.plan.default_start_time.hour == 9
    assert read_csv(b"Name,Duration\r\nA,1 day\r\n").plan.start_date is None  # no Start at all: today


@pytest.mark.parametrize("column", ["Actual Cost", "Constraint Date"])
def test_a_huge_cell_is_refused_naming_the_line(column: str) -> None:
    """A cell of 100,000 currency signs (or letters) is no amount and no date: refused at once with its line
    (a pattern that backtracked over it took minutes)."""
    for cell in ("$" * 100_000, "December " * 10_000 + "2026"):
        data = b"Name,Duration,Constraint Type,%s\r\nA,1 day,SNET,%s\r\n" % (column.encode(), cell.encode())
        with pytest.raises(ValidationFailed, match="line 2"):
            read_csv(data)
