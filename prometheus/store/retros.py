"""Retrospectives and their feedback (part of the one repository, `Store`)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from prometheus.core.feedback import (
    ActionStatus,
    Feedback,
    FeedbackCreate,
    FeedbackPatch,
    FeedbackType,
    Retrospective,
    RetrospectiveCreate,
)
from prometheus.errors import (
    NotFound,
    ValidationFailed,
)
from prometheus.store.base import StoreBase, emits
from prometheus.store.mapping import (
    feedback_model,
    new_id,
    retro_model,
)
from prometheus.store.tables import (
    FeedbackRow,
    RetrospectiveRow,
)


class Retrospectives(StoreBase):
    """Retrospectives of the Store."""

    # -- retrospectives ------------------------------------------------------------------------------------

    @emits("retrospective.created", plan_from="result")
    def create_retrospective(self, data: RetrospectiveCreate) -> Retrospective:
        if data.plan_id is not None:
            self._plan_row(data.plan_id)
        row = RetrospectiveRow(
            id=new_id(),
            plan_id=data.plan_id,
            title=data.title,
            held_on=data.held_on,
            facilitator=data.facilitator,
            participants=data.participants,
            notes=data.notes,
        )
        self.session.add(row)
        self._flush()
        return retro_model(row, 0)

    def list_retrospectives(self, *, plan_id: str | None = None) -> list[Retrospective]:
        counts = (
            select(FeedbackRow.retrospective_id, func.count().label("n"))
            .group_by(FeedbackRow.retrospective_id)
            .subquery()
        )
        stmt = (
            select(RetrospectiveRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.retrospective_id == RetrospectiveRow.id)
            .order_by(RetrospectiveRow.created_at.desc(), RetrospectiveRow.id)
        )
        if plan_id:
            stmt = stmt.where(RetrospectiveRow.plan_id == plan_id)
        return [retro_model(row, n) for row, n in self.session.execute(stmt)]

    def _retro_row(self, retro_id: str) -> RetrospectiveRow:
        row = self.session.get(RetrospectiveRow, retro_id)
        if row is None:
            raise NotFound(f"retrospective {retro_id} not found", details={"retrospective_id": retro_id})
        return row

    def get_retrospective(self, retro_id: str) -> Retrospective:
        row = self._retro_row(retro_id)
        n = self.session.scalar(select(func.count()).where(FeedbackRow.retrospective_id == retro_id)) or 0
        return retro_model(row, n)

    @emits("retrospective.feedback_added", plan_from="retro")
    def add_feedback(self, retro_id: str, data: FeedbackCreate) -> Feedback:
        self._retro_row(retro_id)
        action = data.type is FeedbackType.action_item
        row = FeedbackRow(
            id=new_id(),
            retrospective_id=retro_id,
            type=data.type.value,
            content=data.content,
            author=data.author,
            votes=0,
            owner=data.owner,
            due_date=data.due_date,
            status=ActionStatus.open.value if action else None,
        )
        self.session.add(row)
        self._flush()
        return feedback_model(row)

    def list_feedback(self, retro_id: str, *, type: str | None = None) -> list[Feedback]:
        self._retro_row(retro_id)
        stmt = select(FeedbackRow).where(FeedbackRow.retrospective_id == retro_id)
        if type:
            stmt = stmt.where(FeedbackRow.type == type)
        rows = self.session.scalars(stmt.order_by(FeedbackRow.votes.desc(), FeedbackRow.created_at))
        return [feedback_model(r) for r in rows]

    def _feedback_row(self, retro_id: str, feedback_id: str) -> FeedbackRow:
        row = self.session.get(FeedbackRow, feedback_id)
        if row is None or row.retrospective_id != retro_id:
            raise NotFound(f"feedback {feedback_id} not found in retrospective {retro_id}")
        return row

    @emits("retrospective.feedback_voted", plan_from="retro")
    def vote_feedback(self, retro_id: str, feedback_id: str) -> Feedback:
        self._feedback_row(retro_id, feedback_id)
        self.session.execute(
            update(FeedbackRow).where(FeedbackRow.id == feedback_id).values(votes=FeedbackRow.votes + 1)
        )
        self.session.expire_all()
        return feedback_model(self._feedback_row(retro_id, feedback_id))

    @emits("retrospective.feedback_updated", plan_from="retro")
    def update_feedback(self, retro_id: str, feedback_id: str, changes: FeedbackPatch) -> Feedback:
        row = self._feedback_row(retro_id, feedback_id)
        values = changes.model_dump(exclude_unset=True)
        if row.type != FeedbackType.action_item and {"owner", "due_date", "status"} & set(values):
            raise ValidationFailed("only action items have an owner, a due date and a status")
        for key, value in values.items():
            if key == "content" and value is None:
                raise ValidationFailed("content cannot be null")
            setattr(row, key, value.value if hasattr(value, "value") else value)
        self._flush()
        return feedback_model(row)
