"""Bearer tokens with scopes: `read` (look), `write` (change plans), `admin` (webhooks, everything).

Tokens come from PROMETHEUS_API_TOKENS (`token:read+write,other:admin`) and from the `api_tokens` table
(`prometheus tokens create`, stored as SHA-256). Authentication is off only when the server is bound to a
loopback address and no token exists anywhere; the start-up log says which. `/health`, the OpenAPI
documents and the page shell are open; the page asks for a token when the API wants one. With
authentication off, a WebSocket opened by a page of another site is refused (`foreign_origin`).
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

    def scopes(self, db: Database, token: str) -> set[str] | None:
        digest = hash_token(token)
        for known, scopes in self.static.items():
            if hmac.compare_digest(known, digest):
                return scopes
        hit = self._cache.get(digest)
        if hit and hit[0] > time.monotonic():
            return hit[1]
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
            origin = foreign_origin(scope, policy.settings) if scope["type"] == "websocket" else None
            if origin:
                await _close(receive, send, 4403, f"a page of {origin} may not open this WebSocket"[:120])
                return
            await self.app(scope, receive, send)
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

        granted = await run_in_threadpool(policy.scopes, scope["app"].state.db, token) if token else None
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
