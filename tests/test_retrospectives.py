"""Retrospectives, suggestions, history-based estimation and plan analysis, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server, add_task, link
from tests.peers import FakeRhetor


def finished_project(api: httpx.Client) -> tuple[str, dict]:
    """Backend work took 1.5x its estimates; 'UI polish' waited on its predecessor, not its own work."""
    pid = api.post("/plans", json={"name": "Shipped", "start_date": "2026-11-02"}).json()["data"]["id"]
    t = {
        "api": add_task(api, pid, "Implement login API", duration=2, tags=["backend"], priority="high"),
        "db": add_task(api, pid, "Design database schema", duration=2, tags=["backend"]),
        "ui": add_task(api, pid, "UI polish", duration=1, tags=["frontend"]),
    }
    link(api, pid, t["api"]["id"], t["ui"]["id"])
    assert api.post(f"/plans/{pid}/baselines", json={}).status_code == 201
    actual = {  # Monday 2 Nov onwards, 8-hour days
        "api": ("2026-11-02T08:00:00", "2026-11-04T12:00:00"),  # 2.5 days for 2
        "db": ("2026-11-02T08:00:00", "2026-11-04T17:00:00"),  # 3 days for 2
        "ui": ("2026-11-05T08:00:00", "2026-11-05T17:00:00"),  # on estimate, but a day late to start
    }
    for key, (start, finish) in actual.items():
        r = api.put(
            f"/plans/{pid}/tasks/{t[key]['id']}/progress",
            json={"status": "completed", "actual_start": start, "actual_finish": finish},
        )
        assert r.status_code == 200, r.text
    return pid, t


def test_retrospective_feedback_summary_and_suggestions(api: httpx.Client) -> None:
    pid, t = finished_project(api)
    r = api.post(
        "/retrospectives", json={"title": "Release 1", "plan_id": pid, "participants": ["ana", "bo"]}
    )
    assert r.status_code == 201
    rid = r.json()["data"]["id"]
    add = lambda body: api.post(f"/retrospectives/{rid}/feedback", json=body)  # noqa: E731
    assert add({"type": "went_well", "content": "Pairing on the API", "author": "ana"}).status_code == 201
    wrong = add({"type": "went_wrong", "content": "Schema reviews were slow", "author": "bo"}).json()["data"]
    action = add(
        {"type": "action_item", "content": "Review schemas in a day", "owner": "bo", "due_date": "2026-11-20"}
    ).json()["data"]
    assert action["status"] == "open"
    assert add({"type": "idea", "content": "x", "owner": "bo"}).status_code == 422
    assert add({"type": "rant", "content": "x"}).status_code == 422
    for _ in range(3):
        api.post(f"/retrospectives/{rid}/feedback/{wrong['id']}/vote")
    items = api.get(f"/retrospectives/{rid}/feedback").json()["data"]
    assert items[0]["id"] == wrong["id"] and items[0]["votes"] == 3
    assert [
        f["type"] for f in api.get(f"/retrospectives/{rid}/feedback", params={"type": "idea"}).json()["data"]
    ] == []
    upd = api.patch(f"/retrospectives/{rid}/feedback/{action['id']}", json={"status": "in_progress"})
    assert upd.json()["data"]["status"] == "in_progress"
    assert (
        api.patch(f"/retrospectives/{rid}/feedback/{wrong['id']}", json={"status": "done"}).status_code == 422
    )
    assert api.get(f"/retrospectives/{rid}").json()["data"]["feedback_count"] == 3
    assert [x["id"] for x in api.get("/retrospectives", params={"plan_id": pid}).json()["data"]] == [rid]

    s = api.get(f"/retrospectives/{rid}/summary").json()["data"]
    acc = s["estimation_accuracy"]
    assert acc["by_tag"]["backend"]["mean_ratio"] == 1.375 and acc["by_tag"]["frontend"]["mean_ratio"] == 1
    assert acc["by_priority"]["high"]["mean_ratio"] == 1.25
    slipped = {x["name"]: x for x in s["most_slipped"]}
    assert slipped["UI polish"]["cause"] == "waiting on predecessors"
    assert slipped["UI polish"]["start_slip_days"] == 1 and slipped["UI polish"]["overrun_days"] == 0
    assert slipped["Design database schema"]["cause"] == "own overrun"
    assert s["feedback"] == {"went_well": 1, "went_wrong": 1, "action_item": 1}

    g = api.get(f"/retrospectives/{rid}/improvement-suggestions").json()["data"]
    rules = {x["rule"]: x for x in g["suggestions"]}
    under = rules["systematic_underestimation"]
    assert "backend" in under["title"] and {e["name"] for e in under["evidence"]} == {
        "Implement login API",
        "Design database schema",
    }
    assert rules["overdue_actions"]["evidence"][0]["owner"] == "bo"
    assert g["rhetor"]["available"] is False and "RHETOR_URL" in g["rhetor"]["reason"]
    assert api.get("/retrospectives/nope/summary").status_code == 404


def test_history_based_estimate(api: httpx.Client) -> None:
    finished_project(api)
    pid = api.post("/plans", json={"name": "Next"}).json()["data"]["id"]
    r = api.post(
        f"/plans/{pid}/estimate",
        json={"name": "Implement logout API", "tags": ["backend"], "duration": 2},
    )
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["precedents"][0]["name"] == "Implement login API" and d["precedents"][0]["actual_days"] == 2.5
    assert d["calibration_factor"] > 1 and d["calibrated_estimate_days"] == round(
        2 * d["calibration_factor"], 2
    )
    assert d["range_days"]["low"] <= d["proposed_duration_days"] <= d["range_days"]["high"]
    assert d["use"] == "calibrated" and d["recommended_duration_days"] == d["calibrated_estimate_days"]
    assert d["engram"]["available"] is False
    unknown = api.post(f"/plans/{pid}/estimate", json={"name": "Zzyzx qwv"}).json()
    assert unknown["data"]["precedents"] == [] and "no similar" in unknown["message"]


def test_plan_analysis_from_schedule_facts(api: httpx.Client) -> None:
    pid = api.post(
        "/plans", json={"name": "Tight", "start_date": "2026-11-30", "end_date": "2026-12-04"}
    ).json()["data"]["id"]
    a = add_task(api, pid, "Long build", duration=12)
    b = add_task(api, pid, "Test", duration=2)
    link(api, pid, a["id"], b["id"])
    d = api.get(f"/plans/{pid}/analysis").json()["data"]
    titles = [x["title"] for x in d["risks"]]
    assert "The schedule misses the deadline" in titles
    assert any(x["title"] == "Split or fast-track 'Long build'" for x in d["optimizations"])
    assert all({"probability", "impact", "mitigation", "evidence"} <= set(x) for x in d["risks"])
    assert d["rhetor"]["available"] is False


@pytest.fixture(scope="module")
def rhetor():
    peer = FakeRhetor()
    yield peer
    peer.close()


def test_rhetor_enriches_when_it_answers_and_is_reported_when_it_fails(
    rhetor: FakeRhetor, make_database_url, tmp_path
) -> None:
    env = {"RHETOR_URL": rhetor.url, "INTEGRATION_RETRY_COUNT": "1", "INTEGRATION_RETRY_DELAY": "0.01"}
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=env).start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        pid = api.post("/plans", json={"name": "P"}).json()["data"]["id"]
        add_task(api, pid, "Only task", duration=3)
        rhetor.mode = "ok"
        d = api.get(f"/plans/{pid}/analysis").json()["data"]
        assert d["rhetor"]["available"] is True and d["rhetor"]["source"] == "rhetor"
        assert d["rhetor"]["text"].startswith("Advice") and d["rhetor"]["model"] == "fake-model"
        assert rhetor.prompts[-1]["component"] == "prometheus" and "Only task" in rhetor.prompts[-1]["prompt"]
        calls = len(rhetor.prompts)
        rhetor.mode = "error"
        d = api.get(f"/plans/{pid}/analysis").json()["data"]
        assert d["rhetor"]["available"] is False and "HTTP 500" in d["rhetor"]["reason"]
        assert len(rhetor.prompts) == calls + 2  # one retry
        assert d["risks"] is not None  # the rule-based part is still there
        rhetor.mode = "garbage"
        d = api.get(f"/plans/{pid}/analysis").json()["data"]
        assert d["rhetor"]["available"] is False and "malformed" in d["rhetor"]["reason"]
    finally:
        srv.stop()


def test_engram_remembers_finished_tasks_and_feeds_estimates(make_database_url, tmp_path) -> None:
    import time

    from tests.peers import FakeEngram

    engram = FakeEngram()
    env = {"ENGRAM_URL": engram.url, "INTEGRATION_RETRY_COUNT": "0"}
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env=env).start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        pid = api.post("/plans", json={"name": "P", "start_date": "2026-11-02"}).json()["data"]["id"]
        t = add_task(api, pid, "Migrate billing service", duration=2, tags=["backend"])
        done = {
            "status": "completed",
            "actual_start": "2026-11-02T08:00:00",
            "actual_finish": "2026-11-04T17:00:00",
        }
        assert api.put(f"/plans/{pid}/tasks/{t['id']}/progress", json=done).status_code == 200
        for _ in range(50):  # stored after the answer
            if engram.memories:
                break
            time.sleep(0.05)
        stored = engram.memories[0]["context"]
        assert (stored["kind"], stored["task_id"], stored["actual_days"], stored["estimate_days"]) == (
            "prometheus.task",
            t["id"],
            3,
            2,
        )
        # another database: only Engram remembers the task now
        srv.stop()
        srv2 = Server(make_database_url("sqlite"), tmp_path / "log2", env=env).start()
        try:
            api2 = httpx.Client(base_url=srv2.url + "/api", timeout=30)
            pid2 = api2.post("/plans", json={"name": "Q"}).json()["data"]["id"]
            d = api2.post(f"/plans/{pid2}/estimate", json={"name": "Migrate billing database"}).json()["data"]
            assert d["engram"] == {"available": True, "precedents": 1}
            assert d["precedents"][0]["source"] == "engram" and d["precedents"][0]["actual_days"] == 3
            engram.down = True
            d = api2.post(f"/plans/{pid2}/estimate", json={"name": "Migrate billing database"}).json()["data"]
            assert d["engram"]["available"] is False and "HTTP 500" in d["engram"]["reason"]
        finally:
            srv2.stop()
    finally:
        srv.stop()
        engram.close()


def test_summary_cost_figures_are_pmi_earned_value(api: httpx.Client) -> None:
    """A 10-day task at 12.5/h (BAC 1000), 40% done by the status date Fri Dec 4 with 450 spent: EV 400,
    CV = EV - AC = -50 (over budget for the work done), CPI 400/450, EAC = BAC/CPI, VAC = BAC - EAC."""
    pid = api.post("/plans", json={"name": "Costed", "start_date": "2026-11-30"}).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev", "cost_rate": 12.5}).json()["data"]
    a = add_task(api, pid, "Build", duration=10, assigned_resources=[dev["id"]])
    assert api.post(f"/plans/{pid}/baselines", json={}).status_code == 201
    progress = {"percent_complete": 40, "actual_start": "2026-11-30T08:00:00", "actual_cost": 450}
    assert api.put(f"/plans/{pid}/tasks/{a['id']}/progress", json=progress).status_code == 200
    assert api.patch(f"/plans/{pid}", json={"status_date": "2026-12-04"}).status_code == 200
    rid = api.post("/retrospectives", json={"title": "Mid-point", "plan_id": pid}).json()["data"]["id"]
    p = api.get(f"/retrospectives/{rid}/summary").json()["data"]["plan"]
    cpi, eac = round(400 / 450, 4), 1000 * 450 / 400  # EAC = BAC / CPI = 1125
    assert (p["budget_at_completion"], p["earned_value"], p["actual_cost"]) == (1000, 400, 450)
    assert (p["cost_variance"], p["cost_performance_index"]) == (-50, cpi)
    assert (p["estimate_at_completion"], p["variance_at_completion"]) == (eac, round(1000 - eac, 2))
    assert p["variance_at_completion"] == -125.0 and p["basis"] == "cost"
    ev = api.get(f"/plans/{pid}/earned-value").json()["data"]  # one set of numbers
    assert (ev["CV"], ev["VAC"]) == (p["cost_variance"], p["variance_at_completion"])


def test_over_allocation_suggestion_fires_on_the_days_the_loading_view_shows(api: httpx.Client) -> None:
    """Ana does two 2-day tasks at once (200% on Mon and Tue) in a 10-day plan: 32 of 80 hours on average
    (40%), but over capacity on 2 days, as the loading view shows; Bo (one task) is not."""
    pid = api.post("/plans", json={"name": "Peaks", "start_date": "2026-11-30"}).json()["data"]["id"]
    ana = api.post(f"/plans/{pid}/resources", json={"name": "Ana"}).json()["data"]
    bo = api.post(f"/plans/{pid}/resources", json={"name": "Bo"}).json()["data"]
    add_task(api, pid, "Front", duration=2, assigned_resources=[ana["id"]])
    add_task(api, pid, "Back", duration=2, assigned_resources=[ana["id"]])
    add_task(api, pid, "Long", duration=10, assigned_resources=[bo["id"]])
    rid = api.post("/retrospectives", json={"title": "Load", "plan_id": pid}).json()["data"]["id"]
    found = api.get(f"/retrospectives/{rid}/improvement-suggestions").json()["data"]["suggestions"]
    over = [x for x in found if x["rule"] == "resource_over_allocated"]
    assert (
        len(over) == 1
        and over[0]["title"] == "Ana is booked beyond capacity on 2 days, up to 200% on 2026-11-30"
    )
    evidence = over[0]["evidence"][0]
    assert evidence["days_over"] == 2 and evidence["peak"]["load"] == 2.0
    loading = {r["name"]: r for r in api.get(f"/plans/{pid}/loading").json()["data"]}
    shown = [
        (p["start"], p["booked_hours"], p["available_hours"]) for p in loading["Ana"]["periods"] if p["over"]
    ]
    assert [(p["start"], p["booked_hours"], p["available_hours"]) for p in evidence["periods"]] == shown
    assert (
        shown == [("2026-11-30", 16.0, 8.0), ("2026-12-01", 16.0, 8.0)]
        and not loading["Bo"]["over_allocated"]
    )


def _finished(name: str, estimate: float, start: str, finish: str, tags: list[str] | None = None):  # noqa: ANN202
    from datetime import datetime

    from prometheus.core.model import Task

    when = datetime.fromisoformat
    return Task(id=name, plan_id="h", name=name, duration=estimate, tags=tags or [], status="completed",
                actual_start=when(start), actual_finish=when(finish))  # fmt: skip


HISTORY = [  # Monday 2 Nov 2026 onwards, 8-hour days
    _finished("Implement login API", 2, "2026-11-02T08:00", "2026-11-04T12:00", ["backend"]),  # 2.5 d: 1.25
    _finished("Implement payment API service", 2, "2026-11-02T08:00", "2026-11-05T17:00", ["backend"]),  # 2
    _finished("Paint office walls", 1, "2026-11-02T08:00", "2026-11-05T17:00"),  # 4 days for 1: ratio 4
    _finished("Order office chairs", 1, "2026-11-02T08:00", "2026-11-02T17:00"),  # ratio 1
]


def test_calibration_weights_precedents_by_similarity_and_ignores_weak_ones() -> None:
    from prometheus.core.estimate import MIN_SIMILARITY, estimate
    from prometheus.core.inputs import EstimateRequest

    history = [(t, None) for t in HISTORY]
    d = estimate(EstimateRequest(name="Implement logout API", tags=["backend"], duration=4), history)
    sims = {p["name"]: p["similarity"] for p in d["precedents"]}
    assert set(sims) == {"Implement login API", "Implement payment API service"}
    assert sims["Implement login API"] > sims["Implement payment API service"] >= MIN_SIMILARITY
    s1, s2 = sims["Implement login API"], sims["Implement payment API service"]
    factor = (s1 * 1.25 + s2 * 2.0) / (s1 + s2)  # closer to the more similar task's 1.25 than 1.625
    assert d["calibration_factor"] == pytest.approx(factor, abs=1e-4) and d["calibration_factor"] < 1.625
    assert d["calibrated_estimate_days"] == round(4 * d["calibration_factor"], 2)
    assert d["proposed_duration_days"] == 2.5  # the weighted median of 2.5 (heavier) and 4 days
    assert (d["use"], d["recommended_duration_days"]) == ("calibrated", d["calibrated_estimate_days"])
    assert "your estimate x" in d["reason"]

    no_size = estimate(EstimateRequest(name="Implement logout API", tags=["backend"]), history)
    assert (no_size["use"], no_size["recommended_duration_days"]) == ("proposed", 2.5)

    # "office" is shared with two tasks, at similarity 0.16: too weak to say anything (they overran 4x
    # and 1x); your own 3 days stand
    weak = estimate(EstimateRequest(name="Prepare office party budget", duration=3), history)
    assert weak["precedents"] == [] and weak["calibration_factor"] is None
    assert weak["calibrated_estimate_days"] is None and weak["proposed_duration_days"] is None
    assert (weak["use"], weak["recommended_duration_days"]) == ("yours", 3)
    nothing = estimate(EstimateRequest(name="Prepare office party budget"), history)
    assert nothing["use"] is None and nothing["recommended_duration_days"] is None
