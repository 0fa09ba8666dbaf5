"""Domain errors; the API turns each into the standard error envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class PrometheusError(Exception):
    error_code = "INTERNAL_ERROR"
    http_status = 500

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, http_status: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if http_status is not None:
            self.http_status = http_status


class ValidationFailed(PrometheusError):
    error_code = "VALIDATION_ERROR"
    http_status = 422


class NotFound(PrometheusError):
    error_code = "NOT_FOUND"
    http_status = 404


class DependencyError(PrometheusError):
    error_code = "DEPENDENCY_ERROR"
    http_status = 409


class ResourceConflict(PrometheusError):
    """The request conflicts with the stored state (a duplicate, a record still in use)."""

    error_code = "RESOURCE_CONFLICT"
    http_status = 409


class VersionConflict(ResourceConflict):
    """The client's version of a record is stale (If-Match / `version`)."""


DATABASE_DOWN = "the database is unavailable; retry shortly"  # what a 503 for a lost database says


class ServiceUnavailable(PrometheusError):
    error_code = "SERVICE_UNAVAILABLE"
    http_status = 503


class HierarchyLoop(DependencyError):
    """The stored task hierarchy has a loop (written around the rules): the plan must be repaired first."""

    error_code = "HIERARCHY_LOOP"


class PlanTooLarge(PrometheusError):
    """A plan beyond the size one plan may have (tasks, links, resources)."""

    error_code = "PLAN_TOO_LARGE"
    http_status = 413


def plain_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors as an answer's `details.errors` hold them: where, what, which kind."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors
    ]


def summary(errors: list[dict[str, Any]]) -> str:
    """The first five of `plain_errors`, as a VALIDATION_ERROR's message says them (`loc: msg; ...`)."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
