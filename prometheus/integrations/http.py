"""The one HTTP client every connector uses: async httpx, retries with exponential backoff inside one overall
deadline, a circuit breaker per peer, the auth token header, and structured logs on `prometheus.integration`.

Where a peer is: the connector's `base_url=`, else its `*_URL` setting (`TELOS_URL`, ...), else the
integration guide's default (`http://localhost:8008/api`, ...). A URL may end in `/api` or not:
connectors join the peer's real paths (`/api/v1/...`) to its origin. A peer left at its default is looked
up in Hermes first when `HERMES_URL` is set. A default peer that nothing listens for is reported at once,
without retries, and logged quietly: its absence is the normal case on a machine without Tekton. An empty
`*_URL` turns a peer off.

Every failure surfaces as `IntegrationUnavailable` (HTTP 503, error_code INTEGRATION_UNAVAILABLE, the peer's
name in `details.peer`), never as a stand-in answer. A call takes at most `INTEGRATION_TIMEOUT` seconds in
all, retries and backoff included.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
from tenacity import AsyncRetrying, RetryError, retry_if_exception, stop_after_attempt, wait_exponential

from prometheus import tls
from prometheus.config import Settings, get_settings
from prometheus.errors import PrometheusError

log = logging.getLogger("prometheus.integration")
PEERS = ("telos", "rhetor", "engram", "synthesis", "hermes")
# where each peer's REST resources live below its origin (what `{url}/projects/...` needs in front)
API_ROOTS = {
    "telos": "/api/v1",
    "rhetor": "/api/v1",
    "synthesis": "/api/v1",
    "engram": "/api",
    "hermes": "/api",
}


class IntegrationUnavailable(PrometheusError):
    error_code = "INTEGRATION_UNAVAILABLE"
    http_status = 503


class _Retryable(Exception):
    """A failure worth another try (the peer is unreachable, slow, or answered 5xx), unless `again` is
    False: nothing listens where a peer was only assumed to be."""

    def __init__(self, message: str, *, again: bool = True):
        super().__init__(message)
        self.again = again


def origin(url: str) -> str:
    """A peer URL without its API suffix: `http://h:8008/api`, `http://h:8008/api/v1` and `http://h:8008`
    are the same peer."""
    url = url.strip().rstrip("/")
    for suffix in ("/api/v1", "/api"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


@dataclass
class Breaker:
    """Opens after `threshold` failed calls in a row; while open, calls fail at once; after `reset_after`
    seconds one trial call goes through (half-open) and its outcome closes or reopens it. It also keeps
    what the last call said, for health."""

    threshold: int = 5
    reset_after: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    last_error: str | None = None
    last_ok_at: str | None = None
    available: bool | None = None  # None until a call was made

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if time.monotonic() - self.opened_at >= self.reset_after else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self) -> None:
        self.failures, self.opened_at, self.last_error, self.available = 0, None, None, True
        self.last_ok_at = datetime.now(UTC).isoformat(timespec="seconds")

    def failure(self, error: str) -> None:
        self.failures += 1
        self.last_error, self.available = error, False
        if self.failures >= self.threshold or self.opened_at is not None:
            self.opened_at = time.monotonic()


_breakers: dict[tuple[str, str], Breaker] = {}  # (peer, origin) -> its breaker, shared in the process
_discovered: dict[str, str] = {}  # peer name -> origin found through Hermes


def breaker(peer: str, url: str, settings: Settings) -> Breaker:
    key = (peer, url)
    if key not in _breakers:
        _breakers[key] = Breaker(settings.integration_breaker_threshold, settings.integration_breaker_reset)
    return _breakers[key]


def configure_logging(settings: Settings) -> None:
    """Write integration calls to `INTEGRATION_LOG_FILE` as well, when it is set."""
    if settings.integration_log_file and not any(isinstance(h, logging.FileHandler) for h in log.handlers):
        handler = logging.FileHandler(settings.integration_log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def unavailable(peer: str, reason: str, **details: Any) -> IntegrationUnavailable:
    """The 503 for a peer; its message names the peer's `url` when given (where it was looked for)."""
    where = f" at {details['url']}" if details.get("url") else ""
    return IntegrationUnavailable(
        f"{peer} is unavailable{where}: {reason}", details={"peer": peer, "reason": reason, **details}
    )


class PeerClient:
    """Async calls to one peer."""

    def __init__(self, peer: str, settings: Settings | None = None, *, base_url: str | None = None):
        self.peer = peer
        self.settings = settings or get_settings()
        if base_url is not None:
            url, self.source = base_url, "argument"
        else:
            url, explicit = self.settings.peer_url(peer)
            self.source = "environment" if explicit else "default"
        self._url = origin(url or "")
        token = self.settings.integration_token
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    @property
    def explicit(self) -> bool:
        """The peer's URL was given (argument or environment), not assumed from the guide's defaults."""
        return self.source != "default"

    @property
    def configured(self) -> bool:
        """The peer is not turned off (an empty URL)."""
        return bool(self._url)

    @property
    def base_url(self) -> str:
        return _discovered.get(self.peer, self._url) if self._discoverable else self._url

    @property
    def api_url(self) -> str:
        """Where the peer's REST resources live (`http://h:8008/api/v1` for Telos)."""
        return self.base_url + API_ROOTS[self.peer]

    @property
    def _discoverable(self) -> bool:
        return self.source == "default" and self.peer != "hermes" and self.settings.peer_url("hermes")[1]

    async def resolve(self) -> str:
        """The peer's origin: as configured, or (a default peer, with HERMES_URL set) as Hermes knows it."""
        if not self._url:
            raise IntegrationUnavailable(
                f"{self.peer} is turned off: {self.peer.upper()}_URL is empty",
                details={"peer": self.peer, "reason": "turned off"},
            )
        if not self._discoverable:
            return self._url
        if self.peer not in _discovered:
            try:
                found = await PeerClient("hermes", self.settings).request(
                    "GET", f"/api/components/{self.peer}"
                )
            except IntegrationUnavailable as exc:
                log.info(
                    "peer=%s not found through Hermes (%s); trying %s", self.peer, exc.message, self._url
                )
                return self._url
            url = found.get("endpoint") if isinstance(found, dict) else None
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                log.info("peer=%s: Hermes knows no endpoint for it; trying %s", self.peer, self._url)
                return self._url
            _discovered[self.peer] = origin(url)
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
        """The peer's JSON answer; IntegrationUnavailable when it cannot give one in INTEGRATION_TIMEOUT."""
        base = await self.resolve()
        gate = breaker(self.peer, base, self.settings)
        if not gate.allow():
            raise unavailable(
                self.peer, f"circuit open after {gate.failures} failures ({gate.last_error})", circuit="open"
            )
        deadline = self.settings.integration_timeout
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.integration_retry_count + 1),
            wait=wait_exponential(multiplier=self.settings.integration_retry_delay, max=30),
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable) and e.again),
            reraise=False,
        )
        started = time.monotonic()
        try:
            with anyio.fail_after(deadline):
                async for attempt in retrying:
                    with attempt:
                        n = attempt.retry_state.attempt_number
                        result = await self._once(method, base + path, json, params, headers, n, expect_json)
        except (RetryError, _Retryable, TimeoutError) as exc:
            if isinstance(exc, RetryError):
                tries = exc.last_attempt.attempt_number
                spent = time.monotonic() - started
                reason = f"{exc.last_attempt.exception()} ({tries} tries in {spent:.1f} s)"
            elif isinstance(exc, TimeoutError):
                reason = f"Timeout: no answer within {deadline:g} s (INTEGRATION_TIMEOUT)"
            else:
                reason = str(exc)
            gate.failure(reason)
            raise unavailable(self.peer, reason, url=base) from None
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
            # the overall deadline (request()) ends a slow attempt; this bound only backs it up
            async with httpx.AsyncClient(
                timeout=self.settings.integration_timeout + 1, verify=tls.context()
            ) as http:
                response = await http.request(
                    method, url, json=body, params=params, headers=self.headers | (headers or {})
                )
        except httpx.HTTPError as exc:
            if not self.explicit and isinstance(exc, httpx.ConnectError):
                log.debug(
                    "peer=%s method=%s url=%s: nothing listens at the default URL", self.peer, method, url
                )
                name = f"{self.peer.upper()}_URL"
                raise _Retryable(
                    f"not running: nothing listens at {url} (the default {name}; set {name} to where "
                    "it runs, or to an empty value to turn it off)",
                    again=False,
                ) from exc
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
    """Each peer: where it is and why there, whether it answered the last call, what its circuit says."""
    out = []
    for peer in PEERS:
        client = PeerClient(peer, settings)
        gate = _breakers.get((peer, client.base_url))
        out.append(
            {
                "peer": peer,
                "url": client.api_url if client.configured else None,
                "source": "hermes" if peer in _discovered and client._discoverable else client.source,
                "configured": client.configured,
                "available": gate.available if gate else None,
                "last_ok_at": gate.last_ok_at if gate else None,
                "circuit": gate.state if gate else "closed",
                "last_error": gate.last_error if gate else None,
            }
        )
    return out
