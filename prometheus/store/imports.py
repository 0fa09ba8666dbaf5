"""Whole plans from their portable form, with set-based inserts (part of the one repository, `Store`)."""

from __future__ import annotations

from prometheus.core.documents import PlanDocument
from prometheus.core.model import Plan
from prometheus.core.portable import check_document
from prometheus.store.base import StoreBase, emits
from prometheus.store.mapping import (
    new_id,
    plan_model,
    values_of,
)
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
        (COPY on PostgreSQL). Nothing is written when anything is wrong. The plan, without its children."""
        if not checked:
            check_document(doc)
        plan = self._new_plan_row(doc.plan, task_seq=len(doc.tasks))
        self._flush()
        rid = {r.key: new_id() for r in doc.resources}
        tid = {t.key: new_id() for t in doc.tasks}
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
        now = utcnow()
        self._insert(
            ResourceRow,
            (values_of(ResourceRow, r, id=rid[r.key], plan_id=plan.id, version=1) for r in doc.resources),
        )
        # parents are inserted before their children
        ordered = sorted(enumerate(doc.tasks), key=lambda it: depth[it[1].key])
        self._insert(
            TaskRow,
            (
                values_of(TaskRow, t, id=tid[t.key], plan_id=plan.id,
                          parent_id=tid[t.parent] if t.parent else None, position=n + 1, number=n + 1,
                          version=1, created_at=now, updated_at=now)
                for n, t in ordered
            ),
        )  # fmt: skip
        self._insert(
            AssignmentRow,
            (
                {
                    "task_id": tid[t.key],
                    "resource_id": rid[a.resource],
                    "units": a.units,
                    "position": n,
                    "work": a.work,
                    "delay": a.delay,
                    "contour": a.contour.value,
                }
                for t in doc.tasks
                for n, a in enumerate(t.assignments)
            ),
        )
        self._insert(
            DependencyRow,
            (
                values_of(DependencyRow, d, id=new_id(), plan_id=plan.id, predecessor_id=tid[d.predecessor],
                          successor_id=tid[d.successor])
                for d in doc.dependencies
            ),
        )  # fmt: skip
        return plan_model(plan, len(doc.tasks))
