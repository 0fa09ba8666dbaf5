"""Which formats Prometheus writes and reads, and how."""

from __future__ import annotations

import gc
import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from urllib.parse import quote

from pydantic import ValidationError

from prometheus.core.documents import PlanDocument
from prometheus.core.model import Plan
from prometheus.core.scheduler import Schedule
from prometheus.errors import PrometheusError, ValidationFailed
from prometheus.formats.csv_format import read_csv, write_csv
from prometheus.formats.document import refused, to_document, to_plan
from prometheus.formats.ics import write_ics
from prometheus.formats.json_stream import read_json_document
from prometheus.formats.mspdi import read_mspdi, write_mspdi

EXPORTS = {  # format -> (media type, file extension)
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "mspdi": ("application/xml", "xml"),
    # no open library writes binary .mpp: the file is MSPDI (Microsoft Project XML), which Project opens
    "mpp": ("application/vnd.ms-project", "mpp"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
}
IMPORTS = ("json", "csv", "mspdi", "mpxj")
_BY_EXTENSION = {".json": "json", ".csv": "csv", ".xml": "mspdi", ".mspdi": "mspdi"}
MPXJ_EXTENSIONS = (
    ".mpp",
    ".mpx",
    ".xer",
    ".gan",
    ".planner",
    ".pp",
    ".pmxml",
    ".mpt",
    ".mpd",
    ".fts",
    ".cdpx",
    ".sp",
)


class UnsupportedFormat(PrometheusError):
    """A file in a format that can be exported but not imported."""

    error_code = "UNSUPPORTED_FORMAT"
    http_status = 415


def export_plan(plan: Plan, s: Schedule | None, fmt: str) -> tuple[bytes, str, str]:
    """The file's bytes, media type and a file name (the plan's name, which may be any text). JSON holds
    the plan's data only: it needs no schedule (`s`), the other formats carry dates."""
    if fmt not in EXPORTS:
        raise ValidationFailed(
            f"unsupported export format {fmt!r}; use one of {', '.join(EXPORTS)}", http_status=400
        )
    with gc_paused():  # the document of a big plan: tens of thousands of objects, none of them garbage
        data = _write(plan, s, fmt)
    media, ext = EXPORTS[fmt]
    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "_", plan.name).strip(" ._")[:100] or f"plan_{plan.id}"
    return data, media, f"{name}.{ext}"


def _write(plan: Plan, s: Schedule | None, fmt: str) -> bytes:
    doc = to_document(plan)
    if fmt == "json":
        return json.dumps(doc.model_dump(mode="json"), indent=2).encode()
    if s is None:
        raise ValueError(f"a {fmt} export needs the plan's schedule")
    if fmt == "csv":
        return write_csv(doc, s)
    if fmt == "ics":
        return write_ics(doc, s, plan.id)
    return write_mspdi(doc, s)


_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control, format (bidi, zero-width), line and paragraph


def content_disposition(filename: str, fallback: str = "plan") -> str:
    """`attachment` with an ASCII `filename` for old clients (`fallback` when the name has no ASCII
    letters or digits) and the exact name as RFC 5987's `filename*=UTF-8''...` (RFC 6266), so that any
    plan name makes a valid header. Characters that only steer how text shows (bidi overrides such as
    U+202E, which make `\u202eexe.txt.csv` show as `vsc.txt.exe`), control characters and line or
    paragraph separators are left out of both: a download's name is no place for them."""
    filename = "".join(c for c in filename if unicodedata.category(c) not in _UNSHOWN)
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or fallback
    plain = f"{ascii_stem}{dot}{ext}"
    if plain == filename:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


_BARE_MSPDI = re.compile(rb"<Project>\s*(<[A-Za-z]+>[^<]*</[A-Za-z]+>\s*)*<(Name|Title|StartDate|Tasks)>")


def _sniff(data: bytes) -> str | None:
    """The format the content shows, where it shows one."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: binary .mpp
        return "mpxj"
    if data[4:19] in (b"Standard Jet DB", b"Standard ACE DB"):  # an Access database: Project's .mpd
        return "mpxj"
    if head.startswith(b"<"):  # Project's XML; its form without the namespace, as other programs write it
        return "mspdi" if b"schemas.microsoft.com/project" in head or _BARE_MSPDI.search(head) else "xml"
    if head.startswith((b"{", b"[")):
        return "json"
    if head[:15].upper() == b"BEGIN:VCALENDAR":
        return "ics"
    return None


_BY_MEDIA = {"application/json": "json", "text/csv": "csv", "application/vnd.ms-project": "mspdi"}


def detect(filename: str | None, fmt: str | None, data: bytes = b"", media_type: str | None = None) -> str:
    """The import format: the one asked for, else what the content, the file name and the media type say.
    Microsoft Project XML goes to our own reader whatever the file is called (the `mpp` export is one)."""
    seen = _sniff(data)
    media = (media_type or "").partition(";")[0].strip().lower()
    if media == "text/calendar":
        seen = "ics"
    if fmt:
        fmt = fmt.lower()
        if fmt in ("mpp", "xml"):  # the export's name for MSPDI, and its plain name
            fmt = "mpxj" if seen == "mpxj" else "mspdi"
        if fmt == "ics":
            _refuse_ics()
        return fmt
    suffix = PurePath(filename or "").suffix.lower()
    if seen == "ics" or suffix == ".ics":
        _refuse_ics()
    if seen == "mspdi":
        return "mspdi"
    if seen == "xml" and suffix in ("", ".xml"):
        return "mpxj"  # other project XML (Primavera PMXML, GanttProject, Planner, ...): MPXJ tells
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if suffix in MPXJ_EXTENSIONS or seen == "mpxj":
        return "mpxj"
    if seen == "json":
        return "json"
    if media in _BY_MEDIA:
        return _BY_MEDIA[media]
    raise ValidationFailed(
        "say which format this is: ?format=json|csv|mspdi|mpxj, or send a file name "
        "(.json, .csv, .xml or .mspdi, .mpp, .mpx, .xer, ...)",
        http_status=400,
    )


def _refuse_ics() -> None:
    raise UnsupportedFormat(
        "iCalendar (.ics) files cannot be imported: an event has dates but no durations, links, "
        "constraints or resources to plan with. Import the plan's json, csv or mspdi export instead."
    )


class _Pause:
    """Readers holding the cycle collector paused, and whether it ran before the first of them."""

    lock = threading.Lock()
    readers = 0
    was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file is read (and its rows stored) or written: reading a big
    file makes tens of thousands of objects, none of them garbage, which the collector would walk again and
    again (a third of the reading time of a 10,000-task MSPDI file; nearly half the time of the document a
    20,000-task plan is written from). Garbage waits until the last reader or writer ends."""
    with _Pause.lock:
        if not _Pause.readers:
            _Pause.was_enabled = gc.isenabled()
        _Pause.readers += 1
        gc.disable()
    try:
        yield
    finally:
        with _Pause.lock:
            _Pause.readers -= 1
            if not _Pause.readers and _Pause.was_enabled:
                gc.enable()


def import_bytes(data: bytes, fmt: str, *, name: str | None = None) -> PlanDocument:
    """A file as a plan document; a field no plan may hold (a date out of range, a percentage over 100...)
    is a 422 naming it, whatever the format."""
    try:
        with gc_paused():
            return _read(data, fmt, name)
    except ValidationError as exc:
        raise ValidationFailed(
            f"the {fmt} file holds a value no plan may hold: {refused(exc, at=exc.title)}"
        ) from None


def _read(data: bytes, fmt: str, name: str | None) -> PlanDocument:
    if fmt == "json":
        doc = read_json_document(data)
        return doc.model_copy(update={"plan": doc.plan.model_copy(update={"name": name})}) if name else doc
    if fmt == "csv":
        return read_csv(data, name)
    if fmt == "mspdi":
        return read_mspdi(data, name)
    if fmt == "mpxj":
        from prometheus.formats.mpxj_import import read_with_mpxj

        return read_with_mpxj(data, name)
    raise ValidationFailed(
        f"unsupported import format {fmt!r}; use json, csv, mspdi or mpxj", http_status=400
    )


def read_plan(data: bytes, filename: str, fmt: str | None = None) -> Plan:
    """A file as a plan that is not stored: its format from `fmt`, its content or its name, its name the
    file's stem (what `prometheus schedule FILE` schedules)."""
    return to_plan(import_bytes(data, detect(filename, fmt, data), name=PurePath(filename).stem))
