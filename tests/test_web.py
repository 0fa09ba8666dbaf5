"""The live page and its WebSocket: real server, real browser (headless Chromium through Playwright)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil

import httpx
import pytest
import websockets

from tests.conftest import add_task, link

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_websocket_announces_changes_to_subscribers(server, plan: dict) -> None:  # noqa: ANN001
    url = server.url.replace("http", "ws") + "/ws"

    async def reply(ws) -> dict:  # noqa: ANN001
        """The next answer to our own message (events of the plan's creation may come in between)."""
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if "event_id" not in msg:
                return msg

    async def run() -> list[dict]:
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"action": "subscribe", "plan_id": plan["id"]}))
            assert await reply(ws) == {"type": "subscribed", "plan_id": plan["id"]}
            await ws.send(json.dumps({"action": "ping"}))
            assert await reply(ws) == {"type": "pong"}
            await ws.send("not json")
            assert (await reply(ws))["type"] == "error"
            async with httpx.AsyncClient(base_url=server.url) as api:
                await api.post(f"/api/plans/{plan['id']}/tasks", json={"name": "seen live"})
                await api.post(f"/api/plans/{plan['id']}/tasks", json={"name": ""})  # refused: no event
                await api.patch(f"/api/plans/{plan['id']}", json={"description": "changed"})
            seen: list[dict] = []
            while len(seen) < 2:  # the plan's own creation may still arrive first: it is older
                e = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if e["type"] != "prometheus.plan.created":
                    seen.append(e)
            return seen

    events = asyncio.run(run())
    assert [(e["type"], e["plan_id"]) for e in events] == [
        ("prometheus.task.created", plan["id"]),
        ("prometheus.plan.updated", plan["id"]),
    ]
    assert events[0]["data"]["name"] == "seen live" and events[0]["event_id"] < events[1]["event_id"]


@pytest.mark.skipif(not CHROMIUM and os.environ.get("CI", "").lower() != "true", reason="no Chromium here")
def test_gantt_page_renders_the_schedule_and_follows_changes(server, api: httpx.Client, tmp_path) -> None:  # noqa: ANN001
    from PIL import Image
    from playwright.sync_api import sync_playwright

    pid = api.post("/plans", json={"name": "Gantt demo", "start_date": "2026-11-30"}).json()["data"]["id"]
    dev = api.post(f"/plans/{pid}/resources", json={"name": "Dev"}).json()["data"]
    phase = add_task(api, pid, "Phase 1")
    design = add_task(api, pid, "Design", duration=3, parent_id=phase["id"], assigned_resources=[dev["id"]])
    build = add_task(api, pid, "Build", duration=5, parent_id=phase["id"], assigned_resources=[dev["id"]])
    docs = add_task(api, pid, "Docs", duration=2, assignments=[{"resource_id": dev["id"], "units": 1}])
    ship = add_task(api, pid, "Ship", milestone=True)
    for a, b in ((design, build), (build, ship), (design, docs)):
        link(api, pid, a["id"], b["id"])
    half = {"percent_complete": 50, "actual_start": "2026-11-30T08:00:00"}
    api.put(f"/plans/{pid}/tasks/{design['id']}/progress", json=half)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM or "/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],  # fmt: skip
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server.url}/?plan={pid}")
        page.wait_for_selector("#gantt rect.bar")
        page.wait_for_function("document.getElementById('status').textContent === 'live'")
        assert page.locator("#gantt rect.bar").count() == 3  # Design, Build, Docs
        assert page.locator("#gantt rect.bar.critical").count() == 2  # Design, Build
        assert page.locator("#gantt rect.summary").count() == 1
        assert page.locator("#gantt path.milestone.critical").count() == 1
        assert page.locator("#gantt path.link").count() == 3
        assert page.locator("#gantt rect.progress").count() == 1
        assert page.locator("#histogram rect.load").count() > 0
        assert "Design → Build → Ship" in page.locator("#critical").inner_text()
        assert page.locator("#plans li.active").inner_text().startswith("Gantt demo")

        shot = tmp_path / "gantt.png"
        page.locator("#gantt").screenshot(path=str(shot))
        if os.environ.get("PROMETHEUS_SCREENSHOTS"):
            page.screenshot(
                path=os.path.join(os.environ["PROMETHEUS_SCREENSHOTS"], "page.png"), full_page=True
            )
        image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
        colours = image.getcolors(maxcolors=1 << 20)
        red = sum(n for n, (r, g, b) in colours if r > 200 and g < 70 and b < 70)  # critical bars
        blue = sum(n for n, (r, g, b) in colours if r < 60 and 100 < g < 140 and b > 160)  # the other bar
        assert red > 2000 and blue > 500, (red, blue)

        # a change made elsewhere shows up without a reload
        rendered = page.evaluate("document.body.dataset.rendered")
        add_task(api, pid, "Late addition", duration=1)
        page.wait_for_function(f"document.body.dataset.rendered !== '{rendered}'", timeout=10_000)
        page.wait_for_function("document.querySelectorAll('#gantt rect.bar').length === 4", timeout=10_000)
        browser.close()
