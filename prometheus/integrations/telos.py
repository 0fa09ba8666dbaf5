"""Telos, the requirements component (`/api/v1`, no envelope):
`GET /api/v1/projects/{pid}/requirements` -> `{requirements, count}`,
`PUT /api/v1/projects/{pid}/requirements/{rid} {status}` to move a requirement's verification state."""

from __future__ import annotations

from typing import Any

from prometheus.config import Settings
from prometheus.core.model import PlanDocument, TaskStatus
from prometheus.core.requirements import TO_REQUIREMENT, plan_from_requirements
from prometheus.integrations.http import PeerClient, unavailable


class TelosConnector:
    def __init__(self, settings: Settings):
        self.client = PeerClient("telos", settings)

    @property
    def configured(self) -> bool:
        return self.client.configured

    async def get_project(self, project_id: str) -> dict:
        data = await self.client.request("GET", f"/api/v1/projects/{project_id}")
        if not isinstance(data, dict):
            raise unavailable("telos", "answered without a project")
        return data

    async def get_requirements(self, project_id: str) -> list[dict]:
        data = await self.client.request("GET", f"/api/v1/projects/{project_id}/requirements")
        if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
            raise unavailable("telos", "answered without a requirements list")
        return [r for r in data["requirements"] if isinstance(r, dict)]

    @staticmethod
    def create_plan_from_requirements(
        requirements: list[dict], *, name: str, project_id: str, dependency_mapping: bool = True
    ) -> tuple[PlanDocument, list[dict[str, Any]]]:
        return plan_from_requirements(
            requirements, name=name, project_id=project_id, dependency_mapping=dependency_mapping
        )

    async def update_requirement_status(
        self, project_id: str, requirement_id: str, status: TaskStatus
    ) -> str:
        """Move the requirement to the state its task's status means; the state sent."""
        state = TO_REQUIREMENT[status]
        await self.client.request(
            "PUT", f"/api/v1/projects/{project_id}/requirements/{requirement_id}", json={"status": state}
        )
        return state
