"""iCalendar (RFC 5545): one event per task (milestones as instants), for calendars and agents."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from prometheus.core.documents import PlanDocument
from prometheus.core.scheduler import Schedule

_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # RFC 5545 TEXT: no control character but HTAB


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every line break (CRLF,
    a bare CR or LF) as `\\n`, and the other control characters, which TEXT cannot hold, dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _NEWLINE.sub("\\\\n", text))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        end = min(start + (75 if not parts else 74), len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def write_ics(doc: PlanDocument, s: Schedule, plan_id: str) -> bytes:
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tekton//Prometheus//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(doc.plan.name)}"]  # fmt: skip
    for t in doc.tasks:
        st = s.tasks.get(t.key)
        if st is None or st.summary:
            continue
        # DTEND is after DTSTART (RFC 5545 3.8.2.2): an instant (a milestone) has DTSTART alone (3.6.1)
        end = [f"DTEND:{_stamp(st.finish)}"] if st.finish > st.start else []
        categories = ["CRITICAL" if st.critical else "TASK"] + (
            ["COMPLETED"] if t.status == "completed" else []
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{t.key}@{plan_id}.prometheus",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(st.start)}",
            *end,
            f"SUMMARY:{_escape(('◆ ' if st.milestone else '') + t.name)}",
            f"DESCRIPTION:{_escape(t.description or '')}",
            f"CATEGORIES:{','.join(categories)}",
            "STATUS:CONFIRMED",  # an event's (3.8.1.11): a to-do's COMPLETED is a category here
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
