"""The operations on retrospectives and on the Tekton peers (Telos, Rhetor, Engram, Synthesis, Hermes)."""

from __future__ import annotations

from typing import Any

from prometheus.client.calls import Call, params, seg
from prometheus.client.scenarios import ScenarioOperations


class TektonOperations(ScenarioOperations):
    # -- retrospectives --------------------------------------------------------------------------------

    def create_retrospective(self, title: str, **fields: Any) -> Any:
        """Fields: plan_id, held_on, facilitator, participants, notes."""
        return self._call(Call("POST", "/api/retrospectives", {"title": title, **fields}))

    def list_retrospectives(self, plan_id: str | None = None) -> Any:
        return self._call(Call("GET", "/api/retrospectives", params=params(plan_id=plan_id)))

    def get_retrospective(self, retro_id: str) -> Any:
        return self._call(Call("GET", f"/api/retrospectives/{seg(retro_id)}"))

    def add_feedback(self, retro_id: str, type: str, content: str, **fields: Any) -> Any:
        """type: went_well, went_wrong, idea, action_item (with owner, due_date)."""
        body = {"type": type, "content": content, **fields}
        return self._call(Call("POST", f"/api/retrospectives/{seg(retro_id)}/feedback", body))

    def list_feedback(self, retro_id: str, type: str | None = None) -> Any:
        query = params(type=type)
        return self._call(Call("GET", f"/api/retrospectives/{seg(retro_id)}/feedback", params=query))

    def vote_feedback(self, retro_id: str, feedback_id: str) -> Any:
        path = f"/api/retrospectives/{seg(retro_id)}/feedback/{seg(feedback_id)}/vote"
        return self._call(Call("POST", path))

    def update_feedback(self, retro_id: str, feedback_id: str, **changes: Any) -> Any:
        """content, owner, due_date, status (of an action item)."""
        path = f"/api/retrospectives/{seg(retro_id)}/feedback/{seg(feedback_id)}"
        return self._call(Call("PATCH", path, changes))

    def retrospective_summary(self, retro_id: str) -> Any:
        """Planned vs actual, estimate accuracy, slips."""
        return self._call(Call("GET", f"/api/retrospectives/{seg(retro_id)}/summary"))

    def improvement_suggestions(self, retro_id: str) -> Any:
        return self._call(Call("GET", f"/api/retrospectives/{seg(retro_id)}/improvement-suggestions"))

    def summarize_retrospective(self, retro_id: str) -> Any:
        """Rhetor's summary: themes, root causes, recommendations."""
        return self._call(Call("POST", f"/api/retrospectives/{seg(retro_id)}/llm-summary"))

    # -- the peers -------------------------------------------------------------------------------------

    def integrations(self) -> Any:
        """Each peer: where it is, whether it answered last time, its circuit."""
        return self._call(Call("GET", "/api/integrations"))

    def plan_from_telos(
        self, project_id: str, name: str | None = None, dependency_mapping: bool = True
    ) -> Any:
        """A plan made by Prometheus from a Telos project's requirements."""
        body = params(project_id=project_id, name=name, dependency_mapping=dependency_mapping)
        return self._call(Call("POST", "/api/plans/from-telos", body))

    def plan_from_requirements(
        self,
        requirements: list[dict],
        *,
        name: str | None = None,
        project_id: str | None = None,
        dependency_mapping: bool = True,
    ) -> Any:
        """A plan made from requirements (Telos's shape): `{plan, requirements, tasks, dependencies,
        issues}`."""
        body = params(requirements=requirements, name=name, project_id=project_id)
        body["dependency_mapping"] = dependency_mapping
        return self._call(Call("POST", "/api/plans/from-requirements", body))

    def analyze_requirements(
        self, requirements: list[dict] | None = None, *, project_id: str | None = None
    ) -> Any:
        """Rhetor's breakdown of requirements into tasks, with `estimates` by requirement id (the
        requirements given, or those of a Telos project)."""
        body = params(requirements=requirements, project_id=project_id)
        return self._call(Call("POST", "/api/requirements/analysis", body))

    def traces(self, plan_id: str, requirement_id: str | None = None, task_id: str | None = None) -> Any:
        query = params(requirement_id=requirement_id, task_id=task_id)
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/traces", params=query))

    def telos_sync(self, plan_id: str) -> Any:
        """Push every traced task's status to its Telos requirement."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/telos/sync"))

    def llm_analysis(self, plan_id: str, analysis_types: list[str] | None = None) -> Any:
        """Rhetor's risks, optimizations and recommendations for the plan."""
        body = params(analysis_types=analysis_types)
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/llm-analysis", body))

    def generate_document(self, plan_id: str, document_type: str = "status report") -> Any:
        body = {"document_type": document_type}
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/documents", body))

    def remember_plan(self, plan_id: str) -> Any:
        """Store the plan in Engram (or the local memory store)."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/memory"))

    def memory_search(self, q: str, namespace: str | None = "prometheus.plans", limit: int = 5) -> Any:
        query = {"q": q, "namespace": namespace or "", "limit": limit}
        return self._call(Call("GET", "/api/memory/search", params=query))

    def memory_put(
        self, namespace: str, key: str, data: Any, metadata: dict | None = None, vector_embed: bool = True
    ) -> Any:
        body = {"data": data, "metadata": metadata or {}, "vector_embed": vector_embed}
        return self._call(Call("PUT", f"/api/memory/{seg(namespace)}/{seg(key)}", body))

    def memory_get(self, namespace: str, key: str) -> Any:
        return self._call(Call("GET", f"/api/memory/{seg(namespace)}/{seg(key)}"))

    def for_execution(self, plan_id: str) -> Any:
        """The plan as Synthesis steps, in an order that respects every link."""
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/for-execution"))

    def start_execution(self, plan_id: str) -> Any:
        """Hand the plan to Synthesis; the execution record."""
        return self._call(Call("POST", f"/api/plans/{seg(plan_id)}/executions"))

    def list_executions(self, plan_id: str) -> Any:
        return self._call(Call("GET", f"/api/plans/{seg(plan_id)}/executions"))

    def get_execution(self, execution_id: str, refresh: bool = True) -> Any:
        query = {"refresh": refresh}
        return self._call(Call("GET", f"/api/executions/{seg(execution_id)}", params=query))

    def execution_callback(self, execution_id: str, **progress: Any) -> Any:
        """Report progress of an execution: status, step_id, step_status."""
        body = {"execution_id": execution_id, **progress}
        return self._call(Call("POST", "/api/executions/callbacks", body))

    def send_event(self, type: str, payload: dict | None = None) -> Any:
        """Deliver an event as Hermes would (telos.requirement.updated, synthesis.execution.completed)."""
        return self._call(Call("POST", "/api/events", {"type": type, "payload": payload or {}}))
