"""Values as Microsoft Project XML (MSPDI) writes them: its namespace, elements, date-times and durations."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta

import numpy as np
from lxml import etree

from prometheus.errors import ValidationFailed

NS = "http://schemas.microsoft.com/project"
_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(r"^-?PT(\d+(?:\.\d+)?)H(\d+(?:\.\d+)?)M(\d+(?:\.\d+)?)S$")  # what Project writes
# any ISO 8601 duration (files other programs write: PT8H, P2D, P1W, P1DT4H30M)
_ISO_DURATION = re.compile(
    rf"^-?P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$"
)
# the duration unit of each DurationFormat, LagFormat and LevelingDelayFormat code (e: elapsed); months
# are read as days, the estimated formats (+32) as theirs
_UNITS = {3: "hours", 4: "ehours", 5: "hours", 6: "ehours", 7: "days", 8: "edays", 9: "weeks", 10: "eweeks"}
UNIT_OF_FORMAT = _UNITS | {11: "days", 12: "edays"} | {k + 32: v for k, v in _UNITS.items()}
NAME_LENGTH = 255  # the most characters a project's Name holds
# the codes of MSPDI's fields
CONSTRAINT = {"ASAP": 0, "ALAP": 1, "MSO": 2, "MFO": 3, "SNET": 4, "SNLT": 5, "FNET": 6, "FNLT": 7}
LINK = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
FORMAT = {"hours": 5, "days": 7, "weeks": 9, "ehours": 6, "edays": 8, "eweeks": 10}
TASK_TYPE = {"fixed_units": 0, "fixed_duration": 1, "fixed_work": 2}
PRIORITY = {"low": 300, "medium": 500, "high": 700, "critical": 900}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # XML 1.0 cannot hold these


_SPECIAL = re.compile(f"[&<>\r{_NOT_XML.pattern[1:-1]}]")  # what a text cannot hold as it is
_INDENT = ["  " * depth for depth in range(64)]


def escaped(text: str) -> str:
    """A text as XML content, as lxml writes it: &, < and > as entities, a carriage return as &#13; (a
    parser would read it as a line feed), the characters XML 1.0 cannot hold left out."""
    if _SPECIAL.search(text) is None:
        return text
    text = _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")


def _leaves(indent: str, texts: dict[str, object | None]) -> str:
    """Elements of text alone, their texts by tag in their order (None: no such element)."""
    return "".join(
        [
            f"{indent}<{tag}>{escaped(v) if type(v) is str else v!s}</{tag}>\n"
            for tag, v in texts.items()
            if v is not None
        ]
    )


class XmlOut:
    """An MSPDI file written as text, element after element in the file's order, byte for byte as lxml
    pretty-prints the same tree (two spaces a level; an element without text or children as <Tag/>).
    `sub(parent, tag, text)` adds an element to the element `parent` (0: the root), as lxml's SubElement
    would, and gives the new element; an element is complete once one is added to a parent above it."""

    def __init__(self, root: str):
        self._parts = [
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n",
            f'<{root} xmlns="{NS}">\n',
        ]
        self._open = [root]  # the tags of the elements not complete yet, the root first
        self._marks = [len(self._parts)]  # how many parts there were once each was opened

    def sub(self, parent: int, tag: str, text: object | None = None) -> int:
        while len(self._open) > parent + 1:
            self._close()
        indent = _INDENT[parent + 1]
        if text is None:
            self._parts.append(f"{indent}<{tag}>\n")
            self._open.append(tag)
            self._marks.append(len(self._parts))
            return parent + 1
        value = escaped(text) if type(text) is str else str(text)
        self._parts.append(f"{indent}<{tag}>{value}</{tag}>\n")
        return parent + 1

    def leaves(self, parent: int, texts: dict[str, object | None]) -> None:
        """Elements of text alone added to `parent`, their texts by tag in their order (None: none such)."""
        while len(self._open) > parent + 1:
            self._close()
        chunk = _leaves(_INDENT[parent + 1], texts)
        if chunk:
            self._parts.append(chunk)

    def element(self, parent: int, tag: str, texts: dict[str, object | None]) -> None:
        """An element of elements of text alone (`leaves`) added to `parent`, complete."""
        while len(self._open) > parent + 1:
            self._close()
        indent = _INDENT[parent + 1]
        chunk = _leaves(_INDENT[parent + 2], texts)
        self._parts.append(f"{indent}<{tag}>\n{chunk}{indent}</{tag}>\n" if chunk else f"{indent}<{tag}/>\n")

    def _close(self) -> None:
        tag = self._open.pop()
        indent = _INDENT[len(self._open)]
        if self._marks.pop() == len(self._parts):  # nothing in it
            self._parts[-1] = f"{indent}<{tag}/>\n"
        else:
            self._parts.append(f"{indent}</{tag}>\n")

    def bytes(self) -> bytes:
        """The file, every element complete."""
        while self._open:
            self._close()
        return "".join(self._parts).encode()


def when(dt: datetime | date | None) -> str | None:
    if dt is None:
        return None
    if not isinstance(dt, datetime):
        dt = datetime.combine(dt, time(0))
    if dt.tzinfo is not None:
        dt = dt.replace(tzinfo=None)
    return dt.isoformat(timespec="seconds")


class Stamps(dict):
    """Dates -> their `when` texts, each made once (a plan's tasks share many dates). Dates with a time
    zone are not kept: two of them at the same moment are equal but are written in their own zones."""

    def __missing__(self, dt: datetime | date | None) -> str | None:
        out = when(dt)
        if getattr(dt, "tzinfo", None) is None:
            self[dt] = out
        return out


def number(value: float) -> str:
    """A number as the schema's decimal: no exponent, no trailing zeros (1234567.25, not 1.23457e+06)."""
    return np.format_float_positional(value, trim="-")


def pt(minutes: float) -> str:
    """A duration as MSPDI writes it, to the nearest second (33.333333 days of 7.5 hours: PT250H0M0S)."""
    sign = "-" if minutes < 0 else ""
    seconds = round(abs(minutes) * 60)
    return f"{sign}PT{seconds // 3600}H{seconds // 60 % 60}M{seconds % 60}S"


_children = threading.local()  # the element read last and its children's texts by tag, per thread
_OURS = f"{{{NS}}}"  # the tags of MSPDI's namespace begin so


class _LocalNames(dict):
    """Tags -> their names in MSPDI's namespace (None for other namespaces, comments, entities...):
    looked up once per tag, not cut out of every element's tag again. Keeps the first 4,096 tags."""

    def __missing__(self, tag: object) -> str | None:
        name = tag[len(_OURS) :] if isinstance(tag, str) and tag.startswith(_OURS) else None
        if len(self) < 4096:
            self[tag] = name
        return name


_NAMES = _LocalNames()


def children(el: etree._Element) -> dict[str | None, str | None]:
    """The texts of el's children in MSPDI's namespace by tag (without the namespace; the first of a tag
    wins). A file is read element by element, each asked for many children: their texts are gathered
    once per element (one pass over it, not one search per field). Call forget_elements() when the file
    is read."""
    seen = _children.__dict__
    if seen.get("el") is not el:
        texts: dict[str | None, str | None] = {}  # under None: whatever is not in MSPDI's namespace
        for child in el:
            name = _NAMES[child.tag]
            if name not in texts:
                texts[name] = child.text
        seen["el"], seen["texts"] = el, texts
    return seen["texts"]


def text(el: etree._Element, tag: str) -> str | None:
    """The text of el's child `tag` (None when there is none): children(el)'s."""
    return children(el).get(tag)


def forget_elements() -> None:
    """Let go of the element text() read last (and so of its whole tree)."""
    _children.__dict__.clear()


def project_name(root: etree._Element) -> str | None:
    """The project's Name, or its Title where that goes on from a Name of 255 characters, the most Name
    holds (the writer cuts a longer plan name there and keeps it whole in Title)."""
    name, title = text(root, "Name"), text(root, "Title")
    if name and title and len(name) == NAME_LENGTH and title.startswith(name):
        return title
    return name or title


def day_and_week(root: etree._Element) -> tuple[float, float]:
    """The file's MinutesPerDay and MinutesPerWeek (480 and 2400 where it has none): a day of more than 0
    and at most 1440 minutes, a week of more than 0 and at most 10080; another value is a ValidationFailed
    naming it (a day of 0 minutes would make every duration in days endless)."""
    out = []
    for tag, default, most in (("MinutesPerDay", 480.0, 1440), ("MinutesPerWeek", 2400.0, 10080)):
        value = float(text(root, tag) or default)
        if not 0 < value <= most:
            raise ValidationFailed(f"{tag} is {text(root, tag)}: it must be more than 0 and at most {most}")
        out.append(value)
    return out[0], out[1]


def minutes(value: str | None, per_day: float = 480.0, per_week: float = 2400.0) -> float:
    """Working minutes of an MSPDI duration. Project writes hours, minutes and seconds (PT8H0M0S); days and
    weeks, which other programs write, are working days and weeks (`per_day`, `per_week` minutes, the
    file's MinutesPerDay and MinutesPerWeek), a month 20 working days and a year 12 months, as MPXJ reads
    them."""
    if not value:
        return 0.0
    value = value.strip()
    m = _DURATION.match(value)
    if m:
        total = float(m.group(1)) * 60 + float(m.group(2)) + float(m.group(3)) / 60
    else:
        m = _ISO_DURATION.match(value)
        if not m or value.rstrip("T").endswith("P"):
            raise ValidationFailed(f"cannot read the MSPDI duration {value!r}")
        y, mo, w, d, h, mi, sec = (float(g) if g else 0.0 for g in m.groups())
        total = ((y * 12 + mo) * 20 + d) * per_day + w * per_week + h * 60 + mi + sec / 60
    return -total if value.startswith("-") else total


def percent_done(percent: str | None, actual: str | None, duration: str | None) -> float:
    """A task's percent complete: its actual duration's share of its duration where the file has both
    (Project keeps the percentage rounded to a whole number: 67% of 3 days would be 5 minutes too much), else
    the stored percentage."""
    if actual and percent not in (None, "0", "100"):  # not begun or done: the percentage says it exactly
        total = minutes(duration)
        if total > 0:
            return round(min(100.0, 100 * minutes(actual) / total), 9)
    return float(percent or 0)


def nearest_minute(value: str | None) -> datetime | None:
    """A date the file keeps to the second (Project's Resume after a partial day: 11:52:48), to the nearest
    minute, the unit of scheduling (truncated, the rest of the work would end a minute early)."""
    if not value:
        return None
    at = datetime.fromisoformat(value)
    return at.replace(second=0, microsecond=0) + timedelta(minutes=at.second >= 30)


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, else `name (2)`, `name (3)`... the first not in `taken` (which it joins)."""
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name} ({n})"
    taken.add(out)
    return out
