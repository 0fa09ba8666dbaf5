"""Rhetor, the LLM component: `POST /api/v1/generate {prompt, system_prompt, ...}` -> `{response, model,
usage}` (its real contract). Prompts come from the template files; JSON answers are validated.

The integration guide's surface (`prometheus.utils.rhetor_adapter`):

    rhetor = RhetorAdapter(base_url="http://localhost:8003/api")
    analysis = await rhetor.analyze_plan(plan_data, analysis_types=["risks", "optimizations"])
    planning = await rhetor.analyze_requirements_for_planning(requirements)  # planning["estimates"][rid]
"""

from __future__ import annotations

from typing import Any

from prometheus.config import Settings
from prometheus.integrations.http import IntegrationUnavailable, PeerClient, unavailable
from prometheus.integrations.templates import template

SYSTEM_PROMPT = (
    "You are Prometheus, the planning engine of Tekton. Answer with short, concrete advice for a project "
    "manager, grounded only in the facts given."
)
ANALYSIS_TYPES = ("risks", "optimizations", "recommendations")
HOURS_PER_DAY = 8.0  # estimates in hours become durations in working days of the standard calendar
REQUIREMENT_FIELDS = ("id", "requirement_id", "title", "description", "requirement_type", "priority",
                      "dependencies", "parent_id", "tags")  # fmt: skip


def estimates(tasks: list[dict], requirements: list[dict]) -> dict[str, dict]:
    """Per requirement: the effort of the tasks Rhetor broke it into, as a duration in days."""
    known = {str(r.get("requirement_id") or r.get("id")) for r in requirements}
    out: dict[str, dict] = {}
    for task in tasks:
        rid = task.get("requirement_id")
        if rid in known:
            e = out.setdefault(rid, {"effort_hours": 0.0, "tasks": []})
            e["effort_hours"] += task["estimated_effort"]
            e["tasks"].append(task["name"])
    for e in out.values():
        e["duration"], e["duration_unit"] = round(e["effort_hours"] / HOURS_PER_DAY, 2), "days"
    return out


class RhetorAdapter:
    def __init__(self, base_url: str | None = None, *, settings: Settings | None = None):
        """base_url: Rhetor, with or without `/api` (default: RHETOR_URL)."""
        self.client = PeerClient("rhetor", settings, base_url=base_url)

    @property
    def configured(self) -> bool:
        return self.client.configured

    async def generate(self, prompt: str, *, max_tokens: int = 1500) -> dict:
        data = await self.client.request(
            "POST",
            "/api/v1/generate",
            json={
                "prompt": prompt,
                "system_prompt": SYSTEM_PROMPT,
                "max_tokens": max_tokens,
                "temperature": 0.3,
                "component": "prometheus",
                "capability": "reasoning",
            },
        )
        if not isinstance(data, dict) or not isinstance(data.get("response"), str):
            raise unavailable("rhetor", "answered without a response text")
        return data

    async def run_template(self, name: str, **values: Any) -> dict:
        """Render a template, ask Rhetor, validate the answer: `{result, model, template}`."""
        t = template(name)
        data = await self.generate(t.render(**values))
        try:
            result = t.parse(data["response"])
        except ValueError as exc:
            raise unavailable("rhetor", f"its answer did not match template {name}: {exc}") from None
        return {
            "result": result,
            "model": data.get("model"),
            "template": f"{t.name}@{t.version}",
            "source": "rhetor",
        }

    async def analyze_plan(self, plan: dict, analysis_types: list[str] | None = None) -> dict:
        kinds = list(analysis_types or ANALYSIS_TYPES)
        if bad := [k for k in kinds if k not in ANALYSIS_TYPES]:
            raise ValueError(f"unknown analysis types {bad}: choose from {list(ANALYSIS_TYPES)}")
        out = await self.run_template("plan_analysis", plan=plan, analysis_types=", ".join(kinds))
        out["result"] = {k: out["result"].get(k, []) for k in kinds}
        return out

    async def analyze_requirements_for_planning(self, requirements: list[dict]) -> dict:
        """Rhetor's breakdown of the requirements into tasks (`result`, validated) and `estimates`: for each
        requirement it estimated, `{duration (days), duration_unit, effort_hours, tasks}`."""
        brief = [
            {k: r[k] for k in REQUIREMENT_FIELDS if r.get(k) not in (None, "", [])} for r in requirements
        ]
        out = await self.run_template("task_breakdown", requirements=brief)
        return out | {"estimates": estimates(out["result"], requirements)}

    async def analyze_risks(self, project_data: dict) -> dict:
        return await self.run_template("risk_analysis", project_data=project_data)

    async def summarize_retrospective(self, retrospective_data: dict) -> dict:
        return await self.run_template("retrospective_summary", retrospective_data=retrospective_data)

    async def generate_document(self, plan: dict, document_type: str = "status report") -> dict:
        return await self.run_template("plan_document", plan=plan, document_type=document_type)

    async def enrich(self, prompt: str) -> dict:
        """Rhetor's text for a prompt, marked as such, or why there is none (never a stand-in text)."""
        if not self.configured:
            return {"available": False, "reason": "Rhetor is turned off (RHETOR_URL is empty): the content "
                    "above is rule-based"}  # fmt: skip
        try:
            data = await self.generate(prompt, max_tokens=800)
        except IntegrationUnavailable as exc:
            return {"available": False, "reason": exc.message}
        return {"available": True, "source": "rhetor", "model": data.get("model"), "text": data["response"]}
