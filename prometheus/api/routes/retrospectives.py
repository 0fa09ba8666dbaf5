"""Retrospectives (Epimetheus): feedback, action items, a summary from the data, improvement suggestions."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from prometheus.api.answers.scenarios import RetroLlmSummary, RetroSummary, Suggestions
from prometheus.api.deps import get_ctx, get_db
from prometheus.api.envelope import ERROR_RESPONSES, Envelope, ok
from prometheus.core import retro
from prometheus.core.feedback import (
    Feedback,
    FeedbackCreate,
    FeedbackPatch,
    FeedbackType,
    Retrospective,
    RetrospectiveCreate,
)
from prometheus.integrations.http import run_sync
from prometheus.integrations.rhetor import RhetorAdapter
from prometheus.services import Context, retros
from prometheus.services.schedule import kept_scheduled
from prometheus.store import Database

router = APIRouter(prefix="/api/retrospectives", tags=["retrospectives"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Envelope[Retrospective], summary="Open a retrospective")
def create(body: RetrospectiveCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    r = retros.open_retrospective(ctx, body)
    return ok(r, "retrospective created", status_code=201)


@router.get("", response_model=Envelope[list[Retrospective]], summary="List retrospectives")
def list_all(plan_id: str | None = None, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        items = store.list_retrospectives(plan_id=plan_id)
    return ok(items, f"{len(items)} retrospectives")


@router.get("/{retro_id}", response_model=Envelope[Retrospective], summary="A retrospective")
def get(retro_id: str, db: Database = Depends(get_db)) -> JSONResponse:
    with db.store(write=False) as store:
        return ok(store.get_retrospective(retro_id))


@router.post(
    "/{retro_id}/feedback", status_code=201, response_model=Envelope[Feedback], summary="Add feedback"
)
def add_feedback(retro_id: str, body: FeedbackCreate, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    f = retros.add_feedback(ctx, retro_id, body)
    return ok(f, "feedback added", status_code=201)


@router.get(
    "/{retro_id}/feedback", response_model=Envelope[list[Feedback]], summary="Feedback, most voted first"
)
def list_feedback(
    retro_id: str, type: FeedbackType | None = None, db: Database = Depends(get_db)
) -> JSONResponse:
    with db.store(write=False) as store:
        items = store.list_feedback(retro_id, type=type.value if type else None)
    return ok(items, f"{len(items)} items")


@router.post("/{retro_id}/feedback/{feedback_id}/vote", response_model=Envelope[Feedback], summary="Vote")
def vote(retro_id: str, feedback_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    return ok(retros.vote(ctx, retro_id, feedback_id), "vote counted")


@router.patch(
    "/{retro_id}/feedback/{feedback_id}", response_model=Envelope[Feedback], summary="Track an item"
)
def update_feedback(
    retro_id: str, feedback_id: str, body: FeedbackPatch, ctx: Context = Depends(get_ctx)
) -> JSONResponse:
    return ok(retros.track(ctx, retro_id, feedback_id, body), "feedback updated")


def _context(ctx: Context, retro_id: str):  # noqa: ANN202
    with ctx.db.store(write=False) as store:
        r = store.get_retrospective(retro_id)
        feedback = store.list_feedback(retro_id)
        baselines = store.list_baselines(r.plan_id) if r.plan_id else []
    if r.plan_id is None:
        return r, None, None, None, feedback
    plan, s = kept_scheduled(ctx, r.plan_id, ctx.today())
    return r, plan, s, (baselines[0] if baselines else None), feedback


@router.get(
    "/{retro_id}/summary", response_model=Envelope[RetroSummary], summary="Planned vs actual, accuracy, slips"
)
def summary(retro_id: str, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    r, plan, s, baseline, feedback = _context(ctx, retro_id)
    if plan is None:
        counts = {t.value: sum(f.type is t for f in feedback) for t in FeedbackType}
        return ok(
            {"retrospective_id": r.id, "plan_id": None, "feedback": counts}, "no plan linked: feedback only"
        )
    now = ctx.clock().replace(tzinfo=None)
    return ok({"retrospective_id": r.id} | retro.summary(plan, s, baseline, feedback, now))


@router.get(
    "/{retro_id}/improvement-suggestions",
    response_model=Envelope[Suggestions],
    summary="Suggestions with their evidence",
)
def improvement_suggestions(retro_id: str, request: Request, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    r, plan, s, baseline, feedback = _context(ctx, retro_id)
    now = ctx.clock().replace(tzinfo=None)
    items = retro.suggestions(plan, s, baseline, feedback, now) if plan is not None else []
    prompt = (
        "Suggest process improvements for the next project from this retrospective data.\n"
        + json.dumps(
            {"suggestions": items, "feedback": [f.model_dump(mode="json") for f in feedback]}, default=str
        )[:12_000]
    )
    rhetor = run_sync(RhetorAdapter(settings=request.app.state.settings).enrich, prompt)
    return ok({"retrospective_id": r.id, "suggestions": items, "rhetor": rhetor}, f"{len(items)} suggestions")


@router.post(
    "/{retro_id}/llm-summary",
    tags=["peers"],
    response_model=Envelope[RetroLlmSummary],
    summary="Rhetor's summary: themes, root causes, recommendations (validated JSON)",
)
async def llm_summary(retro_id: str, request: Request, ctx: Context = Depends(get_ctx)) -> JSONResponse:
    def facts() -> dict:
        r, plan, s, baseline, feedback = _context(ctx, retro_id)
        now = ctx.clock().replace(tzinfo=None)
        numbers = retro.summary(plan, s, baseline, feedback, now) if plan is not None else {}
        return {"title": r.title, "notes": r.notes, "numbers": numbers,
                "feedback": [f.model_dump(mode="json") for f in feedback]}  # fmt: skip

    data = await run_in_threadpool(facts)
    out = await RhetorAdapter(settings=request.app.state.settings).summarize_retrospective(data)
    return ok({"retrospective_id": retro_id} | out)
