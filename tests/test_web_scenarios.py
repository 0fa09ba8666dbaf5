"""What-if scenarios on the Gantt page: the picker, an edit that goes to the scenario and not to the plan, the
side-by-side compare against the API's numbers, and promotion (headless Chromium, see tests/browser.py)."""

from __future__ import annotations

from datetime import datetime

import httpx

from tests.browser import Visit, browser, near, needs_chromium, sqlite_only
from tests.conftest import add_task, link

__all__ = ["browser"]  # the fixture


def minute(iso: str) -> str:
    """A date as the page writes it (isoMinute)."""
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def chart_x(page, svg: str, when: str) -> float:  # noqa: ANN001
    """Where a chart's own day scale puts a date (its origin, pixels per day and table width)."""
    origin = datetime.fromisoformat(page.get_attribute(svg, "data-origin"))
    days = (datetime.fromisoformat(when) - origin).total_seconds() / 86400
    return float(page.get_attribute(svg, "data-left")) + days * float(
        page.get_attribute(svg, "data-px-per-day")
    )


@needs_chromium
@sqlite_only
def test_scenario_picker_edit_compare_and_promote(server, api: httpx.Client, browser) -> None:  # noqa: ANN001
    pid = api.post("/plans", json={"name": "What if here", "start_date": "2027-03-01"}).json()["data"]["id"]
    design = add_task(api, pid, "Design", duration=3)
    docs = add_task(api, pid, "Docs", duration=2)
    link(api, pid, design["id"], docs["id"])
    visit = Visit(browser, server.url)
    page = visit.page
    page.on("dialog", lambda d: d.accept("Longer docs") if d.type == "prompt" else d.accept())
    page.goto(f"{server.url}/?plan={pid}")
    page.wait_for_selector("#gantt rect.bar")
    page.wait_for_function("document.getElementById('status').textContent === 'live'")
    assert page.locator("#compare").is_disabled()

    # + Scenario opens one and picks it; the editor's change goes to the scenario
    before = visit.rendered()
    page.click("#new-scenario")
    page.wait_for_function("document.getElementById('scenario').value !== ''")
    visit.wait_rendered_after(before)
    sid = page.locator("#scenario").input_value()
    assert api.get(f"/plans/{pid}/scenarios/{sid}").json()["data"]["name"] == "Longer docs"
    # the scenario's render may come after one of the plan's (a live event): wait for it, not the first
    page.wait_for_function(
        "document.getElementById('subtitle').textContent.includes('scenario: Longer docs')"
    )
    page.locator(f"#gantt text.cell[data-id='{docs['id']}'][data-col='name']").click()
    page.wait_for_selector("#editor[open]")
    assert not page.locator(
        "#editor-form input[name=percent_complete]"
    ).is_visible()  # no progress in a scenario
    page.fill("#editor-form input[name=duration]", "6")
    page.click("#save")
    cell = f"document.querySelector(\"#gantt text.cell[data-id='{docs['id']}'][data-col='duration']\")"
    cell += "?.textContent"
    page.wait_for_function(f"{cell} === '6 d'", timeout=15_000)
    assert (
        api.get(f"/plans/{pid}/tasks/{docs['id']}").json()["data"]["duration"] == 2
    )  # the plan is untouched
    scen = {
        t["task_id"]: t for t in api.get(f"/plans/{pid}/scenarios/{sid}/timeline").json()["data"]["tasks"]
    }
    x, width = visit.bar(docs["id"])
    assert near(x + width, visit.axis_x(scen[docs["id"]]["finish"]))

    # Compare: the API's figures, and the two charts side by side on one day scale
    page.click("#compare")
    page.wait_for_function("document.body.dataset.compared")
    cmp = api.get(f"/plans/{pid}/scenarios/{sid}/compare").json()["data"]
    row = lambda name: page.locator(f"#compare-summary tr[data-row='{name}'] td").all_inner_texts()  # noqa: E731
    assert row("Finish")[1:3] == [
        minute(cmp["base"]["project_finish"]),
        minute(cmp["scenario"]["project_finish"]),
    ]
    assert row("Finish")[3] == f"+{cmp['difference']['finish_shift_hours']:g} h"
    assert row("Working days")[1:] == ["5", "9", "+4"]
    assert row("Critical path")[1:3] == ["Design → Docs", "Design → Docs"]
    moved = page.locator("#compare-tasks tr[data-id]")
    assert moved.count() == cmp["difference"]["tasks_moved"] == 1
    assert moved.first.get_attribute("data-id") == docs["id"]
    for attr in ("data-origin", "data-px-per-day"):
        assert page.get_attribute("#gantt-base", attr) == page.get_attribute("#gantt-scenario", attr)
    base_bar = page.locator(f"#gantt-base rect.bar[data-id='{docs['id']}']")
    scen_bar = page.locator(f"#gantt-scenario rect.bar[data-id='{docs['id']}']")
    plan_tl = {t["task_id"]: t for t in api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]}
    for bar, chart, when in ((base_bar, "#gantt-base", plan_tl), (scen_bar, "#gantt-scenario", scen)):
        end = float(bar.get_attribute("x")) + float(bar.get_attribute("width"))
        assert near(end, chart_x(page, chart, when[docs["id"]]["finish"]))
    assert page.locator(f"#gantt-scenario g.task.moved[data-id='{docs['id']}']").count() == 1

    # Promote: the plan takes the change, the picker is back on the plan, the scenario is gone
    page.click("#promote")
    page.wait_for_function("document.getElementById('message').textContent.startsWith('promoted')")
    assert page.locator("#message").inner_text() == "promoted: 1 changes applied to the plan"
    assert page.locator("#scenario").input_value() == ""
    assert api.get(f"/plans/{pid}/tasks/{docs['id']}").json()["data"]["duration"] == 6
    assert api.get(f"/plans/{pid}/scenarios").json()["data"] == []
    page.wait_for_function("!document.getElementById('subtitle').textContent.includes('scenario:')")
    page.wait_for_function(f"{cell} === '6 d'", timeout=15_000)  # the plan's own chart now
    assert page.locator("#compare").is_disabled() and page.locator("#compare-view").is_hidden()
    assert not visit.failed, visit.failed
    visit.close()
