"""Whole plans from their portable form, with set-based inserts (part of the one repository, `Store`)."""

from __future__ import annotations

from prometheus.core.documents import DocTask, PlanDocument
from prometheus.core.model import Plan
from prometheus.core.portable import check_document
from prometheus.store.base import StoreBase, emits
from prometheus.store.inserts import insert_columns
from prometheus.store.mapping import columns_of, new_ids, plan_model
from prometheus.store.tables import (
    AssignmentRow,
    DependencyRow,
    ResourceRow,
    TaskRow,
    utcnow,
)


class Imports(StoreBase):
    """Imports of the Store."""

    # -- import ------------------------------------------------------------------------------------------

    @emits("plan.created", plan_from="result")
    def import_document(self, doc: PlanDocument, *, checked: bool = False) -> Plan:
        """Create a whole plan from its portable form, checked first (core.portable.check_document; pass
        `checked` when the caller did it before the transaction). Rows go in with set-based statements
        (COPY on PostgreSQL), column by column. Nothing is written when anything is wrong. The plan,
        without its children."""
        if not checked:
            check_document(doc)
        plan = self._new_plan_row(doc.plan, task_seq=len(doc.tasks))
        self._flush()
        rid = dict(zip((r.key for r in doc.resources), new_ids(len(doc.resources)), strict=True))
        tid = dict(zip((t.key for t in doc.tasks), new_ids(len(doc.tasks)), strict=True))
        now = utcnow()
        connection = self.connection
        insert_columns(
            connection,
            ResourceRow.__table__,
            columns_of(ResourceRow, doc.resources) | {"id": list(rid.values())},
            {"plan_id": plan.id, "version": 1},
        )
        ordered = _parents_first(doc)  # (position, task): parents are inserted before their children
        tasks = [t for _, t in ordered]
        insert_columns(
            connection,
            TaskRow.__table__,
            columns_of(TaskRow, tasks)
            | {
                "id": [tid[t.key] for t in tasks],
                "parent_id": [tid[t.parent] if t.parent else None for t in tasks],
                "position": [n for n, _ in ordered],
                "number": [n for n, _ in ordered],
            },
            {"plan_id": plan.id, "version": 1, "created_at": now, "updated_at": now},
        )
        assigned = [(t, n, a) for t in doc.tasks for n, a in enumerate(t.assignments)]
        insert_columns(
            connection,
            AssignmentRow.__table__,
            {
                "task_id": [tid[t.key] for t, _, _ in assigned],
                "resource_id": [rid[a.resource] for _, _, a in assigned],
                "units": [a.units for _, _, a in assigned],
                "position": [n for _, n, _ in assigned],
                "work": [a.work for _, _, a in assigned],
                "delay": [a.delay for _, _, a in assigned],
                "contour": [a.contour.value for _, _, a in assigned],
                "remaining_work": [a.remaining_work for _, _, a in assigned],
            },
        )
        links = doc.dependencies
        insert_columns(
            connection,
            DependencyRow.__table__,
            columns_of(DependencyRow, links)
            | {
                "id": new_ids(len(links)),
                "predecessor_id": [tid[d.predecessor] for d in links],
                "successor_id": [tid[d.successor] for d in links],
            },
            {"plan_id": plan.id},
        )
        return plan_model(plan, len(doc.tasks))


def _parents_first(doc: PlanDocument) -> list[tuple[int, DocTask]]:
    """The tasks with their positions (1, 2, ... in the document's order), each task's parent before it
    (by outline depth, in the document's order within a depth)."""
    parent_of = {t.key: t.parent for t in doc.tasks}
    depth: dict[str, int] = {}
    for t in doc.tasks:  # iteratively: a deep outline is no recursion
        chain, key = [], t.key
        while key is not None and key not in depth:
            chain.append(key)
            key = parent_of[key]
        base = -1 if key is None else depth[key]
        for k in reversed(chain):
            base += 1
            depth[k] = base
    return sorted(((n + 1, t) for n, t in enumerate(doc.tasks)), key=lambda it: depth[it[1].key])
