"""The live page, its WebSocket and the API documentation: a real server and a real browser (headless Chromium
through Playwright) that refuses every request to anywhere but the server: the page and /docs work offline."""

from __future__ import annotations

import io
import json
import os
from datetime import date, timedelta

import httpx
from websockets.sync.client import connect

from tests.browser import (
    BLUE,
    RED,
    Visit,
    browser,
    colour_at,
    is_colour,
    near,
    needs_chromium,
    sqlite_only,
    timeline,
)
from tests.conftest import Server, add_task, link

__all__ = ["browser"]  # the fixture


def test_websocket_announces_changes_to_subscribers(server, plan: dict) -> None:  # noqa: ANN001
    url = server.url.replace("http", "ws") + "/ws"

    def reply(ws) -> dict:  # noqa: ANN001
        """The next answer to our own message (events of the plan's creation may come in between)."""
        while True:
            msg = json.loads(ws.recv(timeout=5))
            if "event_id" not in msg:
                return msg

    with connect(url) as ws:
        ws.send(json.dumps({"action": "subscribe", "plan_id": plan["id"]}))
        assert reply(ws) == {"type": "subscribed", "plan_id": plan["id"]}
        ws.send(json.dumps({"action": "ping"}))
        assert reply(ws) == {"type": "pong"}
        ws.send("not json")
        assert reply(ws)["type"] == "error"
        with httpx.Client(base_url=server.url) as api:
            api.post(f"/api/plans/{plan['id']}/tasks", json={"name": "seen live"})
            api.post(f"/api/plans/{plan['id']}/tasks", json={"name": ""})  # refused: no event
            api.patch(f"/api/plans/{plan['id']}", json={"description": "changed"})
        events: list[dict] = []
        while len(events) < 2:  # the plan's own creation may still arrive first: it is older
            e = json.loads(ws.recv(timeout=5))
            if e["type"] != "prometheus.plan.created":
                events.append(e)
    assert [(e["type"], e["plan_id"]) for e in events] == [
        ("prometheus.task.created", plan["id"]),
        ("prometheus.plan.updated", plan["id"]),
    ]
    assert events[0]["data"]["name"] == "seen live" and events[0]["event_id"] < events[1]["event_id"]


@needs_chromium
@sqlite_only
def test_gantt_page_shows_the_schedule_where_the_api_says(server, api: httpx.Client, browser) -> None:  # noqa: ANN001
    from PIL import Image

    monday = date.today() - timedelta(days=date.today().weekday())
    holiday = monday + timedelta(days=9)  # Wednesday of the second week
    body = {
        "name": "Gantt demo",
        "start_date": monday.isoformat(),
        "calendar": {"holidays": [holiday.isoformat()]},
    }
    pid = api.post("/plans", json=body).json()["data"]["id"]
    twin = api.post("/plans", json={"name": "Gantt demo", "start_date": "2027-01-04"}).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev"}).json()["data"]
    phase = add_task(api, pid, "Phase 1")
    design = add_task(api, pid, "Design", duration=3, parent_id=phase["id"], assigned_resources=[dev["id"]])
    build = add_task(api, pid, "Build", duration=5, parent_id=phase["id"], assigned_resources=[dev["id"]])
    docs = add_task(api, pid, "Docs", duration=2, assignments=[{"resource_id": dev["id"], "units": 1}])
    ship = add_task(api, pid, "Ship", milestone=True)
    for a, b in ((design, build), (build, ship), (design, docs)):
        link(api, pid, a["id"], b["id"])
    half = {"percent_complete": 50, "actual_start": f"{monday}T08:00:00"}
    api.put(f"/plans/{pid}/tasks/{design['id']}/progress", json=half)
    rows = timeline(api, pid)

    visit = Visit(browser, server.url)
    page = visit.page
    page.goto(f"{server.url}/?plan={pid}")
    page.wait_for_selector("#gantt rect.bar")
    page.wait_for_function("document.getElementById('status').textContent === 'live'")
    assert page.locator("#gantt rect.bar").count() == 3  # Design, Build, Docs
    assert page.locator("#gantt rect.bar.critical").count() == 2  # Design, Build
    assert page.locator("#gantt path.summarybar").count() == 1
    assert page.locator("#gantt path.milestone.critical").count() == 1
    assert page.locator("#gantt path.link").count() == 3
    assert page.locator("#gantt rect.progress").count() == 1
    assert page.locator("#histogram rect.load").count() > 0
    assert "Design → Build → Ship" in page.locator("#critical").inner_text()

    # each bar spans its API dates on the axis; the table and the tooltip say the same dates and slack
    for t in (design, build, docs):
        r = rows[t["id"]]
        x, width = visit.bar(t["id"])
        assert near(x, visit.axis_x(r["start"])), (t["name"], x, r["start"])
        assert near(x + width, visit.axis_x(r["finish"])), (t["name"], x + width, r["finish"])
        assert visit.cell(t["id"], "start") == r["start"][:10]
        assert visit.cell(t["id"], "finish") == r["finish"][:10]
        assert visit.cell(t["id"], "slack") == f"{r['total_slack_days']:g} d"
        tip = page.get_attribute(f"#gantt g.task[data-id='{t['id']}']", "aria-label")
        assert f"Start: {r['start'][:16].replace('T', ' ')}" in tip
        assert f"Finish: {r['finish'][:16].replace('T', ' ')}" in tip
        assert f"Total slack: {r['total_slack_days']:g} d" in tip
    assert visit.cell(design["id"], "duration") == "3 d" and visit.cell(design["id"], "complete") == "50"
    assert rows[docs["id"]]["total_slack_days"] > 0 and visit.cell(docs["id"], "slack") != "0 d"
    diamond = page.locator(f"#gantt path.milestone[data-id='{ship['id']}']")
    assert near(float(diamond.get_attribute("data-x")), visit.axis_x(rows[ship["id"]]["finish"]))

    # the year on the axis, the calendar's weekends and holiday shaded, today marked
    months = page.locator("#gantt text.month").all_text_contents()
    assert f"{monday:%B %Y}" in months
    shaded = {
        n.get_attribute("data-date"): n.get_attribute("class")
        for n in page.locator("#gantt rect.nonworking").all()
    }  # fmt: skip
    assert shaded[(monday + timedelta(days=5)).isoformat()] == "nonworking"  # Saturday
    assert shaded[holiday.isoformat()] == "nonworking holiday"
    assert all(date.fromisoformat(d).weekday() >= 5 or d == holiday.isoformat() for d in shaded)
    today = page.locator("#gantt line.today")
    assert today.get_attribute("data-date") == date.today().isoformat()
    assert (
        visit.axis_x(f"{date.today()}T00:00")
        <= float(today.get_attribute("x1"))
        <= visit.axis_x(f"{date.today()}T23:59")
    )

    # plans of the same name are told apart; the favicon is there; nothing failed or left the machine
    entries = {li.get_attribute("data-id"): li.inner_text() for li in page.locator("#plans li").all()}
    assert entries[pid].startswith("Gantt demo") and entries[twin].startswith("Gantt demo")
    assert entries[pid] != entries[twin] and pid[:8] in entries[pid] and "2027-01-04" in entries[twin]
    assert page.locator("#plans li.active").get_attribute("data-id") == pid
    icon = httpx.get(server.url + "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/web/favicon.svg"
    assert not visit.failed, visit.failed

    # what the screenshot shows: red critical bars, the blue one, nothing before a bar's start
    image = Image.open(io.BytesIO(page.locator("#gantt").screenshot())).convert("RGB")
    px = visit.px()
    for t in (design, build, docs):
        x, width = visit.bar(t["id"])
        y = float(page.locator(f"#gantt rect.bar[data-id='{t['id']}']").get_attribute("y")) + 4
        want = RED if rows[t["id"]]["critical"] else BLUE
        assert is_colour(colour_at(image, x + width * 0.75, y), want), (t["name"], colour_at(image, x, y))
        before = colour_at(image, x - px / 2, y)
        assert not is_colour(before, RED) and not is_colour(before, BLUE), (t["name"], before)
    if os.environ.get("PROMETHEUS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["PROMETHEUS_SCREENSHOTS"], "page.png"), full_page=True)

    # a change made elsewhere shows up without a reload
    before = visit.rendered()
    add_task(api, pid, "Late addition", duration=1)
    visit.wait_rendered_after(before)
    page.wait_for_function("document.querySelectorAll('#gantt rect.bar').length === 4", timeout=10_000)
    visit.close()


@needs_chromium
def test_gantt_page_asks_for_a_token_when_auth_is_on(browser, make_database_url, tmp_path) -> None:  # noqa: ANN001
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env={"PROMETHEUS_API_TOKENS": "tok-w:write"})
    srv.start()
    try:
        headers = {"Authorization": "Bearer tok-w"}
        with httpx.Client(base_url=srv.url + "/api", headers=headers) as api:
            pid = api.post("/plans", json={"name": "Guarded", "start_date": "2027-03-01"}).json()["data"][
                "id"
            ]
            task = add_task(api, pid, "Only task", duration=2)
            visit = Visit(browser, srv.url)
            page = visit.page
            asked: list[str] = []
            page.on("dialog", lambda d: (asked.append(d.message), d.accept("tok-w")))
            page.goto(f"{srv.url}/?plan={pid}")
            page.wait_for_selector("#gantt rect.bar")
            page.wait_for_function("document.getElementById('status').textContent === 'live'")
            assert asked == ["Prometheus API token"]
            page.locator(f"#gantt text.cell[data-id='{task['id']}'][data-col='name']").click()
            page.fill("#editor-form input[name=name]", "Renamed with a token")
            page.click("#save")
            page.wait_for_function(
                f"document.querySelector(\"#gantt text.cell[data-id='{task['id']}'][data-col='name']\")"
                "?.textContent === 'Renamed with a token'",
                timeout=15_000,
            )
            assert (
                api.get(f"/plans/{pid}/tasks/{task['id']}").json()["data"]["name"] == "Renamed with a token"
            )
            # only the API's first answers asked for the token: the page, its assets and the icon are open
            assert all("/api/" in f for f in visit.failed) and all(f.startswith("401") for f in visit.failed)
            visit.close()
    finally:
        srv.stop()


@needs_chromium
@sqlite_only
def test_api_docs_render_offline(server, browser) -> None:  # noqa: ANN001
    visit = Visit(browser, server.url)
    page = visit.page
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Prometheus")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 50
    page.locator(".swagger-ui .opblock-summary-path", has_text="/api/plans/{plan_id}/critical-path").click()
    page.get_by_role("button", name="Try it out").click()
    page.fill("input[placeholder='plan_id']", "no-such-plan")
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".swagger-ui .responses-table .response-col_status:has-text('404')")
    assert visit.failed == [f"404 {server.url}/api/plans/no-such-plan/critical-path"]  # tried out: answered
    visit.close()
