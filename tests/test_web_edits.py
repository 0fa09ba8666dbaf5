"""Changing a plan from the Gantt page: the editor, dragging bars, linking, the PNG and print exports, each
through the REST API and shown by the live update (headless Chromium, see tests/browser.py)."""

from __future__ import annotations

import httpx
from PIL import Image

from tests.browser import BLUE, RED, Visit, browser, is_colour, near, needs_chromium, sqlite_only, timeline
from tests.conftest import add_task, link

__all__ = ["browser"]  # the fixture


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:  # noqa: ANN001
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


@needs_chromium
@sqlite_only
def test_gantt_page_edits_drags_links_and_exports(server, api: httpx.Client, browser) -> None:  # noqa: ANN001

    pid = api.post("/plans", json={"name": "Edited here", "start_date": "2027-03-01"}).json()["data"]["id"]
    design = add_task(api, pid, "Design", duration=3)
    build = add_task(api, pid, "Build", duration=5)
    docs = add_task(api, pid, "Docs", duration=2)
    link(api, pid, design["id"], docs["id"])
    visit = Visit(browser, server.url)
    page = visit.page
    page.goto(f"{server.url}/?plan={pid}")
    page.wait_for_selector("#gantt rect.bar")
    page.wait_for_function("document.getElementById('status').textContent === 'live'")

    # dragging a bar four days later sets a start-no-earlier-than on the day it lands (Thursday -> Monday)
    assert timeline(api, pid)[docs["id"]]["start"] == "2027-03-04T08:00:00"
    x, _ = visit.bar(docs["id"])
    box = page.locator(f"#gantt rect.bar[data-id='{docs['id']}']").bounding_box()
    before = visit.rendered()
    drag(page, (box["x"] + 5, box["y"] + 8), (box["x"] + 5 + 4 * visit.px(), box["y"] + 8))
    visit.wait_rendered_after(before)
    stored = api.get(f"/plans/{pid}/tasks/{docs['id']}").json()["data"]
    assert (stored["constraint_type"], stored["constraint_date"][:19]) == ("SNET", "2027-03-08T08:00:00")
    assert timeline(api, pid)[docs["id"]]["start"] == "2027-03-08T08:00:00"
    page.wait_for_function(
        f"Math.abs(document.querySelector(\"#gantt rect.bar[data-id='{docs['id']}']\").getAttribute('x')"
        f" - {visit.axis_x('2027-03-08T08:00')}) < 0.6",
        timeout=10_000,
    )

    # dragging its right end one day further makes it a day longer
    box = page.locator(f"#gantt rect.bar[data-id='{docs['id']}']").bounding_box()
    before = visit.rendered()
    drag(
        page,
        (box["x"] + box["width"] - 2, box["y"] + 8),
        (box["x"] + box["width"] - 2 + visit.px(), box["y"] + 8),
    )
    visit.wait_rendered_after(before)
    assert api.get(f"/plans/{pid}/tasks/{docs['id']}").json()["data"]["duration"] == 3
    r = timeline(api, pid)[docs["id"]]
    assert r["finish"] == "2027-03-10T17:00:00"
    end = visit.axis_x(r["finish"])
    page.wait_for_function(
        f"(() => {{ const b = document.querySelector(\"#gantt rect.bar[data-id='{docs['id']}']\");"
        f" return Math.abs(+b.getAttribute('x') + +b.getAttribute('width') - {end}) < 0.6; }})()",
        timeout=10_000,
    )

    # dragging from the circle after Design onto Build links them: Build now waits for Design
    handle = page.locator(f"#gantt circle.handle[data-id='{design['id']}']")
    page.hover(f"#gantt rect.bar[data-id='{design['id']}']")
    hb = handle.bounding_box()
    target = page.locator(f"#gantt rect.bar[data-id='{build['id']}']").bounding_box()
    before = visit.rendered()
    drag(page, (hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2), (target["x"] + 20, target["y"] + 8))
    visit.wait_rendered_after(before)
    links = api.get(f"/plans/{pid}/dependencies").json()["data"]
    assert {(d["predecessor_id"], d["successor_id"], d["type"]) for d in links} == {
        (design["id"], docs["id"], "FS"),
        (design["id"], build["id"], "FS"),
    }
    assert timeline(api, pid)[build["id"]]["start"] == "2027-03-04T08:00:00"
    page.wait_for_selector(f"#gantt path.link[data-from='{design['id']}'][data-to='{build['id']}']")
    assert near(visit.bar(build["id"])[0], visit.axis_x("2027-03-04T08:00"))
    assert "linked 'Design' → 'Build'" in page.locator("#message").inner_text()

    # the editor: name, duration and % complete, through the API, shown after the live update
    page.locator(f"#gantt text.cell[data-id='{build['id']}'][data-col='name']").click()
    page.wait_for_selector("#editor[open]")
    page.fill("#editor-form input[name=name]", "Build it")
    page.fill("#editor-form input[name=duration]", "7")
    page.fill("#editor-form input[name=percent_complete]", "40")
    page.click("#save")
    cell = f"document.querySelector(\"#gantt text.cell[data-id='{build['id']}'][data-col=%r]\")?.textContent"
    page.wait_for_function(f"{cell % 'duration'} === '7 d' && {cell % 'complete'} === '40'", timeout=15_000)
    stored = api.get(f"/plans/{pid}/tasks/{build['id']}").json()["data"]
    assert (stored["name"], stored["duration"], stored["percent_complete"]) == ("Build it", 7, 40)
    assert stored["actual_start"][:19] == "2027-03-04T08:00:00"  # reported without dates: the scheduled start
    assert visit.cell(build["id"], "name") == "Build it" and visit.cell(build["id"], "complete") == "40"
    r = timeline(api, pid)[build["id"]]
    x, width = visit.bar(build["id"])
    assert near(x + width, visit.axis_x(r["finish"])) and page.locator("#gantt rect.progress").count() == 1

    # a link that would close a cycle is refused with the API's message, and nothing changes
    handle = page.locator(f"#gantt circle.handle[data-id='{build['id']}']")
    page.hover(f"#gantt rect.bar[data-id='{build['id']}']")
    hb = handle.bounding_box()
    target = page.locator(f"#gantt rect.bar[data-id='{design['id']}']").bounding_box()
    drag(page, (hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2), (target["x"] + 10, target["y"] + 8))
    page.wait_for_function("document.getElementById('message').className === 'error'", timeout=10_000)
    assert "cycle" in page.locator("#message").inner_text()
    assert len(api.get(f"/plans/{pid}/dependencies").json()["data"]) == 2

    # Download PNG: the chart as an image, twice its size, with the critical and the other bars in it
    with page.expect_download() as download:
        page.click("#png")
    assert download.value.suggested_filename == "Edited_here.png"
    image = Image.open(download.value.path()).convert("RGB")
    width, height = (float(page.get_attribute("#gantt", k)) for k in ("width", "height"))
    assert image.size == (round(width * 2), round(height * 2))
    colours = image.getcolors(maxcolors=1 << 22)
    assert sum(n for n, c in colours if is_colour(c, RED)) > 2000
    assert sum(n for n, c in colours if is_colour(c, BLUE)) > 500

    # printing shows the chart alone, fitted to the page
    page.emulate_media(media="print")
    assert not page.locator("aside").is_visible() and not page.locator(".toolbar").is_visible()
    assert page.locator("#gantt").bounding_box()["width"] <= 1600
    assert [f.split()[0] for f in visit.failed] == ["409"], visit.failed  # only the refused link
    visit.close()
