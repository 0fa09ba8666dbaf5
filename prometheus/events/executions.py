"""Plans executed by Synthesis, followed: what Synthesis says of a running execution (polled by PeerSync,
or asked for by `GET /api/executions/{id}`) applied through the use cases (services/executions.py), and
tasks it finished remembered in Engram."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from prometheus.config import Settings
from prometheus.integrations.engram import EngramConnector
from prometheus.integrations.http import IntegrationUnavailable
from prometheus.integrations.synthesis import FINAL, SynthesisConnector
from prometheus.services import Context, executions
from prometheus.services.reactions import step_states


async def remember(engram: EngramConnector | None, finished: list[dict]) -> None:
    """Finished tasks into Engram, as for those finished through the progress route."""
    for record in finished if engram is not None else []:
        await engram.remember_safely(record)


async def refresh(ctx: Context, settings: Settings, execution: dict) -> dict:
    """Ask Synthesis where an execution stands and apply it (an execution Synthesis does not know is an
    error, and no longer followed); IntegrationUnavailable when Synthesis cannot say."""
    if not execution["synthesis_id"] or execution["status"] in FINAL:
        return await run_in_threadpool(executions.adjust, ctx, execution)
    try:
        data = await SynthesisConnector(settings=settings).get_execution(execution["synthesis_id"])
    except IntegrationUnavailable as exc:
        if exc.details.get("status") != 404:
            raise
        reason = f"Synthesis does not know execution {execution['synthesis_id']}"
        return await run_in_threadpool(executions.execution_failed, ctx, execution["id"], reason)
    status = data.get("status") if data.get("status") in executions.STATUSES else None
    execution, finished = await run_in_threadpool(
        executions.apply_progress, ctx, execution, status, step_states(data)
    )
    await remember(ctx.engram, finished)
    return execution
