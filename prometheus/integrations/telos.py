"""Telos, the requirements component (`/api/v1`, no envelope):
`GET /api/v1/projects/{pid}` -> the project, `GET /api/v1/projects/{pid}/requirements` -> `{requirements,
count}`, `PUT /api/v1/projects/{pid}/requirements/{rid} {status}` to move a requirement's verification state.

The integration guide's surface (`prometheus.utils.telos_connector`):

    telos = TelosConnector(base_url="http://localhost:8008/api")
    requirements = await telos.get_requirements(project_id)
    plan = await telos.create_plan_from_requirements(requirements, dependency_mapping=True)
"""

from __future__ import annotations

from typing import Any

from prometheus.client import PrometheusClient
from prometheus.config import Settings
from prometheus.core.model import TaskStatus
from prometheus.core.requirements import TO_REQUIREMENT
from prometheus.core.urls import segment
from prometheus.errors import ValidationFailed
from prometheus.integrations.http import IntegrationUnavailable, PeerClient, unavailable


class TelosConnector:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        settings: Settings | None = None,
        prometheus_url: str | None = None,
    ):
        """base_url: Telos, with or without `/api` (default: TELOS_URL). prometheus_url: the Prometheus
        service that creates plans (default: PROMETHEUS_URL, else http://127.0.0.1:$PROMETHEUS_PORT)."""
        self.client = PeerClient("telos", settings, base_url=base_url)
        self.prometheus_url = prometheus_url

    @property
    def configured(self) -> bool:
        return self.client.configured

    @staticmethod
    def _path(project_id: str, *rest: object) -> str:
        """Telos's path of a project (and below): each id one segment (`../` in one cannot reach another
        of Telos's routes with our token); an empty id is refused."""
        try:
            return "/api/v1/projects/" + "/".join(segment(part) for part in (project_id, *rest))
        except ValueError as exc:
            raise ValidationFailed(f"Telos: {exc}") from None

    async def get_project(self, project_id: str) -> dict:
        data = await self.client.request("GET", self._path(project_id))
        if not isinstance(data, dict):
            raise unavailable("telos", "answered without a project")
        return data

    async def get_requirements(self, project_id: str) -> list[dict]:
        """The project's requirements as Telos gives them, each also with `id` (its requirement_id) and
        `project_id`."""
        data = await self.client.request("GET", self._path(project_id, "requirements"))
        if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
            raise unavailable("telos", "answered without a requirements list")
        return [
            r | {"id": r.get("requirement_id"), "project_id": project_id}
            for r in data["requirements"]
            if isinstance(r, dict)
        ]

    async def create_plan_from_requirements(
        self,
        requirements: list[dict[str, Any]],
        dependency_mapping: bool = True,
        *,
        name: str | None = None,
        project_id: str | None = None,
    ) -> dict:
        """Create a plan in Prometheus: one task per requirement (children under their parent), a link per
        requirement dependency. Returns the plan with its tasks and dependencies, and `issues`: the
        requirements or dependencies left out, and why.

        The connector runs wherever the caller does (often another Tekton component's process), so it asks
        the Prometheus service at `prometheus_url` (the `POST /api/plans/from-requirements` route) rather
        than opening a database: the service owns the schema, checks the input once, and announces the new
        plan (webhooks, Hermes, live views) as for any other plan. `project_id` and the plan's name default
        to the requirements' Telos project and its name."""
        projects = {str(r["project_id"]) for r in requirements if isinstance(r, dict) and r.get("project_id")}
        if project_id is None and len(projects) == 1:
            project_id = projects.pop()
        if name is None and project_id:
            try:
                name = str((await self.get_project(project_id)).get("name") or "") or None
            except IntegrationUnavailable:
                name = None  # the plan is still made; it is named after the project id
        async with PrometheusClient(self.prometheus_url) as prometheus:
            made = await prometheus.plan_from_requirements(
                requirements, name=name, project_id=project_id, dependency_mapping=dependency_mapping
            )
        return made["plan"] | {"issues": made["issues"]}

    async def update_requirement_status(
        self, project_id: str, requirement_id: str, status: TaskStatus
    ) -> str:
        """Move the requirement to the state its task's status means; the state sent."""
        state = TO_REQUIREMENT[status]
        path = self._path(project_id, "requirements", requirement_id)
        await self.client.request("PUT", path, json={"status": state})
        return state
