"""Which formats Prometheus writes and reads, and how."""

from __future__ import annotations

import json
from pathlib import PurePath

from prometheus.core.model import Plan, PlanDocument
from prometheus.core.scheduler import Schedule
from prometheus.errors import ValidationFailed
from prometheus.formats.csv_format import read_csv, write_csv
from prometheus.formats.document import to_document
from prometheus.formats.ics import write_ics
from prometheus.formats.mspdi import read_mspdi, write_mspdi

EXPORTS = {  # format -> (media type, file extension)
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "mspdi": ("application/xml", "xml"),
    "mpp": (
        "application/xml",
        "xml",
    ),  # binary .mpp cannot be written by any open library: MSPDI, which Project opens
    "ics": ("text/calendar; charset=utf-8", "ics"),
}
IMPORTS = ("json", "csv", "mspdi")
_BY_EXTENSION = {".json": "json", ".csv": "csv", ".xml": "mspdi"}
MPXJ_EXTENSIONS = (
    ".mpp",
    ".mpx",
    ".xer",
    ".gan",
    ".planner",
    ".pp",
    ".pmxml",
    ".mpt",
    ".fts",
    ".cdpx",
    ".sp",
)


def export_plan(plan: Plan, s: Schedule, fmt: str) -> tuple[bytes, str, str]:
    """The file's bytes, media type and a file name."""
    if fmt not in EXPORTS:
        raise ValidationFailed(
            f"unsupported export format {fmt!r}; use one of {', '.join(EXPORTS)}", http_status=400
        )
    doc = to_document(plan)
    if fmt == "json":
        data = json.dumps(doc.model_dump(mode="json"), indent=2).encode()
    elif fmt == "csv":
        data = write_csv(doc, s)
    elif fmt == "ics":
        data = write_ics(doc, s, plan.id)
    else:
        data = write_mspdi(doc, s)
    media, ext = EXPORTS[fmt]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in plan.name)[:60] or "plan"
    return data, media, f"{safe}.{ext}"


def detect(filename: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if suffix in MPXJ_EXTENSIONS:
        return "mpxj"
    raise ValidationFailed(
        "say which format this is: ?format=json|csv|mspdi|mpxj, or send a file name", http_status=400
    )


def import_bytes(data: bytes, fmt: str, *, name: str | None = None) -> PlanDocument:
    if fmt == "json":
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise ValidationFailed(f"not valid JSON: {exc}", http_status=400) from None
        try:
            doc = PlanDocument.model_validate(raw)
        except ValueError as exc:
            raise ValidationFailed(f"not a Prometheus plan document: {exc}") from None
        return doc.model_copy(update={"plan": doc.plan.model_copy(update={"name": name})}) if name else doc
    if fmt == "csv":
        return read_csv(data, name or "Imported plan")
    if fmt == "mspdi":
        return read_mspdi(data, name)
    if fmt == "mpxj":
        from prometheus.formats.mpxj_import import read_with_mpxj

        return read_with_mpxj(data, name)
    raise ValidationFailed(
        f"unsupported import format {fmt!r}; use json, csv, mspdi or mpxj", http_status=400
    )
