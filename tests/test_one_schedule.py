"""One file, one schedule: `prometheus schedule FILE` and `POST /api/plans/import` + `GET /timeline` give the
same dates, because the database keeps what decides them (each task's assignments, in their order; the
manual, calendar and delay fields; the default start time)."""

from __future__ import annotations

import json
from datetime import datetime, time

import httpx

from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument
from prometheus.core.model import Calendar
from prometheus.formats.mspdi import write_mspdi
from tests.test_cli import run_cli

EARLY = Calendar(name="Early", working_hours=[(time(6), time(14))])
WEEKEND = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])


def _file() -> bytes:
    crews = [DocResource(key="early", name="Early crew", calendar=EARLY),
             DocResource(key="weekend", name="Weekend crew", calendar=WEEKEND)]  # fmt: skip
    tasks = []
    for n in range(12):  # both crews on each task, listed in one order or the other
        order = ["weekend", "early"] if n % 2 else ["early", "weekend"]
        tasks.append(
            DocTask(
                key=f"t{n}",
                name=f"Job {n}",
                duration=4 + n % 3,
                duration_unit="hours",
                assignments=[DocAssignment(resource=r) for r in order],
            )  # fmt: skip
        )
    fixed = {"manual_start": datetime(2026, 12, 2, 9), "manual_finish": datetime(2026, 12, 2, 17)}
    tasks.append(DocTask(key="m", name="Fixed", duration=1, manual=True, **fixed))
    links = [DocLink(predecessor=f"t{n}", successor=f"t{n + 1}") for n in range(11)]
    plan = DocPlan(name="Crews", start_date="2026-12-01", default_start_time=time(9))
    return write_mspdi(PlanDocument(plan=plan, resources=crews, tasks=tasks, dependencies=links), None)


def _dates(row: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["finish"])


def test_a_file_schedules_the_same_through_the_cli_and_the_api(api: httpx.Client, tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "crews.xml"
    f.write_bytes(_file())
    out = run_cli("schedule", str(f), "--json")
    assert out.returncode == 0, out.stderr
    here = {t["name"]: _dates(t) for t in json.loads(out.stdout)["tasks"]}

    r = api.post("/plans/import", params={"filename": "crews.xml"}, content=f.read_bytes())
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["id"]
    plan = api.get(f"/plans/{pid}").json()["data"]
    crews = {x["id"]: x["name"] for x in plan["resources"]}
    for t in plan["tasks"]:  # the database gives the assignments back in the file's order
        if t["name"].startswith("Job"):
            first = "Weekend crew" if int(t["name"].split()[1]) % 2 else "Early crew"
            assert crews[t["assignments"][0]["resource_id"]] == first, t["name"]
    rows = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]
    there = {t["name"]: _dates(t) for t in rows}
    assert there == here
    # each crew works the 4 hours on its own calendar: the early crew Tue 09:00-13:00, the weekend crew Sat
    assert here["Job 0"] == (datetime(2026, 12, 1, 9), datetime(2026, 12, 5, 13))
    assert here["Fixed"] == (datetime(2026, 12, 2, 9), datetime(2026, 12, 2, 17))
