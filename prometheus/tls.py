"""One TLS context per process for every outgoing HTTP client (peers, webhooks, the Python client, MCP's
remote API): httpx otherwise builds one per client, loading the CA bundle each time (about 18 ms of CPU,
45 ms on a slow machine), and the connectors and the async client make a client per call."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def context() -> ssl.SSLContext:
    """httpx's default context (certifi's CAs, or those SSL_CERT_FILE / SSL_CERT_DIR name), made once."""
    return httpx.create_ssl_context()
