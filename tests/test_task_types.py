"""Task types as Microsoft Project has them: which of duration, work and units follows a change, and what
effort-driven keeps when resources come and go; through the pure rules, the API, scenarios and the formats."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from prometheus.core.documents import DocPlan, DocTask, PlanDocument
from prometheus.core.model import Assignment, Task
from prometheus.core.task_types import balance
from prometheus.errors import ValidationFailed
from prometheus.formats.csv_format import read_csv, write_csv
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from tests.conftest import add_task

NS = {"p": "http://schemas.microsoft.com/project"}
ANN, BOB = Assignment(resource_id="ann"), Assignment(resource_id="bob")


def task(kind: str, effort: bool = False, **k) -> Task:  # noqa: ANN003
    fields = {"duration": 2.0, "work": 16.0, "assignments": [ANN]} | k
    return Task(id="t", plan_id="p", name="t", task_type=kind, effort_driven=effort, **fields)


def test_a_new_duration() -> None:
    for kind in ("fixed_units", "fixed_duration"):  # the work follows
        t = balance(task(kind).model_copy(update={"duration": 3.0}), task(kind))
        assert (t.duration, t.work, t.assignments) == (3.0, 24.0, [ANN])
    t = balance(task("fixed_work").model_copy(update={"duration": 4.0}), task("fixed_work"))  # the units
    assert (t.duration, t.work, [a.units for a in t.assignments]) == (4.0, 16.0, [0.5])


def test_new_work() -> None:
    for kind in ("fixed_units", "fixed_work"):  # the duration follows
        t = balance(task(kind).model_copy(update={"work": 8.0}), task(kind))
        assert (t.duration, t.duration_unit, t.work) == (8.0, "hours", 8.0)
    t = balance(task("fixed_duration").model_copy(update={"work": 32.0}), task("fixed_duration"))
    assert (t.duration, t.work, [a.units for a in t.assignments]) == (2.0, 32.0, [2.0])


def test_new_units() -> None:
    half = [Assignment(resource_id="ann", units=0.5)]
    for kind in ("fixed_units", "fixed_work"):  # the duration follows
        t = balance(task(kind).model_copy(update={"assignments": half}), task(kind))
        assert (t.duration, t.duration_unit, t.work) == (32.0, "hours", 16.0)
    t = balance(task("fixed_duration").model_copy(update={"assignments": half}), task("fixed_duration"))
    assert (t.duration, t.work) == (2.0, 8.0)  # the work follows


@pytest.mark.parametrize(
    ("kind", "effort", "expected"),
    [
        ("fixed_units", True, (8.0, 16.0, [1.0, 1.0])),  # shorter, same work
        ("fixed_work", False, (8.0, 16.0, [1.0, 1.0])),  # fixed work is always effort-driven
        ("fixed_duration", True, (2.0, 16.0, [0.5, 0.5])),  # lower units, same work
        ("fixed_units", False, (2.0, 32.0, [1.0, 1.0])),  # not effort-driven: more work
        ("fixed_duration", False, (2.0, 32.0, [1.0, 1.0])),
    ],
)
def test_a_second_resource(kind: str, effort: bool, expected: tuple) -> None:
    before = task(kind, effort)
    t = balance(before.model_copy(update={"assignments": [ANN, BOB]}), before)
    assert (t.duration, t.work, [a.units for a in t.assignments]) == expected
    if expected[0] == 8.0:
        assert t.duration_unit == "hours"


def test_a_span_past_any_duration_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        balance(
            task(
                "fixed_units",
                effort=True,
                work=10_000_000,
                assignments=[Assignment(resource_id="a", units=0.01)],
            ),
            None,
        )


def test_without_work_or_resources_nothing_moves() -> None:
    t = task("fixed_units", work=None)
    assert balance(t.model_copy(update={"duration": 5.0}), t).work is None
    alone = task("fixed_units", assignments=[])
    assert balance(alone.model_copy(update={"work": 40.0}), alone).duration == 2.0
    assert balance(task("fixed_units", effort=True, assignments=[]), None).duration == 16.0  # one full-time


def test_task_types_through_the_api_and_a_scenario(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    ids = [api.post(f"/plans/{pid}/resources", json={"name": n}).json()["data"]["id"] for n in ("ann", "bob")]
    fixed = add_task(api, pid, "Fixed", duration=2, work=16, task_type="fixed_duration", effort_driven=True,
                     assignments=[{"resource_id": ids[0], "units": 1}])  # fmt: skip
    assert fixed["task_type"] == "fixed_duration" and fixed["duration"] == 2
    both = [{"resource_id": r, "units": 1} for r in ids]
    r = api.patch(f"/plans/{pid}/tasks/{fixed['id']}", json={"assignments": both})
    data = r.json()["data"]
    assert (data["duration"], data["work"]) == (2, 16)
    assert [a["units"] for a in data["assignments"]] == [0.5, 0.5]
    r = api.patch(f"/plans/{pid}/tasks/{fixed['id']}", json={"task_type": "fixed_work", "duration": 4})
    data = r.json()["data"]
    assert (data["duration"], data["work"]) == (4, 16)
    assert [a["units"] for a in data["assignments"]] == [0.25, 0.25]
    bad = api.patch(f"/plans/{pid}/tasks/{fixed['id']}", json={"task_type": "fixed_everything"})
    assert bad.status_code == 422

    units = add_task(api, pid, "Units", duration=1, work=8, assignments=both[:1])
    s = api.post(f"/plans/{pid}/scenarios", json={"name": "two"}).json()["data"]
    r = api.patch(f"/plans/{pid}/scenarios/{s['id']}/tasks/{units['id']}", json={"assignments": both})
    assert r.status_code == 200, r.text
    seen = {t["name"]: t for t in api.get(f"/plans/{pid}/scenarios/{s['id']}/tasks").json()["data"]}
    assert (seen["Units"]["duration"], seen["Units"]["work"]) == (1, 16)  # not effort-driven: more work
    plain = api.get(f"/plans/{pid}/tasks/{units['id']}").json()["data"]
    assert (plain["duration"], plain["work"]) == (1, 8)


def test_formats_keep_the_task_type() -> None:
    doc = PlanDocument(
        plan=DocPlan(name="types"),
        tasks=[DocTask(key=k, name=k, task_type=k, effort_driven=k == "fixed_work")
               for k in ("fixed_units", "fixed_duration", "fixed_work")],
    )  # fmt: skip
    data = write_mspdi(doc, None)
    types = etree.fromstring(data).xpath("//p:Task/p:Type/text()", namespaces=NS)
    assert types == ["0", "1", "2"]
    assert [(t.task_type, t.effort_driven) for t in read_mspdi(data).tasks] == [
        ("fixed_units", False), ("fixed_duration", False), ("fixed_work", True)
    ]  # fmt: skip
    back = read_csv(write_csv(doc, None))
    assert [t.task_type for t in back.tasks] == ["fixed_units", "fixed_duration", "fixed_work"]
