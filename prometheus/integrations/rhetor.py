"""Rhetor, the LLM component: `POST /api/v1/generate {prompt, system_prompt, ...}` -> `{response, model,
usage}` (its real contract). Prompts come from the template files; JSON answers are validated."""

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


class RhetorAdapter:
    def __init__(self, settings: Settings):
        self.client = PeerClient("rhetor", settings)

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
        return await self.run_template("task_breakdown", requirements=requirements)

    async def analyze_risks(self, project_data: dict) -> dict:
        return await self.run_template("risk_analysis", project_data=project_data)

    async def summarize_retrospective(self, retrospective_data: dict) -> dict:
        return await self.run_template("retrospective_summary", retrospective_data=retrospective_data)

    async def generate_document(self, plan: dict, document_type: str = "status report") -> dict:
        return await self.run_template("plan_document", plan=plan, document_type=document_type)

    async def enrich(self, prompt: str) -> dict:
        """Rhetor's text for a prompt, marked as such, or why there is none (never a stand-in text)."""
        if not self.configured:
            return {"available": False, "reason": "RHETOR_URL is not set: the content above is rule-based"}
        try:
            data = await self.generate(prompt, max_tokens=800)
        except IntegrationUnavailable as exc:
            return {"available": False, "reason": exc.message}
        return {"available": True, "source": "rhetor", "model": data.get("model"), "text": data["response"]}
