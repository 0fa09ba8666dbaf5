"""A plan as a readable document (an MCP resource), and the prompts that start an agent's planning work."""

from __future__ import annotations

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS

from prometheus.mcp.api import Api, ApiError, seg

PLAN_URI = "prometheus://plans/{plan_id}"
# "resource not found" as the SDK answers an unknown URI (-32602, SEP-2164; -32002 is retired)
RESOURCE_NOT_FOUND = INVALID_PARAMS


def unreadable(uri: str, exc: ApiError) -> MCPError:
    """The protocol error of a resource the API refused: not found is RESOURCE_NOT_FOUND, anything else an
    internal error; its message names the URI, its `data` the API's envelope (the URI in `details`)."""
    envelope = exc.envelope | {"details": exc.envelope.get("details", {}) | {"uri": uri}}
    if exc.envelope["http_status"] == 404:
        return MCPError(RESOURCE_NOT_FOUND, f"resource {uri} not found: {exc}", envelope)
    return MCPError(INTERNAL_ERROR, f"resource {uri} cannot be read: {exc}", envelope)


def _day(at: str | None) -> str:
    return (at or "")[:16].replace("T", " ")


def plan_markdown(plan: dict, timeline: dict, cp: dict) -> str:
    """The plan for a reader: dates, the task outline with its schedule, the critical path, resources."""
    names = {r["id"]: r["name"] for r in plan["resources"]}
    assigned = {t["id"]: [names.get(x, x) for x in t["assigned_resources"]] for t in plan["tasks"]}
    depth: dict[str, int] = {}
    lines = [
        f"# {plan['name']}",
        "",
        f"Plan `{plan['id']}` ({plan['status']}, version {plan['version']}): "
        f"starts {_day(timeline['project_start'])}, finishes {_day(timeline['project_finish'])}"
        + (f", deadline {plan['end_date']}" if plan["end_date"] else "")
        + (f", status date {plan['status_date']}" if plan["status_date"] else "")
        + ".",
    ]
    if plan["description"]:
        lines += ["", plan["description"]]
    lines += [
        "",
        "## Tasks",
        "",
        "| task | start | finish | days | slack | done | resources |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in timeline["tasks"]:
        depth[t["task_id"]] = depth.get(t["parent_id"], -1) + 1 if t["parent_id"] else 0
        name = "&nbsp;&nbsp;" * depth[t["task_id"]] + (f"**{t['name']}**" if t["critical"] else t["name"])
        lines.append(
            f"| {name} | {_day(t['start'])} | {_day(t['finish'])} | {t['duration_days']:g} | "
            f"{t['total_slack_days']:g} | {t['percent_complete']:g}% | "
            f"{', '.join(assigned.get(t['task_id'], []))} |"
        )
    lines += ["", "Critical tasks are in bold.", "", "## Critical path", ""]
    lines += [
        f"{i}. {c['name']}: {_day(c['start'])} to {_day(c['finish'])} ({c['duration_days']:g} days)"
        for i, c in enumerate(cp["critical_path"], 1)
    ] or ["(none)"]
    if cp["conflicts"]:
        lines += ["", "## Conflicts", ""] + [f"- {c['message']}" for c in cp["conflicts"]]
    lines += ["", "## Resources", ""]
    lines += [
        f"- {r['name']} ({r['type']}, availability {r['availability']:g}"
        + (f", {r['cost_rate']:g}/h" if r["cost_rate"] else "")
        + (f", skills: {', '.join(r['skills'])}" if r["skills"] else "")
        + ")"
        for r in plan["resources"]
    ] or ["(none)"]
    return "\n".join(lines) + "\n"


def register(server: MCPServer, api: Api) -> None:
    @server.resource(PLAN_URI, name="plan", mime_type="text/markdown")
    async def plan_document(plan_id: str, ctx: Context) -> str:
        """A plan as a readable document: its dates, tasks with their schedule, critical path, resources."""
        try:
            plan = await api.get(ctx, f"/api/plans/{seg(plan_id)}")
            timeline = await api.get(ctx, f"/api/plans/{seg(plan_id)}/timeline")
            cp = await api.get(ctx, f"/api/plans/{seg(plan_id)}/critical-path")
        except ApiError as exc:
            raise unreadable(PLAN_URI.format(plan_id=plan_id), exc) from None
        return plan_markdown(plan, timeline, cp)

    @server.prompt(name="plan_this_project", title="Plan this project")
    def plan_this_project(description: str, start_date: str = "", deadline: str = "") -> str:
        """Turn a project description into a scheduled, leveled plan with its risks."""
        when = (f" It starts on {start_date}." if start_date else "") + (
            f" It must finish by {deadline}." if deadline else ""
        )
        return (
            f"Plan this project with the Prometheus tools.{when}\n\nProject:\n{description}\n\n"
            "1. Break the work into tasks of a few days each (summary tasks for phases, milestones for "
            "deliverables), with durations, optimistic/most-likely/pessimistic estimates where they are "
            "uncertain, and finish-to-start links where one task needs another's result. Use "
            "estimate_task for tasks like ones done before.\n"
            "2. Call create_plan with the task list, links and the people or agents as resources, with "
            "assignments.\n"
            "3. Call critical_path, then level_resources (preview; apply if the moves are acceptable), then "
            "analyze_risk. Use explain_date on any date that looks wrong.\n"
            "4. Report the finish date, its P80, the critical path and the biggest risks, and "
            "save_baseline once the user agrees."
        )

    @server.prompt(name="recover_late_plan", title="Recover this late plan")
    def recover_late_plan(plan_id: str, target_date: str = "") -> str:
        """Find out why a plan is late and propose changes that bring its finish back."""
        target = f"by {target_date}" if target_date else "by its deadline (its end date)"
        return (
            f"The plan {plan_id} is late. Bring it back to finish {target} with the Prometheus tools.\n\n"
            "1. Read the plan (resource prometheus://plans/" + plan_id + ") and call critical_path and "
            "baseline_variance to see what slipped; earned_value says how fast work is really going.\n"
            "2. Call explain_date on the last critical task, and on every task that slipped, to find what "
            "drives each date: a link, a constraint, a resource wait or a calendar.\n"
            "3. Propose the smallest set of changes that recovers the date: overlap tasks (SS or FS with a "
            "lead instead of FS), split long critical tasks, move work to a free resource, drop or defer "
            "non-critical scope, relax constraints. Try them (update_tasks, remove_links/add_links, "
            "level_resources) and check critical_path and analyze_risk after each.\n"
            "4. Report what you changed, the new finish and its P80, and what the user must decide."
        )
