"""Hostile input, round three: the computations (risk, calendars, the schedule's dates) on inputs at their
bounds, in the core and through a real server on both databases."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from prometheus.core.calendar import SchedulingError
from prometheus.core.model import Dependency, Task
from prometheus.core.risk import monte_carlo
from prometheus.core.scheduler import Network

START = date(2026, 11, 30)


def _task(i: int, **kw) -> Task:
    return Task(id=f"t{i}", plan_id="p", name=f"T{i}", **kw)


def _link(k: int, a: int, b: int, **kw) -> Dependency:
    return Dependency(id=f"d{k}", plan_id="p", predecessor_id=f"t{a}", successor_id=f"t{b}", **kw)


def test_a_simulation_of_many_links_is_bounded_by_its_steps() -> None:
    """Each link of every chunk of iterations is a step in Python: 5,000 tasks and 200,000 links held a
    worker for half an hour at 200,000 iterations (10^9 task-iterations, within MAX_CELLS). The answer says
    how many the plan may have, and that many runs."""
    n = 1000
    tasks = [_task(i, duration=1, optimistic_duration=1, pessimistic_duration=3) for i in range(n)]
    links = [_link(k, i, j) for k, (i, j) in enumerate((i, j) for i in range(60) for j in range(60, n))]
    net = Network(tasks, links, start=START)
    net.solve()
    with pytest.raises(SchedulingError, match=r"56,400 links .* ask for at most 104,000 iterations"):
        monte_carlo(net, iterations=200_000, seed=1)
    assert monte_carlo(net, iterations=200, seed=1).iterations == 200


def _plan(api: httpx.Client, **fields) -> str:
    r = api.post("/plans", json={"name": "hostile", "start_date": "2026-11-30", **fields})
    assert r.status_code == 201, r.text[:300]
    return r.json()["data"]["id"]


def _refused(r: httpx.Response, *words: str) -> None:
    assert r.status_code == 422, r.text[:300]
    body = r.json()
    assert body["status"] == "error" and body["error_code"] == "VALIDATION_ERROR", body
    assert all(w in body["message"] for w in words), body["message"]
