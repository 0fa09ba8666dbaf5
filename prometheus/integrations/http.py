"""The one HTTP client every connector uses: async httpx, a timeout, retries with exponential backoff,
a circuit breaker per peer, the auth token header, and structured logs on `prometheus.integration`.

Peer URLs come from the settings (`TELOS_URL`, ...) or, when only `HERMES_URL` is set, from Hermes's
registry (`GET /api/components/{name}`). Every failure surfaces as `IntegrationUnavailable` (HTTP 503,
error_code INTEGRATION_UNAVAILABLE, the peer's name in `details.peer`), never as a stand-in answer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential

from prometheus.config import Settings
from prometheus.errors import PrometheusError

log = logging.getLogger("prometheus.integration")
PEERS = ("telos", "rhetor", "engram", "synthesis", "hermes")


class IntegrationUnavailable(PrometheusError):
    error_code = "INTEGRATION_UNAVAILABLE"
    http_status = 503


class _Retryable(Exception):
    """A failure worth another try: the peer is unreachable, slow, or answered 5xx."""


@dataclass
class Breaker:
    """Opens after `threshold` failed calls in a row; while open, calls fail at once; after `reset_after`
    seconds one trial call goes through (half-open) and its outcome closes or reopens it."""

    threshold: int = 5
    reset_after: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    last_error: str | None = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if time.monotonic() - self.opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self) -> None:
        self.failures, self.opened_at, self.last_error = 0, None, None

    def failure(self, error: str) -> None:
        self.failures += 1
        self.last_error = error
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = time.monotonic()


_breakers: dict[str, Breaker] = {}  # peer name -> its breaker, shared by every connector in the process
_discovered: dict[str, str] = {}  # peer name -> URL found through Hermes


def breaker(peer: str, settings: Settings) -> Breaker:
    if peer not in _breakers:
        _breakers[peer] = Breaker(settings.integration_breaker_threshold, settings.integration_breaker_reset)
    return _breakers[peer]


def configure_logging(settings: Settings) -> None:
    """Write integration calls to `INTEGRATION_LOG_FILE` as well, when it is set."""
    if settings.integration_log_file and not any(isinstance(h, logging.FileHandler) for h in log.handlers):
        handler = logging.FileHandler(settings.integration_log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def unavailable(peer: str, reason: str, **details: Any) -> IntegrationUnavailable:
    return IntegrationUnavailable(
        f"{peer} is unavailable: {reason}", details={"peer": peer, "reason": reason, **details}
    )


class PeerClient:
    """Async calls to one peer."""

    def __init__(self, peer: str, settings: Settings, *, base_url: str | None = None):
        self.peer = peer
        self.settings = settings
        self._url = (base_url or getattr(settings, f"{peer}_url", None) or "").rstrip("/")
        token = settings.integration_token
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def configured(self) -> bool:
        """A URL is set, or Hermes is there to ask for one."""
        return bool(self._url or (self.peer != "hermes" and self.settings.hermes_url))

    @property
    def base_url(self) -> str:
        return self._url or _discovered.get(self.peer, "")

    async def resolve(self) -> str:
        """The peer's base URL; IntegrationUnavailable when it is neither set nor known to Hermes."""
        if self._url:
            return self._url
        if self.peer in _discovered:
            return _discovered[self.peer]
        if self.peer == "hermes" or not self.settings.hermes_url:
            raise IntegrationUnavailable(
                f"{self.peer} is not configured: set {self.peer.upper()}_URL (or HERMES_URL to discover it)",
                details={"peer": self.peer, "reason": "not configured"},
            )
        hermes = PeerClient("hermes", self.settings)
        try:
            found = await hermes.request("GET", f"/api/components/{self.peer}")
        except IntegrationUnavailable as exc:
            raise unavailable(self.peer, f"not found through Hermes ({exc.message})") from None
        url = found.get("endpoint") if isinstance(found, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise unavailable(self.peer, "Hermes knows no endpoint for it")
        _discovered[self.peer] = url.rstrip("/")
        log.info("peer=%s discovered at %s through Hermes", self.peer, url)
        return _discovered[self.peer]

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict | None = None,
        headers: dict | None = None,
        expect_json: bool = True,
    ) -> Any:
        """The peer's JSON answer; IntegrationUnavailable when it cannot give one."""
        base = await self.resolve()
        gate = breaker(self.peer, self.settings)
        if not gate.allow():
            raise unavailable(
                self.peer, f"circuit open after {gate.failures} failures ({gate.last_error})", circuit="open"
            )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.integration_retry_count + 1),
            wait=wait_exponential(multiplier=self.settings.integration_retry_delay, max=30),
            retry=retry_if_exception_type(_Retryable),
            reraise=False,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    n = attempt.retry_state.attempt_number
                    result = await self._once(method, base + path, json, params, headers, n, expect_json)
        except RetryError as exc:
            reason = str(exc.last_attempt.exception())
            gate.failure(reason)
            raise unavailable(self.peer, reason) from None
        except IntegrationUnavailable as exc:
            if "status" in exc.details:  # a 4xx: the peer is up and said no
                gate.success()
            else:  # malformed answers count against the peer
                gate.failure(exc.message)
            raise
        gate.success()
        return result

    async def _once(
        self,
        method: str,
        url: str,
        body: Any,
        params: dict | None,
        headers: dict | None,
        attempt: int,
        expect_json: bool,
    ) -> Any:
        started = time.perf_counter()
        try:
            async with httpx.AsyncClient(timeout=self.settings.integration_timeout) as http:
                response = await http.request(
                    method, url, json=body, params=params, headers=self.headers | (headers or {})
                )
        except httpx.HTTPError as exc:
            log.warning("peer=%s method=%s url=%s attempt=%d error=%r", self.peer, method, url, attempt, exc)
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        ms = round((time.perf_counter() - started) * 1000)
        log.info(
            "peer=%s method=%s url=%s status=%d ms=%d attempt=%d",
            self.peer,
            method,
            url,
            response.status_code,
            ms,
            attempt,
        )
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise IntegrationUnavailable(
                f"{self.peer} refused the request: HTTP {response.status_code} {response.text[:200]}",
                details={"peer": self.peer, "status": response.status_code},
            )
        if not expect_json:
            return None
        try:
            return response.json()
        except ValueError:
            raise unavailable(self.peer, "malformed JSON in its answer") from None


def run_sync(fn: Any, *args: Any) -> Any:
    """Run an async connector call from a sync route (FastAPI runs those in worker threads)."""
    return anyio.from_thread.run(fn, *args)


def status(settings: Settings) -> list[dict]:
    """Each peer: where it is, and what its circuit says."""
    out = []
    for peer in PEERS:
        client = PeerClient(peer, settings)
        gate = _breakers.get(peer)
        out.append(
            {
                "peer": peer,
                "configured": client.configured,
                "url": client.base_url or None,
                "circuit": gate.state if gate else "closed",
                "last_error": gate.last_error if gate else None,
            }
        )
    return out
