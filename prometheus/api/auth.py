"""Bearer tokens with scopes: `read` (look), `write` (change plans), `admin` (webhooks, everything).

Tokens come from PROMETHEUS_API_TOKENS (`token:read+write,other:admin`) and from the `api_tokens` table
(`prometheus tokens create`, stored as SHA-256). Authentication is off only when the server is bound to a
loopback address and no token exists anywhere; the start-up log says which. `/health`, the OpenAPI
documents and the page shell are open; the page asks for a token when the API wants one. With
authentication off, a request that a web page of another site could make is refused (`browser_refusal`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from prometheus.api.envelope import error
from prometheus.config import Settings
from prometheus.store import Database

log = logging.getLogger("prometheus.auth")
OPEN = ("/health", "/api/health", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/favicon.ico")
CACHED = 10_000  # token lookups remembered (5 seconds each): more, and the expired ones are let go
IMPLIED = {"admin": {"admin", "write", "read"}, "write": {"write", "read"}, "read": {"read"}}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_tokens(spec: str | None) -> dict[str, set[str]]:
    """`tok1:read+write,tok2:admin` -> {hash: scopes}."""
    out: dict[str, set[str]] = {}
    for item in filter(None, (x.strip() for x in (spec or "").split(","))):
        token, _, scopes = item.partition(":")
        granted = {s for s in scopes.split("+") if s} or {"read"}
        unknown = granted - set(IMPLIED)
        if unknown or not token:
            raise ValueError(f"PROMETHEUS_API_TOKENS: bad entry {item[:8]}... (scopes: read, write, admin)")
        out[hash_token(token)] = set().union(*(IMPLIED[s] for s in granted))
    return out


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


WS_WRITE_ACTIONS = {"update_task"}  # WebSocket messages that change data need what a REST write needs


def needed_scope(method: str, path: str) -> str:
    if path.startswith("/api/webhooks"):
        return "admin"
    if method in ("GET", "HEAD", "OPTIONS") or path == "/mcp":  # each MCP tool's API calls are checked
        return "read"
    return "write"


class AuthPolicy:
    """Which tokens exist and what they may do; whether authentication is on."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.static = parse_tokens(settings.api_tokens)
        self._cache: dict[str, tuple[float, set[str] | None]] = {}
        self.enabled: bool | None = None  # decided at start-up, when the database is there

    def decide(self, db: Database) -> None:
        with db.store(write=False) as store:
            stored = store.active_token_count()
        loopback = is_loopback(self.settings.host)
        self.enabled = bool(self.static or stored or not loopback)
        if self.enabled:
            log.warning(
                "authentication is ON (%d configured, %d stored tokens)%s",
                len(self.static),
                stored,
                "" if (self.static or stored) else ": no token exists, so every API call is refused",
            )
        else:
            log.warning(
                "authentication is OFF: bound to loopback (%s) and no tokens configured", self.settings.host
            )

    def known(self, token: str) -> tuple[bool, set[str] | None]:
        """(True, the token's scopes or None) where they are known without the database: a configured
        token, or one looked up in the last seconds; else (False, None), for `scopes` to look it up."""
        digest = hash_token(token)
        for known, scopes in self.static.items():
            if hmac.compare_digest(known, digest):
                return True, scopes
        hit = self._cache.get(digest)
        if hit and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def scopes(self, db: Database, token: str) -> set[str] | None:
        known, scopes = self.known(token)
        if known:
            return scopes
        digest = hash_token(token)
        with db.store(write=False) as store:
            row = store.token_by_hash(digest)
        scopes = set().union(*(IMPLIED[s] for s in row.scopes)) if row and not row.revoked else None
        now = time.monotonic()
        if len(self._cache) >= CACHED:  # each token tried, valid or not, was kept for good: a flood of
            # made-up tokens grew the process without bound
            self._cache = {d: hit for d, hit in self._cache.items() if hit[0] > now}
            if len(self._cache) >= CACHED:
                self._cache.clear()
        self._cache[digest] = (now + 5, scopes)  # a revoked token stops within seconds
        return scopes


class TokenAuth:
    """ASGI middleware checking the bearer token of every API and WebSocket request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        policy: AuthPolicy | None = getattr(scope["app"].state, "auth", None) if "app" in scope else None
        if scope["type"] not in ("http", "websocket") or policy is None:
            await self.app(scope, receive, send)
            return
        if not policy.enabled:
            refusal = browser_refusal(scope, policy.settings)
            if refusal is None:
                await self.app(scope, receive, send)
            elif scope["type"] == "websocket":
                await _close(receive, send, 4403, refusal[2][:120])
            else:
                await error(*refusal)(scope, receive, send)
            return
        path = scope["path"]
        if scope["type"] == "http" and (path in OPEN or path == "/" or path.startswith(("/docs", "/web/"))):
            await self.app(scope, receive, send)
            return
        # header bytes as HTTP carries them (latin-1 reads any byte): a value that is not UTF-8 is a bad token
        given = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"authorization"]
        token = given[0] if len(given) == 1 else ""  # two are refused: never granted on one of them
        token = token[7:].strip() if token.lower().startswith("bearer ") else ""
        if not token and len(given) < 2 and scope["type"] == "websocket":  # browsers set no WebSocket headers
            token = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]
        method = scope.get("method", "GET")

        known, granted = policy.known(token) if token else (True, None)
        if not known:  # a thread of the pool for the database, not for each request
            granted = await run_in_threadpool(policy.scopes, scope["app"].state.db, token)
        if granted is None:
            status, code, msg = (
                401,
                "UNAUTHORIZED",
                "a valid bearer token is required (Authorization: Bearer ...)"
                if len(given) < 2
                else "one Authorization header, not several",
            )
        elif needed_scope(method, path) not in granted:
            status, code = 403, "FORBIDDEN"
            msg = f"this token lacks the '{needed_scope(method, path)}' scope"
        else:
            scope.setdefault("state", {})["scopes"] = granted  # later checks per message (/ws)
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await _close(receive, send, 4401 if status == 401 else 4403, msg[:120])
            return
        response = error(status, code, msg)
        response.headers["WWW-Authenticate"] = "Bearer"
        await response(scope, receive, send)


async def _close(receive: Receive, send: Send, code: int, reason: str) -> None:
    """Refuse a WebSocket: accept it, then close it with a code and reason a browser can read."""
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code, "reason": reason})


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
NEVER_PUBLIC = ("localhost", "test", "invalid", "example")  # top-level names no public DNS answers (RFC 6761)


def browser_refusal(scope: Scope, settings: Settings) -> tuple[int, str, str] | None:
    """Why a request must be refused while authentication is off (status, error code, message), else None.
    Nothing else stops a web page the user visits from using the API then: a site whose name it points at
    127.0.0.1 after the page loaded (DNS rebinding) reads and changes every plan as if it were this
    server's own page, so a Host that names a public DNS name is refused (421); and any site can send a
    form or a no-CORS fetch that changes plans (the answer unread, the change made), so a write or a
    WebSocket from a page of another site is refused (403). `/mcp` has the MCP SDK's own checks."""
    if scope.get("path") == "/mcp":
        return None
    headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    host = headers.get(b"host")
    if host is not None and not _local_name(host, settings):
        return (
            421,
            "MISDIRECTED_REQUEST",
            f"this server answers to its loopback address, not {host[:100]!r}: with authentication off, "
            "another name could be a web page's (DNS rebinding); set PROMETHEUS_PUBLIC_URL to the name it "
            "is reached by",
        )
    if scope["type"] == "http" and scope.get("method") not in UNSAFE:
        return None
    origin = foreign_origin(scope, settings)
    if origin is None:
        return None
    what = "open this WebSocket" if scope["type"] == "websocket" else "change plans here"
    return 403, "FORBIDDEN", f"a page of {origin[:100]} may not {what} (authentication is off)"


def _local_name(host: str, settings: Settings) -> bool:
    """A Host header no web page of another site can send: an IP address, `localhost` or a name under it,
    a name of one label (the machine's own, a container's), a name no public DNS answers, or
    PROMETHEUS_PUBLIC_URL's."""
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:  # a port that is not a number, an unclosed bracket
        return False
    if settings.public_url and host.lower() == urlsplit(settings.public_url).netloc.lower():
        return True
    if "." not in name.rstrip(".") or name.rstrip(".").rpartition(".")[2] in NEVER_PUBLIC:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def foreign_origin(scope: Scope, settings: Settings) -> str | None:
    """The Origin of a page of another site opening a WebSocket, else None (no Origin: not a browser).
    While authentication is off nothing else stops one: a WebSocket has no CORS, so any site the user
    visits could follow every plan over /ws and change tasks (cross-site WebSocket hijacking). Its own
    page (Origin as Host, or X-Forwarded-Host behind a proxy) and PROMETHEUS_PUBLIC_URL may."""
    headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    origin = headers.get(b"origin")
    if origin is None:
        return None
    own = {headers.get(b"host"), headers.get(b"x-forwarded-host")}
    if settings.public_url:
        own.add(urlsplit(settings.public_url).netloc)
    return None if urlsplit(origin).netloc in own - {None} else origin


def ws_refusal(scopes: set[str] | None, action: object) -> str | None:
    """Why a WebSocket message may not run with these scopes (None: it may; `scopes` None: auth is off)."""
    needed = "write" if action in WS_WRITE_ACTIONS else "read"
    if scopes is None or needed in scopes:
        return None
    return f"this token lacks the '{needed}' scope"
