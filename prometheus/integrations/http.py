"""The HTTP client every connector uses: timeout, retries with exponential backoff, structured logging."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from prometheus.config import Settings
from prometheus.errors import PrometheusError

log = logging.getLogger("prometheus.integration")


class IntegrationUnavailable(PrometheusError):
    error_code = "INTEGRATION_UNAVAILABLE"
    http_status = 503


class _Retryable(Exception):
    """A failure worth another try: the peer is unreachable, slow, or answered 5xx."""


class PeerClient:
    """Calls to one peer; `configured` is False when its URL is not set."""

    def __init__(self, peer: str, base_url: str | None, settings: Settings, token: str | None = None):
        self.peer = peer
        self.base_url = (base_url or "").rstrip("/")
        self.settings = settings
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    def request(self, method: str, path: str, *, json: Any = None) -> Any:
        """The peer's JSON answer; IntegrationUnavailable when it cannot give one."""
        if not self.configured:
            raise IntegrationUnavailable(
                f"{self.peer} is not configured", details={"peer": self.peer, "reason": "not configured"}
            )
        url = self.base_url + path
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.integration_retry_count + 1),
            wait=wait_exponential(multiplier=self.settings.integration_retry_delay, max=30),
            retry=retry_if_exception_type(_Retryable),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, url, json, attempt.retry_state.attempt_number)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise IntegrationUnavailable(
                f"{self.peer} is unavailable: {cause}", details={"peer": self.peer, "reason": str(cause)}
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, url: str, json: Any, attempt: int) -> Any:
        started = time.perf_counter()
        try:
            response = httpx.request(
                method, url, json=json, headers=self.headers, timeout=self.settings.integration_timeout
            )
        except httpx.HTTPError as exc:
            log.warning("peer=%s url=%s attempt=%d error=%r", self.peer, url, attempt, exc)
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        elapsed = round((time.perf_counter() - started) * 1000)
        log.info(
            "peer=%s %s %s -> %d in %d ms (attempt %d)",
            self.peer,
            method,
            url,
            response.status_code,
            elapsed,
            attempt,
        )
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise IntegrationUnavailable(
                f"{self.peer} refused the request: HTTP {response.status_code}",
                details={"peer": self.peer, "status": response.status_code},
            )
        try:
            return response.json()
        except ValueError:
            raise IntegrationUnavailable(
                f"{self.peer} answered with malformed JSON", details={"peer": self.peer}
            ) from None
