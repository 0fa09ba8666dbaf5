"""Headless Chromium (Debian's package) through Playwright for the page tests: a tab that refuses every
request to anywhere but the server, and helpers to read the chart against the API."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM and os.environ.get("CI", "").lower() != "true", reason="no Chromium here"
)
# the page talks to the server only through the API: one backend is enough for the browser tests
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
RED, BLUE = (214, 39, 40), (31, 119, 180)  # critical and other bars


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
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
        yield chromium
        chromium.close()


class Visit:
    """A browser tab on the server that refuses every request to anywhere else, and notes failed answers."""

    def __init__(self, browser, server_url: str, width: int = 1600) -> None:  # noqa: ANN001
        self.context = browser.new_context(viewport={"width": width, "height": 1000}, accept_downloads=True)
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []

        def route(r) -> None:  # noqa: ANN001
            if r.request.url.startswith(server_url):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on(
            "response", lambda resp: resp.status >= 400 and self.failed.append(f"{resp.status} {resp.url}")
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def rendered(self) -> str:
        return self.page.evaluate("document.body.dataset.rendered || ''")

    def wait_rendered_after(self, before: str) -> None:
        self.page.wait_for_function(f"(document.body.dataset.rendered || '') !== '{before}'", timeout=15_000)

    def axis_x(self, when: str) -> float:
        """Where the chart's day scale puts a date and time: that day's grid line plus the part of the day."""
        day = self.page.locator(f"#gantt line.day[data-date='{when[:10]}']")
        t = datetime.fromisoformat(when)
        return float(day.get_attribute("x1")) + (t.hour * 60 + t.minute) / 1440 * self.px()

    def px(self) -> float:
        """The day scale's width of a day (it changes with the plan's span)."""
        return float(self.page.get_attribute("#gantt", "data-px-per-day"))

    def bar(self, task_id: str) -> tuple[float, float]:
        rect = self.page.locator(f"#gantt rect.bar[data-id='{task_id}']")
        return float(rect.get_attribute("x")), float(rect.get_attribute("width"))

    def cell(self, task_id: str, column: str) -> str:
        return self.page.locator(f"#gantt text.cell[data-id='{task_id}'][data-col='{column}']").text_content()

    def close(self) -> None:
        assert not self.outside, f"the page asked for outside resources: {self.outside}"
        assert not self.errors, self.errors
        self.context.close()


def timeline(api: httpx.Client, pid: str) -> dict:
    rows = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"]
    return {r["task_id"]: r for r in rows}


def near(a: float, b: float) -> bool:
    return abs(a - b) < 0.6


def colour_at(image, x: float, y: float) -> tuple[int, int, int]:  # noqa: ANN001
    return image.getpixel((round(x), round(y)))


def is_colour(c: tuple[int, int, int], want: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 30 for a, b in zip(c, want, strict=True))
