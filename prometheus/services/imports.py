"""Use cases of files: import one as a new plan."""

from __future__ import annotations

from prometheus.core.model import Plan
from prometheus.core.portable import check_document
from prometheus.formats.registry import gc_paused, import_bytes
from prometheus.services.context import Context


def import_file(
    ctx: Context, body: bytes, fmt: str, *, name: str | None, whole: bool
) -> tuple[Plan, dict[str, int]]:
    """A file as a new plan, checked before the write transaction (other writers wait only for the inserts);
    the plan (with its tasks, links and resources if `whole`: read once and kept) and what was imported."""
    with gc_paused():  # tens of thousands of objects made and stored, none of them garbage
        doc = import_bytes(body, fmt, name=name)
        check_document(doc)
        counts = {
            "tasks": len(doc.tasks),
            "dependencies": len(doc.dependencies),
            "resources": len(doc.resources),
        }
        with ctx.db.store() as store:
            plan = store.import_document(doc, checked=True)
        del doc
    return (ctx.plans.plan(ctx.db, plan.id) if whole else plan), counts
