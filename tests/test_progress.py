"""Progress as Microsoft Project records it: without explicit dates the actuals are the scheduled dates, the
duration stays, a started task's slack is computed normally (checked against MPXJ's MicrosoftScheduler)."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest

from prometheus.core.model import Dependency, Task, TaskStatus
from prometheus.core.scheduler import schedule
from tests import mpxj_oracle
from tests.conftest import add_task, link


def _rows(api: httpx.Client, pid: str) -> dict[str, dict]:
    r = api.get(f"/plans/{pid}/timeline")
    assert r.status_code == 200, r.text
    return {t["name"]: t for t in r.json()["data"]["tasks"]}


def test_percent_alone_takes_the_scheduled_dates_not_the_clock(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]  # the plan starts on Tue 2026-12-01, a day the test does not run on
    a = add_task(api, pid, "Short", duration=2)
    b = add_task(api, pid, "Long", duration=5)
    c = add_task(api, pid, "Join", duration=1)
    one = add_task(api, pid, "One day", duration=1)
    for p in (a, b):
        assert link(api, pid, p["id"], c["id"]).status_code == 201
    before = _rows(api, pid)

    r = api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json={"percent_complete": 50})
    assert r.status_code == 200, r.text
    t = r.json()["data"]
    assert t["status"] == "in_progress"
    assert t["actual_start"].startswith("2026-12-01T08:00") and t["actual_finish"] is None
    after = _rows(api, pid)
    for name in ("Short", "Long", "Join"):
        assert (after[name]["start"], after[name]["finish"]) == (
            before[name]["start"],
            before[name]["finish"],
        )
    # started, finishing 3 days before the long branch needs it: not critical, 3 days of slack
    assert after["Short"]["critical"] is False and after["Short"]["total_slack_days"] == 3
    assert after["Long"]["critical"] is True

    r = api.put(f"/plans/{pid}/tasks/{one['id']}/progress", json={"percent_complete": 100})
    t = r.json()["data"]
    assert t["status"] == "completed"
    assert t["actual_start"].startswith("2026-12-01T08:00") and t["actual_finish"].startswith(
        "2026-12-01T17:00"
    )
    done = _rows(api, pid)["One day"]
    assert done["duration_days"] == 1 and done["finish"] == before["One day"]["finish"]
    assert done["critical"] is False


def test_explicit_actuals_win(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a = add_task(api, pid, "Late starter", duration=2)
    body = {"percent_complete": 100, "actual_start": "2026-12-03T08:00:00Z"}
    t = api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=body).json()["data"]
    # the finish, not given, is counted from the actual start: two working days
    assert t["actual_start"].startswith("2026-12-03T08:00") and t["actual_finish"].startswith(
        "2026-12-04T17:00"
    )
    body = {"actual_finish": "2026-12-08T12:00:00Z"}
    t = api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=body).json()["data"]
    assert t["actual_finish"].startswith("2026-12-08T12:00")
    row = _rows(api, pid)["Late starter"]
    assert row["start"].startswith("2026-12-03T08:00") and row["finish"].startswith("2026-12-08T12:00")


def _three(**progress) -> tuple[list[Task], list[Dependency]]:
    def task(i: str, d: float, **k) -> Task:
        return Task(id=i, plan_id="p", name=i, duration=d, **k)

    tasks = [task("A", 2, **progress), task("B", 5), task("C", 1)]
    deps = [
        Dependency(id="1", plan_id="p", predecessor_id="A", successor_id="C"),
        Dependency(id="2", plan_id="p", predecessor_id="B", successor_id="C"),
    ]
    return tasks, deps


STARTED = {"actual_start": datetime(2026, 12, 1, 8), "percent_complete": 50, "status": TaskStatus.in_progress}
LATE = {"actual_start": datetime(2026, 12, 3, 8), "percent_complete": 50, "status": TaskStatus.in_progress}
DONE = {
    "actual_start": datetime(2026, 12, 1, 8),
    "actual_finish": datetime(2026, 12, 2, 17),
    "percent_complete": 100,
    "status": TaskStatus.completed,
}


@pytest.mark.parametrize(
    ("progress", "slack_days", "critical"), [(STARTED, 3, False), (LATE, 1, False), (DONE, 0, False)]
)
def test_slack_of_started_and_finished_tasks(progress: dict, slack_days: float, critical: bool) -> None:
    s = schedule(*_three(**progress), start=date(2026, 12, 1))
    a = s.tasks["A"]
    assert a.total_slack_minutes == slack_days * 480 and a.critical is critical
    assert a.late_start == a.start  # a started task's start is fixed
    assert s.tasks["B"].critical and s.tasks["C"].critical


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
@pytest.mark.parametrize("progress", [STARTED, LATE, DONE])
def test_progress_against_mpxj(progress: dict) -> None:
    tasks, deps = _three(**progress)
    ours = schedule(tasks, deps, start=datetime(2026, 12, 1, 8))
    theirs = mpxj_oracle.schedule_with_mpxj(tasks, deps, datetime(2026, 12, 1, 8))
    for tid, dates in theirs.items():
        mine = ours.tasks[tid]
        for key, value in dates.items():
            assert getattr(mine, key) == value, (tid, key)


def test_progress_notes_stay_within_a_tasks_notes_and_the_plan_exports(api: httpx.Client, server) -> None:  # noqa: ANN001
    """Progress notes are added to the task's notes, which hold at most 20,000 characters: one that would
    go over is 422 and changes nothing; notes grown longer before that rule still export in every format."""
    pid = api.post("/plans", json={"name": "Notes", "start_date": "2027-01-04"}).json()["data"]["id"]
    task = add_task(api, pid, "Noted")
    progress = f"/plans/{pid}/tasks/{task['id']}/progress"
    assert api.put(progress, json={"percent_complete": 5, "notes": "n" * 19_960}).status_code == 200
    noted = api.get(f"/plans/{pid}/tasks/{task['id']}").json()["data"]["notes"]
    r = api.put(progress, json={"percent_complete": 10, "notes": "one more"})
    assert r.status_code == 422 and "20,000" in r.json()["message"], r.text
    got = api.get(f"/plans/{pid}/tasks/{task['id']}").json()["data"]
    assert got["notes"] == noted and got["percent_complete"] == 5
    # as the 422 says: shorten them (PATCH notes), and the note goes in; a new task may bring notes too
    short = api.patch(f"/plans/{pid}/tasks/{task['id']}", json={"notes": "kept"})
    assert short.status_code == 200 and short.json()["data"]["notes"] == "kept", short.text
    assert api.put(progress, json={"percent_complete": 10, "notes": "one more"}).status_code == 200
    assert api.get(f"/plans/{pid}/tasks/{task['id']}").json()["data"]["notes"].startswith("kept\n[")
    assert add_task(api, pid, "With notes", notes="from the start")["notes"] == "from the start"
    too_long = api.patch(f"/plans/{pid}/tasks/{task['id']}", json={"notes": "n" * 20_001})
    assert too_long.status_code == 422, too_long.text
    from prometheus.store import Database

    db = Database(server.database_url)  # notes grown by progress notes before they were bounded
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE tasks SET notes = '{'n' * 25_000}' WHERE id = '{task['id']}'")
    db.dispose()
    for fmt in ("json", "csv", "mspdi"):
        r = api.get(f"/plans/{pid}/export", params={"format": fmt})
        assert r.status_code == 200 and len(r.content) > 25_000, (fmt, r.text[:300])


@pytest.mark.parametrize(
    "given",
    [
        {"resume": datetime(2026, 12, 7, 8)},  # the work left starts again on Monday the 7th
        {"constraint_type": "FNET", "constraint_date": datetime(2026, 12, 18, 17)},  # finishes no earlier
    ],
)
def test_a_status_date_before_the_work_left_leaves_a_started_task_as_it_was(given: dict) -> None:
    """The work a status date moves after it is what progress leaves of the duration (4 of 5 days), not of
    the span a resume date or a finish-no-earlier date stretched: with the work left already after the
    status date, the dates are those without one (it finished on Mon 12-14 or Mon 12-21 instead)."""
    task = Task(id="a", plan_id="p", name="A", duration=5, status=TaskStatus.in_progress, percent_complete=20,
                actual_start=datetime(2026, 12, 1, 8), **given)  # fmt: skip
    finishes = [
        schedule([task], [], start=date(2026, 11, 30), status_date=when).project_finish
        for when in (None, date(2026, 12, 3))
    ]
    assert (
        finishes[0]
        == finishes[1]
        == (datetime(2026, 12, 10, 17) if "resume" in given else given["constraint_date"])
    )
