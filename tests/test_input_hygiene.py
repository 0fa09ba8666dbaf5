"""What no input may carry into the store, nor any answer out of it: lone surrogates, NUL characters in the
URL, numbers beyond money's bound or not finite, dates outside the years, bodies that are not UTF-8. Each a
clear 4xx on both backends, never a 500, and nothing stored by a refused request."""

from __future__ import annotations

import json
import math

import httpx
import pytest
from sqlalchemy import create_engine, text

from prometheus.core.bounds import MAX_MONEY
from prometheus.store.tables import PlanRow
from tests.conftest import add_task

JSON = {"content-type": "application/json"}


def _refused(r: httpx.Response, *words: str, status: int = 422) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == "error" and body["error_code"] == "VALIDATION_ERROR", body
    for w in words:
        assert w in body["message"], body["message"]
    return body


def _strict(r: httpx.Response) -> dict:
    """The answer as JSON that any parser reads: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{r.request.url} answered {constant}: {r.text[:300]}")

    assert r.status_code == 200, r.text
    return json.loads(r.text, parse_constant=refuse)


@pytest.mark.parametrize(
    "where,raw",
    [
        ("metadata", '{"metadata": {"k": "\\ud800"}}'),
        ("metadata", '{"metadata": {"deep": [{"x": "a\\udfffb"}]}}'),
        ("metadata", '{"metadata": {"\\udc00": 1}}'),
        ("tags", '{"tags": ["ok", "\\ud83d"]}'),
        ("name", '{"name": "a\\ud800"}'),
        ("description", '{"description": "\\ud800"}'),
    ],
)
def test_a_lone_surrogate_is_refused_and_nothing_is_stored(
    api: httpx.Client, plan: dict, where: str, raw: str
) -> None:
    pid = plan["id"]
    t = add_task(api, pid, "t")
    version = api.get(f"/plans/{pid}").json()["data"]["version"]
    body = raw[:-1] + ', "name": "n"}' if where != "name" else raw
    _refused(api.patch(f"/plans/{pid}/tasks/{t['id']}", content=raw, headers=JSON), where)
    _refused(api.patch(f"/plans/{pid}", content=raw, headers=JSON), where)
    _refused(api.post(f"/plans/{pid}/tasks", content=body, headers=JSON), where)
    _refused(api.post("/plans", content=body, headers=JSON), where)
    if where in ("metadata", "name"):
        _refused(api.post(f"/plans/{pid}/resources", content=body, headers=JSON), where)
    # nothing stored: the task, the plan and the list of plans read as before
    assert _strict(api.get(f"/plans/{pid}/tasks/{t['id']}"))["data"]["version"] == 1
    assert _strict(api.get(f"/plans/{pid}"))["data"]["version"] == version
    assert len(_strict(api.get(f"/plans/{pid}/tasks"))["data"]) == 1
    assert len(_strict(api.get(f"/plans/{pid}/resources"))["data"]) == 0
    assert _strict(api.get("/plans", params={"limit": 500}))["status"] == "success"


def test_progress_notes_and_memory_refuse_a_lone_surrogate(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    t = add_task(api, pid, "t")
    r = api.put(f"/plans/{pid}/tasks/{t['id']}/progress", content='{"notes": "\\ud800"}', headers=JSON)
    _refused(r, "notes")
    _refused(api.put("/memory/hygiene/s1", content='{"data": "\\ud800"}', headers=JSON), "data")
    _refused(api.put("/memory/hygiene/s2", content='{"data": ["x", {"y": "\\ud800"}]}', headers=JSON))
    raw = '{"data": 1, "metadata": {"m": "\\udfff"}}'
    _refused(api.put("/memory/hygiene/s3", content=raw, headers=JSON), "metadata")
    for key in ("s1", "s2", "s3"):
        assert api.get(f"/memory/hygiene/{key}").status_code == 404
    assert _strict(api.get(f"/plans/{pid}/tasks/{t['id']}"))["data"]["version"] == 1


@pytest.mark.parametrize("bad", ["a\ud800", float("nan"), float("inf")])
def test_the_store_never_holds_what_no_answer_could_write(db, bad) -> None:  # noqa: ANN001
    """Whatever path a value takes past the inputs, a JSON column refuses it on both backends: the write
    fails and rolls back, so no later read can fail on it."""
    with pytest.raises(Exception), db.store() as s:  # noqa: B017, PT011
        s.session.add(PlanRow(id="p-bad", name="p", meta={"k": bad}, tags=[], version=1))
        s.session.flush()
    with db.store(write=False) as s:
        assert s.session.get(PlanRow, "p-bad") is None


@pytest.mark.parametrize(
    "path",
    [
        "/plans/%00",
        "/plans/{P}/tasks/%00",
        "/plans/{P}/tasks/%00/explain",
        "/plans/{P}/resources/%00",
        "/plans/{P}/scenarios/%00",
        "/plans/{P}/dependencies/%00",
        "/webhooks/%00",
        "/retrospectives/%00",
        "/memory/%00/k",
        "/memory/ns/a%00b",
        "/executions/%00",
    ],
)
def test_an_id_holding_a_nul_names_nothing(api: httpx.Client, plan: dict, path: str) -> None:
    url = path.replace("{P}", plan["id"])
    for method in ("GET", "DELETE"):
        r = api.request(method, url)
        if r.status_code == 405:
            continue
        assert r.status_code == 404, (method, url, r.text)
        assert r.json()["error_code"] == "NOT_FOUND", r.text


@pytest.mark.parametrize(
    "path,param",
    [
        ("/plans", "search"),
        ("/plans", "tag"),
        ("/plans/{P}/tasks", "search"),
        ("/plans/{P}/tasks", "tag"),
        ("/plans/{P}/tasks", "assigned_to"),
        ("/plans/{P}/tasks", "parent_id"),
        ("/plans/{P}/resources", "skill"),
        ("/retrospectives", "plan_id"),
    ],
)
def test_a_query_value_holding_a_nul_is_refused(api: httpx.Client, plan: dict, path: str, param: str) -> None:
    url = path.replace("{P}", plan["id"])
    _refused(api.get(url, params={param: "a\x00b"}), param, "NUL")


def test_a_nul_in_a_delete_by_query_or_an_assignment_is_refused(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    a, b = add_task(api, pid, "a"), add_task(api, pid, "b")
    assert api.post(f"/plans/{pid}/dependencies", json={"predecessor_id": a["id"], "successor_id": b["id"]})
    r = api.delete(f"/plans/{pid}/dependencies", params={"dependency_id": "\x00"})
    _refused(r, "dependency_id", "NUL")
    assert len(api.get(f"/plans/{pid}/dependencies").json()["data"]) == 1
    body = {"name": "x", "assignments": [{"resource_id": "\x00"}]}
    _refused(api.post(f"/plans/{pid}/tasks", json=body), "assignments", "NUL")
    _refused(api.patch(f"/plans/{pid}/tasks/{a['id']}", json=body), "assignments", "NUL")
    cal = {"calendar": {"name": "c\x00"}}
    _refused(api.patch(f"/plans/{pid}", json=cal), "calendar", "NUL")
    assert len(api.get(f"/plans/{pid}/tasks").json()["data"]) == 2


def test_money_is_bounded_and_answers_stay_json(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    _refused(api.post(f"/plans/{pid}/resources", json={"name": "r", "cost_rate": 1e308}), "cost_rate")
    r = api.post(f"/plans/{pid}/resources", json={"name": "r", "cost_rate": MAX_MONEY})
    assert r.status_code == 201, r.text
    rid = r.json()["data"]["id"]
    _refused(api.patch(f"/plans/{pid}/resources/{rid}", json={"cost_rate": 1e308}), "cost_rate")
    t = add_task(api, pid, "t", duration=10, assigned_resources=[rid], work=80)
    url = f"/plans/{pid}/tasks/{t['id']}/progress"
    _refused(api.put(url, json={"actual_cost": 1e308}), "actual_cost")
    assert api.put(url, json={"actual_cost": MAX_MONEY, "percent_complete": 50}).status_code == 200
    assert api.post(f"/plans/{pid}/baselines", json={}).status_code in (200, 201)
    retro = api.post("/retrospectives", json={"plan_id": pid, "title": "r"})
    assert retro.status_code == 201, retro.text
    for view in ("costs", "summary", "earned-value?status_date=2027-06-01", "critical-path"):
        _strict(api.get(f"/plans/{pid}/{view}"))
    _strict(api.get(f"/retrospectives/{retro.json()['data']['id']}/summary"))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_free_form_json_refuses_non_finite_numbers(api: httpx.Client, plan: dict, literal: str) -> None:
    _refused(api.put("/memory/hygiene/n1", content=f'{{"data": {literal}}}', headers=JSON), "data")
    _refused(api.put("/memory/hygiene/n2", content=f'{{"data": [1, [{literal}]]}}', headers=JSON), "data")
    for key in ("n1", "n2"):
        assert api.get(f"/memory/hygiene/{key}").status_code == 404
    raw = f'{{"metadata": {{"x": {literal}}}}}'
    _refused(api.patch(f"/plans/{plan['id']}", content=raw, headers=JSON), "metadata")


def test_numbers_stored_out_of_bounds_are_written_as_null(server, api: httpx.Client, plan: dict) -> None:
    """A value stored around the inputs (before the bounds, or by another program) never makes an answer
    that is not JSON."""
    pid = plan["id"]
    rid = api.post(f"/plans/{pid}/resources", json={"name": "r", "cost_rate": 10}).json()["data"]["id"]
    add_task(api, pid, "t", duration=2, assigned_resources=[rid])
    engine = create_engine(server.database_url)
    huge = "'Infinity'::float" if "postgresql" in server.database_url else "9e999"
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE resources SET cost_rate = {huge} WHERE id = :r"), {"r": rid})
    engine.dispose()
    costs = _strict(api.get(f"/plans/{pid}/costs"))["data"]
    assert costs["cost"] is None or math.isfinite(costs["cost"])
    _strict(api.get(f"/plans/{pid}/resources/{rid}"))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_query_dates_are_bounded_to_1900_2200(api: httpx.Client, plan: dict, day: str) -> None:
    pid = plan["id"]
    add_task(api, pid, "t")
    _refused(api.get(f"/plans/{pid}/earned-value", params={"status_date": day}), "status_date", "1900")
    _strict(api.get(f"/plans/{pid}/earned-value", params={"status_date": "2200-12-31"}))


def test_a_body_that_is_not_utf8_is_malformed_json(api: httpx.Client) -> None:
    before = api.get("/plans", params={"limit": 1}).json()["pagination"]["total"]
    _refused(api.post("/plans", content=b'{"name": "\xff\xfe"}', headers=JSON), "JSON", status=400)
    _refused(api.post("/plans", content=b'{"name": ', headers=JSON), "JSON", status=400)
    assert api.get("/plans", params={"limit": 1}).json()["pagination"]["total"] == before
