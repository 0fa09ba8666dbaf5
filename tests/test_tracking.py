"""Earned value against textbook figures, baselines and variance, and Monte Carlo against closed forms."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pytest

from prometheus.core import evm
from prometheus.core.model import Assignment, Dependency, Plan, Resource, Task
from prometheus.core.risk import Distribution, monte_carlo
from prometheus.core.scheduler import Network, schedule

MON = datetime(2026, 11, 30, 8)


def one_task_plan(**progress) -> Plan:
    """A 10-day task done by one person at 12.5/h: a budget (BAC) of 10 x 8 x 12.5 = 1000."""
    worker = Resource(id="w", plan_id="p", name="Worker", cost_rate=12.5)
    task = Task(
        id="a", plan_id="p", name="A", duration=10, assignments=[Assignment(resource_id="w")], **progress
    )
    return Plan(
        id="p", name="P", start_date=date(2026, 11, 30), tasks=[task], dependencies=[], resources=[worker]
    )


def test_earned_value_textbook_example() -> None:
    """Day 5 of 10: PV 500; 40% done: EV 400; 450 spent: AC 450."""
    plan = one_task_plan(percent_complete=40, actual_start=MON, actual_cost=450, status="in_progress")
    s = schedule(plan.tasks, [], start=MON, resources=plan.resources)
    planned = one_task_plan()
    base = evm.snapshot(planned, schedule(planned.tasks, [], start=MON, resources=planned.resources), MON)
    ev = evm.earned_value(plan, s, base, date(2026, 12, 4))  # the end of Friday: 5 working days
    assert (ev["BAC"], ev["PV"], ev["EV"], ev["AC"]) == (1000, 500, 400, 450)
    assert (ev["SV"], ev["CV"]) == (-100, -50)
    assert ev["SPI"] == 0.8 and ev["CPI"] == round(400 / 450, 4)
    assert ev["EAC"] == 1125  # BAC / CPI = 1000 x 450 / 400
    assert ev["ETC"] == round(ev["EAC"] - 450, 2) and ev["VAC"] == round(1000 - ev["EAC"], 2)
    assert ev["TCPI"] == round(600 / 550, 4)
    es = ev["earned_schedule"]
    assert (es["ES_days"], es["AT_days"], es["SPI_t"], es["SV_t_days"]) == (4, 5, 0.8, -1)
    assert es["IEAC_t_days"] == 12.5


def test_actual_cost_from_rates_when_not_reported() -> None:
    plan = one_task_plan(percent_complete=50, actual_start=MON, status="in_progress")
    s = schedule(plan.tasks, [], start=MON, resources=plan.resources)
    ev = evm.earned_value(plan, s, None, date(2026, 12, 2))  # 3 days worked at 100 a day
    assert ev["AC"] == 300 and ev["EV"] == 500 and ev["against"] == "current schedule"


def test_baseline_variance() -> None:
    plan = one_task_plan()
    base = evm.snapshot(plan, schedule(plan.tasks, [], start=MON, resources=plan.resources), MON)
    longer = plan.model_copy(update={"tasks": [plan.tasks[0].model_copy(update={"duration": 12})]})
    v = evm.variance(longer, schedule(longer.tasks, [], start=MON, resources=plan.resources), base)
    row = v["tasks"][0]
    assert (
        row["finish_variance_days"] == 2
        and row["duration_variance_days"] == 2
        and row["cost_variance"] == 200
    )
    assert v["plan"]["cost_variance"] == 200 and v["plan"]["finish_variance_days"] == 2


def chain(k: int, **three) -> Network:
    tasks = [
        Task(id=f"t{i}", plan_id="p", name=f"T{i}", duration=three["most_likely_duration"], **three)
        for i in range(k)
    ]
    deps = [
        Dependency(id=f"d{i}", plan_id="p", predecessor_id=f"t{i}", successor_id=f"t{i + 1}")
        for i in range(k - 1)
    ]
    net = Network(tasks, deps, start=MON)
    net.solve()
    return net


def test_serial_chain_of_normal_tasks_matches_the_closed_form() -> None:
    """10 tasks of 5 +- 1 days (PERT sigma = (p - o) / 6): the finish is normal, mean 50 d, sd sqrt(10) d."""
    net = chain(10, optimistic_duration=2, most_likely_duration=5, pessimistic_duration=8)
    r = monte_carlo(net, iterations=20_000, seed=7, distribution=Distribution.normal)
    days = r.finish_minutes / 480
    assert days.mean() == pytest.approx(50, abs=0.05)
    assert days.std() == pytest.approx(math.sqrt(10), rel=0.02)
    assert np.percentile(days, 95) == pytest.approx(50 + 1.645 * math.sqrt(10), abs=0.15)
    assert all(v == 1.0 for v in r.criticality.values())


def test_serial_chain_of_triangular_tasks_matches_the_closed_form() -> None:
    a, c, b = 2.0, 3.0, 7.0  # optimistic, most likely, pessimistic
    net = chain(8, optimistic_duration=a, most_likely_duration=c, pessimistic_duration=b)
    r = monte_carlo(net, iterations=20_000, seed=3)
    days = r.finish_minutes / 480
    mean = 8 * (a + b + c) / 3
    var = 8 * (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    assert days.mean() == pytest.approx(mean, rel=0.005)
    assert days.std() == pytest.approx(math.sqrt(var), rel=0.02)


def test_parallel_equal_branches_share_criticality_and_the_seed_repeats() -> None:
    tasks = [
        Task(id="s", plan_id="p", name="S", duration=1),
        Task(id="x", plan_id="p", name="X", duration=5, optimistic_duration=3, pessimistic_duration=9),
        Task(id="y", plan_id="p", name="Y", duration=5, optimistic_duration=3, pessimistic_duration=9),
        Task(id="z", plan_id="p", name="Z", duration=1, optimistic_duration=1, pessimistic_duration=2),
    ]
    deps = [
        Dependency(id=k, plan_id="p", predecessor_id=a, successor_id=b)
        for k, a, b in [("1", "s", "x"), ("2", "s", "y"), ("3", "x", "z"), ("4", "y", "z")]
    ]
    net = Network(tasks, deps, start=MON)
    net.solve()
    r1 = monte_carlo(net, iterations=20_000, seed=11, target=datetime(2026, 12, 8, 17))
    r2 = monte_carlo(net, iterations=20_000, seed=11, target=datetime(2026, 12, 8, 17))
    assert r1.criticality["x"] == pytest.approx(0.5, abs=0.02) and r1.criticality["s"] == 1.0
    assert r1.percentiles == r2.percentiles and r1.probability_on_time == r2.probability_on_time
    assert 0 < r1.probability_on_time < 1
    assert r1.percentiles["P10"] <= r1.percentiles["P50"] <= r1.percentiles["P80"] <= r1.percentiles["P95"]
    ranked = [row["task_id"] for row in r1.sensitivity]
    assert set(ranked[:2]) == {"x", "y"} and ranked[-1] == "z"


def test_tracking_over_http(api) -> None:  # noqa: ANN001
    pid = api.post(
        "/plans", json={"name": "Tracked", "start_date": "2026-11-30", "end_date": "2026-12-11"}
    ).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev", "cost_rate": 12.5}).json()["data"]
    a = api.post(
        f"/plans/{pid}/tasks",
        json={
            "name": "Build",
            "duration": 10,
            "assigned_resources": [dev["id"]],
            "optimistic_duration": 8,
            "most_likely_duration": 10,
            "pessimistic_duration": 16,
        },
    ).json()["data"]
    r = api.post(f"/plans/{pid}/baselines", json={"name": "Signed off"})
    assert r.status_code == 201 and r.json()["data"]["number"] == 0 and r.json()["data"]["total_cost"] == 1000
    progress = {"percent_complete": 40, "actual_start": "2026-11-30T08:00:00", "actual_cost": 450}
    assert api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=progress).status_code == 200

    ev = api.get(f"/plans/{pid}/earned-value", params={"status_date": "2026-12-04"}).json()["data"]
    assert (ev["PV"], ev["EV"], ev["AC"], ev["SPI"], ev["against"]) == (500, 400, 450, 0.8, "baseline 0")
    assert ev["earned_schedule"]["SPI_t"] == 0.8

    # status date: the 60% left runs from the end of Friday, so the task now finishes a day later
    api.patch(f"/plans/{pid}", json={"status_date": "2026-12-04"})
    v = api.get(f"/plans/{pid}/baselines/0/variance").json()["data"]
    assert v["tasks"][0]["finish_variance_days"] == 1 and v["plan"]["finish_variance_days"] == 1

    risk = api.post(f"/plans/{pid}/risk", json={"iterations": 2000, "seed": 5}).json()["data"]
    assert risk["uncertain_tasks"] == 0  # the only estimate belongs to a started task: its actuals rule
    assert risk["percentiles"]["P10"] == risk["percentiles"]["P95"]

    for n in range(1, 11):
        assert api.post(f"/plans/{pid}/baselines", json={}).json()["data"]["number"] == n
    full = api.post(f"/plans/{pid}/baselines", json={})
    assert full.status_code == 409 and full.json()["error_code"] == "RESOURCE_CONFLICT"
    assert len(api.get(f"/plans/{pid}/baselines").json()["data"]) == 11
    assert api.delete(f"/plans/{pid}/baselines/3").status_code == 200
    assert api.get(f"/plans/{pid}/baselines/3").status_code == 404
    assert api.get(f"/plans/{pid}/earned-value", params={"baseline": 3}).status_code == 422


def test_risk_over_http(api) -> None:  # noqa: ANN001
    pid = api.post(
        "/plans", json={"name": "Risky", "start_date": "2026-11-30", "end_date": "2026-12-18"}
    ).json()["data"]["id"]
    ids = [
        api.post(
            f"/plans/{pid}/tasks",
            json={
                "name": f"T{i}",
                "duration": 5,
                "optimistic_duration": 3,
                "most_likely_duration": 5,
                "pessimistic_duration": 9,
            },
        ).json()["data"]["id"]
        for i in range(3)
    ]
    for a, b in zip(ids, ids[1:], strict=False):
        api.post(f"/plans/{pid}/dependencies", json={"predecessor_id": a, "successor_id": b})
    body = {"iterations": 5000, "seed": 42, "distribution": "pert"}
    one = api.post(f"/plans/{pid}/risk", json=body).json()["data"]
    two = api.post(f"/plans/{pid}/risk", json=body).json()["data"]
    assert one == two and one["uncertain_tasks"] == 3
    assert 0 < one["probability_on_time"] < 1 and set(one["criticality"].values()) == {1.0}
    assert api.post(f"/plans/{pid}/risk", json={"iterations": 10}).status_code == 422
    bad = api.post(
        f"/plans/{pid}/tasks", json={"name": "x", "optimistic_duration": 5, "pessimistic_duration": 2}
    )
    assert bad.status_code == 422


def test_a_simulation_beyond_a_billion_task_iterations_is_422(api) -> None:  # noqa: ANN001
    """5,001 tasks x 200,000 iterations held a worker for about a minute (the plan's 50,000 tasks: nine): the
    answer says how many iterations the plan can have."""
    pid = api.post("/plans", json={"name": "Vast", "start_date": "2026-11-30"}).json()["data"]["id"]
    three = {"duration": 2, "optimistic_duration": 1, "most_likely_duration": 2, "pessimistic_duration": 5}
    r = api.post(f"/plans/{pid}/tasks", json=[{"name": f"T{i}", **three} for i in range(5001)])
    assert r.status_code == 201, r.text[:300]
    r = api.post(f"/plans/{pid}/risk", json={"iterations": 200_000, "seed": 1})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["message"].endswith("ask for at most 199,960 iterations")
    r = api.post(f"/plans/{pid}/risk", json={"iterations": 1000, "seed": 1})
    assert r.status_code == 200 and r.json()["data"]["uncertain_tasks"] == 5001


def test_earned_value_at_an_earlier_status_date_takes_progress_and_costs_back() -> None:
    """Progress recorded as of Friday Dec 4 (40% of the 1000 budget, 450 spent, started Monday). As of
    Wednesday (3 of the 5 working days since the start): PV 300; 3/5 of the recorded progress and cost,
    EV 1000 x 0.4 x 0.6 = 240, AC 450 x 0.6 = 270: late and over budget (SPI 0.8), not "ahead"."""
    plan = one_task_plan(percent_complete=40, actual_start=MON, actual_cost=450, status="in_progress")
    s = schedule(plan.tasks, [], start=MON, resources=plan.resources)
    planned = one_task_plan()
    base = evm.snapshot(planned, schedule(planned.tasks, [], start=MON, resources=planned.resources), MON)
    friday = date(2026, 12, 4)
    ev = evm.earned_value(plan, s, base, date(2026, 12, 2), reported=friday)
    assert (ev["PV"], ev["EV"], ev["AC"], ev["SV"], ev["CV"]) == (300, 240, 270, -60, -30)
    assert ev["SPI"] == 0.8 and ev["CPI"] == round(240 / 270, 4)
    assert ev["earned_schedule"]["ES_days"] == 2.4 and ev["earned_schedule"]["AT_days"] == 3
    monday = evm.earned_value(plan, s, base, date(2026, 11, 30), reported=friday)  # 1 of 5 days
    assert (monday["PV"], monday["EV"], monday["AC"]) == (100, 80, 90)
    for later in (friday, date(2026, 12, 9)):  # the reported figures as they are, never extrapolated
        same = evm.earned_value(plan, s, base, later, reported=friday)
        assert (same["EV"], same["AC"]) == (400, 450)


def test_earned_value_before_a_finished_task_ended_and_before_another_started() -> None:
    """A (5 days, 500) done Mon Nov 30 - Fri Dec 4 for 600; B (5 days, 500) started Mon Dec 7, 20% and 150
    by Wed Dec 9. As of Thursday Dec 3 (4 days in): A 4/5 done, EV 400 and AC 480; B not started: 0."""
    worker = Resource(id="w", plan_id="p", name="Worker", cost_rate=12.5)
    work = [Assignment(resource_id="w")]
    tasks = [
        Task(id="a", plan_id="p", name="A", duration=5, assignments=work),
        Task(id="b", plan_id="p", name="B", duration=5, assignments=work),
    ]
    link = [Dependency(id="d", plan_id="p", predecessor_id="a", successor_id="b")]
    plan = Plan(id="p", name="P", start_date=date(2026, 11, 30), tasks=tasks, dependencies=link,
                resources=[worker])  # fmt: skip
    base = evm.snapshot(plan, schedule(tasks, link, start=MON, resources=[worker]), MON)
    done = [
        tasks[0].model_copy(update={"status": "completed", "percent_complete": 100, "actual_start": MON,
                                    "actual_finish": datetime(2026, 12, 4, 17), "actual_cost": 600}),
        tasks[1].model_copy(update={"status": "in_progress", "percent_complete": 20,
                                    "actual_start": datetime(2026, 12, 7, 8), "actual_cost": 150}),
    ]  # fmt: skip
    now = plan.model_copy(update={"tasks": done})
    s = schedule(done, link, start=MON, resources=[worker])
    ev = evm.earned_value(now, s, base, date(2026, 12, 3), reported=date(2026, 12, 9))
    assert (ev["BAC"], ev["PV"], ev["EV"], ev["AC"]) == (1000, 400, 400, 480)
    assert ev["SPI"] == 1 and ev["CPI"] == round(400 / 480, 4)
    full = evm.earned_value(now, s, base, date(2026, 12, 9), reported=date(2026, 12, 9))
    assert (full["PV"], full["EV"], full["AC"]) == (800, 600, 750)  # 8 days planned; 500 + 20% of 500


def _one_task_under_way(api, name: str, rate: float, days: float, progress: dict, status_date: str) -> str:  # noqa: ANN001
    """A plan from Mon 2026-11-30 with one task of `days` on a resource at `rate` an hour, baselined, then
    its `progress` reported and the plan's status date set: the plan's id."""
    pid = api.post("/plans", json={"name": name, "start_date": "2026-11-30"}).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev", "cost_rate": rate}).json()["data"]
    a = api.post(
        f"/plans/{pid}/tasks", json={"name": "Build", "duration": days, "assigned_resources": [dev["id"]]}
    ).json()["data"]
    assert api.post(f"/plans/{pid}/baselines", json={}).status_code == 201
    assert api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=progress).status_code == 200
    assert api.patch(f"/plans/{pid}", json={"status_date": status_date}).status_code == 200
    return pid


def test_earned_value_over_http_as_of_an_earlier_status_date(api) -> None:  # noqa: ANN001
    progress = {"percent_complete": 40, "actual_start": "2026-11-30T08:00:00", "actual_cost": 450}
    pid = _one_task_under_way(api, "Back in time", 12.5, 10, progress, "2026-12-04")
    now = api.get(f"/plans/{pid}/earned-value").json()["data"]
    assert (now["PV"], now["EV"], now["AC"], now["SPI"]) == (500, 400, 450, 0.8)
    assert now["progress_as_of"].startswith("2026-12-05T00:00")
    ev = api.get(f"/plans/{pid}/earned-value", params={"status_date": "2026-12-02"}).json()["data"]
    assert (ev["PV"], ev["EV"], ev["AC"], ev["SPI"], ev["CV"]) == (300, 240, 270, 0.8, -30)
    assert ev["status_date"].startswith("2026-12-03T00:00")


def test_a_later_status_date_keeps_the_actual_cost_that_rates_give(api) -> None:  # noqa: ANN001
    """A running task without a reported cost: AC from rates is the working time up to the plan's status
    date, as of it and as of any later day (it grew with the day asked: 60% of a 5-day task cost 806 days
    of work as of 2030)."""
    progress = {"percent_complete": 60, "actual_start": "2026-11-30T08:00:00"}
    pid = _one_task_under_way(api, "Later", 100, 5, progress, "2026-12-02")
    at = api.get(f"/plans/{pid}/earned-value").json()["data"]
    assert (at["EV"], at["AC"]) == (2400, 2400)  # 3 days of 8 hours at 100
    for later in ("2026-12-04", "2030-01-01"):
        ev = api.get(f"/plans/{pid}/earned-value", params={"status_date": later}).json()["data"]
        assert (ev["EV"], ev["AC"], ev["CPI"]) == (2400, 2400, 1.0), later
