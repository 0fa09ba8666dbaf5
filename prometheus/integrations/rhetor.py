"""Rhetor, the LLM component: `POST /api/v1/generate` -> `{response, model, usage}` (its real contract)."""

from __future__ import annotations

from prometheus.config import Settings
from prometheus.integrations.http import IntegrationUnavailable, PeerClient

SYSTEM_PROMPT = (
    "You are Prometheus, the planning engine of Tekton. Answer with short, concrete advice for a project "
    "manager, grounded only in the facts given."
)


class RhetorAdapter:
    def __init__(self, settings: Settings):
        self.client = PeerClient("rhetor", settings.rhetor_url, settings)

    def generate(self, prompt: str, *, max_tokens: int = 800) -> dict:
        data = self.client.request(
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
            raise IntegrationUnavailable(
                "rhetor answered without a response text", details={"peer": "rhetor"}
            )
        return data

    def enrich(self, prompt: str) -> dict:
        """Rhetor's text for a prompt, marked as such, or why there is none (never a stand-in text)."""
        if not self.client.configured:
            return {"available": False, "reason": "RHETOR_URL is not set: the content above is rule-based"}
        try:
            data = self.generate(prompt)
        except IntegrationUnavailable as exc:
            return {"available": False, "reason": exc.message}
        return {"available": True, "source": "rhetor", "model": data.get("model"), "text": data["response"]}
