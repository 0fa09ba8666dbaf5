"""Use cases of retrospectives: open one, add feedback, vote, track an item."""

from __future__ import annotations

from prometheus.core.feedback import (
    Feedback,
    FeedbackCreate,
    FeedbackPatch,
    Retrospective,
    RetrospectiveCreate,
)
from prometheus.services.context import Context


def open_retrospective(ctx: Context, data: RetrospectiveCreate) -> Retrospective:
    with ctx.db.store() as store:
        return store.create_retrospective(data)


def add_feedback(ctx: Context, retro_id: str, data: FeedbackCreate) -> Feedback:
    with ctx.db.store() as store:
        return store.add_feedback(retro_id, data)


def vote(ctx: Context, retro_id: str, feedback_id: str) -> Feedback:
    with ctx.db.store() as store:
        return store.vote_feedback(retro_id, feedback_id)


def track(ctx: Context, retro_id: str, feedback_id: str, changes: FeedbackPatch) -> Feedback:
    """Change a feedback item (an action item's owner, due date, status)."""
    with ctx.db.store() as store:
        return store.update_feedback(retro_id, feedback_id, changes)
