"""What any input may hold: dates within a range, text without NUL or lone surrogates, finite and bounded
numbers, bounded free-form JSON, amounts and lists within bounds, and the size of one plan. The inputs
(`inputs.py`) and the portable document (`documents.py`) apply them to every input, whatever the transport
or format."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field

MAX_PLAN_TASKS, MAX_PLAN_LINKS, MAX_PLAN_RESOURCES = 50_000, 200_000, 10_000  # one plan's size
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200  # dates accepted from clients: the range the calendars cover
MAX_METADATA_BYTES = 65_536  # `metadata` as JSON
MAX_JSON_DEPTH = 32  # nesting of free-form JSON (`metadata`)
MAX_AMOUNT = 1_000_000  # a duration, lag or leveling delay, in its unit
MAX_WORK_HOURS = 10_000_000  # the work of a task or an assignment, and an assignment's delay, in hours
MAX_TEXT = 20_000  # a description or notes, in characters
MAX_TAGS = 100  # tags of a plan or a task, skills a task requires
MAX_SKILLS = 200  # skills of a resource
MAX_PER_TASK = 1_000  # assignments, and splits, of one task
MAX_ID = 200  # an id or name a client passes to refer to something (a plan, a step, a peer's project)
# working periods of one day of a calendar (Microsoft Project has 5): the calendar's tables hold this many a
# day over the plan's span (720 one-minute periods took 2.4 GB over 200 years)
MAX_PERIODS_PER_DAY = 24
MIN_UNIT_HOURS = 1 / 60  # a calendar's `hours_per_day` and `hours_per_week`: at least a minute

Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]  # a duration or leveling delay
Lag = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
WorkHours = Annotated[float, Field(ge=0, le=MAX_WORK_HOURS)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Tags = Annotated[list[str], Field(max_length=MAX_TAGS)]
Skills = Annotated[list[str], Field(max_length=MAX_SKILLS)]
# a cost or a cost rate, in the plan's currency: far beyond any real one, and small enough that the sums
# over a whole plan (rates times hours, over every task) stay finite
MAX_MONEY = 1_000_000_000_000


def check_json(value: Any, where: str, depth: int = 0) -> None:
    """Free-form JSON: not too deep, text as `check_text` wants it, no infinite or NaN number."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{where} is nested too deep (at most {MAX_JSON_DEPTH} levels)")
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} holds {value}: numbers must be finite")
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(str(k), where)
            check_json(v, where, depth + 1)
    elif isinstance(value, list):
        for v in value:
            check_json(v, where, depth + 1)


def check_text(value: str, where: str) -> None:
    """No NUL (PostgreSQL cannot store it), no lone surrogate U+D800..U+DFFF (`"\\ud800"` in JSON: not
    text, and no answer could write it as UTF-8)."""
    if "\x00" in value:
        raise ValueError(f"{where} holds a NUL character (\\u0000), which no field may hold")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{where} holds a lone surrogate (\\ud800..\\udfff), which is not a character"
            ) from None


def check_year(value: date, where: str) -> None:
    """A date a client sends lies in the years EARLIEST_YEAR..LATEST_YEAR (body, query or file)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"{where} {value.isoformat()} is outside the years {EARLIEST_YEAR}..{LATEST_YEAR}")


def webhook_url(url: str) -> str:
    """An absolute http(s) URL with a host and a valid port (where it may go is checked on resolution)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a webhook URL must be http:// or https:// with a host")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url) or port == 0:
        raise ValueError("a webhook URL may not hold spaces or control characters, nor port 0")
    return url
