"""The client's errors: each failure of a call is one of these, never a raw httpx exception.

PrometheusError                     anything Prometheus raises (prometheus.errors.PrometheusError)
├── ServerUnreachableError          nothing (usable) answered at the URL
└── PrometheusAPIError              the server answered with an error envelope: status, error_code,
    │                               message, details
    ├── ValidationError             400/413/422 (VALIDATION_ERROR, BAD_REQUEST, PAYLOAD_TOO_LARGE)
    ├── AuthenticationError         401: no token or an unknown one
    ├── PermissionDeniedError       403: the token lacks the scope
    ├── NotFoundError               404
    ├── ConflictError               409 RESOURCE_CONFLICT: a stale version or a duplicate
    ├── DependencyError             DEPENDENCY_ERROR: a link that closes a cycle or names unknown tasks
    └── UnavailableError            503: the database or a Tekton peer (INTEGRATION_UNAVAILABLE)
"""

from __future__ import annotations

from typing import Any

import httpx

from prometheus.errors import PrometheusError


class PrometheusAPIError(PrometheusError):
    """The server refused the call: `status` (HTTP), `error_code`, `message`, `details`."""

    def __init__(self, status: int, error_code: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message, details=details, http_status=status)
        self.status = status
        self.error_code = error_code

    def __str__(self) -> str:
        return f"{self.status} {self.error_code}: {self.message}"


class ValidationError(PrometheusAPIError):
    """The request was malformed or broke a rule (400, 413, 422)."""


class AuthenticationError(PrometheusAPIError):
    """401: the server wants a token (`token=` or PROMETHEUS_TOKEN) and got none it knows."""


class PermissionDeniedError(PrometheusAPIError):
    """403: the token is valid but lacks the scope (read, write, admin) the call needs."""


class NotFoundError(PrometheusAPIError):
    """404: no such plan, task, resource, ..."""


class ConflictError(PrometheusAPIError):
    """409: a stale version (reload and retry) or a duplicate."""


class DependencyError(PrometheusAPIError):
    """A link that would close a cycle (`details.cycle`), or that names tasks the plan does not have."""


class UnavailableError(PrometheusAPIError):
    """503: the database, or a Tekton peer (`details.peer`), cannot answer now."""


class ServerUnreachableError(PrometheusError):
    """Nothing answered at the client's URL, or what answered is not Prometheus."""

    error_code = "SERVER_UNREACHABLE"
    http_status = 503

    def __init__(self, message: str, url: str):
        super().__init__(message, details={"url": url})
        self.url = url


_BY_CODE: dict[str, type[PrometheusAPIError]] = {
    "DEPENDENCY_ERROR": DependencyError,
    "VALIDATION_ERROR": ValidationError,
    "NOT_FOUND": NotFoundError,
    "RESOURCE_CONFLICT": ConflictError,
    "UNAUTHORIZED": AuthenticationError,
    "FORBIDDEN": PermissionDeniedError,
    "SERVICE_UNAVAILABLE": UnavailableError,
    "INTEGRATION_UNAVAILABLE": UnavailableError,
}
_BY_STATUS: dict[int, type[PrometheusAPIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    422: ValidationError,
    503: UnavailableError,
}


def raise_for(response: httpx.Response) -> None:
    """The error an error answer stands for (nothing for a success)."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("error_code") or "HTTP_ERROR")
    message = str(body.get("message") or body.get("detail") or response.text[:300] or response.reason_phrase)
    details = body.get("details") if isinstance(body.get("details"), dict) else None
    cls = _BY_CODE.get(code) or _BY_STATUS.get(response.status_code, PrometheusAPIError)
    raise cls(response.status_code, code, message, details)


def unsendable(exc: Exception) -> ValidationError:
    """A request that cannot be put on the wire (a URL or token that is not one, a body that is not JSON:
    NaN, a lone surrogate): the caller's mistake, said as such."""
    return ValidationError(400, "VALIDATION_ERROR", f"the request cannot be sent: {exc}")


def unreachable(url: str, exc: httpx.TransportError, timeout: float) -> ServerUnreachableError:
    """What a transport failure means to the user, and what to do about it."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ServerUnreachableError(f"no Prometheus at {url} — start it with `prometheus serve`", url)
    if isinstance(exc, httpx.TimeoutException):
        return ServerUnreachableError(f"Prometheus at {url} did not answer within {timeout:g} s", url)
    return ServerUnreachableError(f"the connection to Prometheus at {url} failed: {exc!r}", url)
