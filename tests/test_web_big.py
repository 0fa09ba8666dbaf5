"""The Gantt page on a large plan: only the rows in view (and a margin) are drawn, with the API's names and
dates, a scroll draws the rows it brings in, a bar far down can still be dragged and linked to a task
further down than the view (scrolled during the drag), and printing and the PNG
draw every row (headless Chromium, see tests/browser.py)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from PIL import Image

from tests.browser import BLUE, RED, Visit, browser, is_colour, needs_chromium, sqlite_only, timeline

__all__ = ["browser"]  # the fixture

TASKS, HEAD, ROW = 2000, 44, 24


def big_plan(api: httpx.Client) -> tuple[str, list[dict]]:
    """A plan of 2,000 tasks in chains of ten, made through the batch forms of the API."""
    pid = api.post("/plans", json={"name": "Big one", "start_date": "2027-03-01"}).json()["data"]["id"]
    body = [{"name": f"Step {i:04d}", "duration": 1 + i % 5} for i in range(TASKS)]
    made = api.post(f"/plans/{pid}/tasks", json=body)
    assert made.status_code == 201, made.text[:300]
    tasks = made.json()["data"]
    links = [
        {"predecessor_id": tasks[i - 1]["id"], "successor_id": tasks[i]["id"], "type": "FS"}
        for i in range(1, TASKS)
        if i % 10
    ]  # fmt: skip
    assert api.post(f"/plans/{pid}/dependencies", json=links).status_code == 201
    return pid, tasks


def scroll_to_row(page, i: int) -> None:  # noqa: ANN001
    """Scroll the page so that row `i` is near the top of the window."""
    page.evaluate(
        """([y]) => { const main = document.querySelector('main'), svg = document.getElementById('gantt');
        main.scrollTop += svg.getBoundingClientRect().top + y - 120; }""",
        [HEAD + i * ROW],
    )


def drawn(page) -> set[str]:  # noqa: ANN001
    return set(page.evaluate("[...document.querySelectorAll('#gantt g.task')].map((g) => g.dataset.id)"))


def check_rows(visit: Visit, tasks: list[dict], rows: dict, indices: range) -> None:
    """The rows drawn at their place with the API's names and dates, the bar on the row of its name."""
    for i in indices:
        t, r = tasks[i], rows[tasks[i]["id"]]
        assert visit.cell(t["id"], "name") == t["name"]
        dates = (visit.cell(t["id"], "start"), visit.cell(t["id"], "finish"))
        assert dates == (r["start"][:10], r["finish"][:10])
        y = float(visit.page.get_attribute(f"#gantt text.cell[data-id='{t['id']}'][data-col='name']", "y"))
        assert y == HEAD + i * ROW + 16
        assert float(visit.page.get_attribute(f"#gantt rect.bar[data-id='{t['id']}']", "y")) == y - 12


@needs_chromium
@sqlite_only
def test_gantt_page_draws_the_rows_in_view_of_a_large_plan(server, api: httpx.Client, browser) -> None:  # noqa: ANN001
    pid, tasks = big_plan(api)
    rows = timeline(api, pid)
    visit = Visit(browser, server.url)
    page = visit.page
    page.goto(f"{server.url}/?plan={pid}")
    page.wait_for_selector("#gantt rect.bar", timeout=60_000)
    page.wait_for_function("document.getElementById('status').textContent === 'live'")

    # the chart is as tall as every row, but only the first screenful and a margin are drawn
    assert page.get_attribute("#gantt", "data-rows") == str(TASKS)
    assert float(page.get_attribute("#gantt", "height")) == HEAD + TASKS * ROW + 18
    first = drawn(page)
    assert {t["id"] for t in tasks[:35]} <= first and len(first) < 200
    check_rows(visit, tasks, rows, range(35))
    link = f"#gantt path.link[data-from='{tasks[1]['id']}'][data-to='{tasks[2]['id']}']"
    assert page.locator(link).count() == 1

    # scrolling far down draws the rows it brings in (and lets the first ones go), with their links
    scroll_to_row(page, 1500)
    page.wait_for_selector(f"#gantt g.task[data-id='{tasks[1530]['id']}']")
    later = drawn(page)
    assert {t["id"] for t in tasks[1500:1530]} <= later and tasks[0]["id"] not in later and len(later) < 200
    check_rows(visit, tasks, rows, range(1500, 1530))
    link = f"#gantt path.link[data-from='{tasks[1501]['id']}'][data-to='{tasks[1502]['id']}']"
    assert page.locator(link).count() == 1

    # a bar down there is dragged four days later as any other: start no earlier than the day it lands
    task = tasks[1504]  # five days long: room to grab the bar before its resizing end
    box = page.locator(f"#gantt rect.bar[data-id='{task['id']}']").bounding_box()
    px = float(page.get_attribute("#gantt", "data-px-per-day"))
    before = visit.rendered()
    start, end = (box["x"] + 5, box["y"] + 8), (box["x"] + 5 + 4 * px, box["y"] + 8)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, start[1], steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    visit.wait_rendered_after(before)
    landed = date.fromisoformat(rows[task["id"]]["start"][:10]) + timedelta(days=4)
    stored = api.get(f"/plans/{pid}/tasks/{task['id']}").json()["data"]
    assert (stored["constraint_type"], stored["constraint_date"][:19]) == ("SNET", f"{landed}T08:00:00")
    moved = timeline(api, pid)[task["id"]]
    assert moved["start"] > rows[task["id"]]["start"]
    page.wait_for_function(
        f"document.querySelector(\"#gantt text.cell[data-id='{task['id']}'][data-col='start']\")"
        f"?.textContent === '{moved['start'][:10]}'",
        timeout=15_000,
    )
    assert task["id"] in drawn(page) and tasks[0]["id"] not in drawn(page)  # the view stayed where it was

    # a link drawn from a bar down there to a task 150 rows further: the wheel scrolls meanwhile, and the
    # rows it brings in are drawn (a drop needs its target drawn)
    source, target = tasks[1505], tasks[1655]
    handle = page.locator(f"#gantt circle.handle[data-id='{source['id']}']").bounding_box()
    page.mouse.move(handle["x"] + 4, handle["y"] + 4)
    page.mouse.down()
    page.mouse.move(handle["x"] + 40, handle["y"] + 30, steps=3)
    top = page.evaluate("document.querySelector('main').scrollTop")
    edge = page.evaluate("document.querySelector('main').getBoundingClientRect().bottom") - 5
    for k in range(4):  # held near the view's bottom edge, the drag scrolls it
        page.mouse.move(handle["x"] + 40 + k, edge)
    assert page.evaluate("document.querySelector('main').scrollTop") > top
    for _ in range(3):
        page.mouse.wheel(0, 50 * ROW)
        page.wait_for_timeout(100)
    bar = page.locator(f"#gantt rect.bar[data-id='{target['id']}']")
    bar.wait_for(timeout=15_000)
    box = bar.bounding_box()
    before = visit.rendered()
    page.mouse.move(box["x"] + 2, box["y"] + 6, steps=4)
    page.mouse.up()
    visit.wait_rendered_after(before)
    made = api.get(f"/plans/{pid}/dependencies").json()["data"]
    assert any(d["predecessor_id"] == source["id"] and d["successor_id"] == target["id"] for d in made)

    # printing draws every row (and the rows in view again after); the PNG has every row down to the last
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert len(drawn(page)) == TASKS
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert target["id"] in drawn(page) and len(drawn(page)) < 200
    with page.expect_download() as download:
        page.click("#png")
    image = Image.open(download.value.path()).convert("RGB")
    assert image.height == 32000  # a canvas side's limit: 48,062 units scaled down
    bottom = image.crop((0, image.height - 300, image.width, image.height)).getcolors(maxcolors=1 << 22)
    assert sum(n for n, c in bottom if is_colour(c, RED) or is_colour(c, BLUE)) > 500
    visit.close()
