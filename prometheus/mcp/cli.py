"""`prometheus mcp`: the MCP server over stdio, for desktop agents."""

from __future__ import annotations

import typer


def mcp_command(
    url: str | None = typer.Option(
        None,
        "--url",
        envvar="PROMETHEUS_URL",
        help="A running Prometheus server; default: work in this process on the configured database",
    ),
    token: str | None = typer.Option(
        None, "--token", envvar="PROMETHEUS_TOKEN", help="Bearer token for the API (when it wants one)"
    ),
) -> None:
    """Serve the MCP tools over stdio (add `prometheus mcp` to a desktop agent's MCP servers)."""
    import anyio
    import httpx

    from prometheus.cli.common import UsageProblem
    from prometheus.config import get_settings
    from prometheus.mcp.server import serve_stdio

    try:
        httpx.URL(url or "")
    except httpx.InvalidURL as exc:  # else an unexpected InvalidURL once the tools start
        raise UsageProblem(f"--url {url!r} is not a URL: {exc}") from None

    anyio.run(lambda: serve_stdio(get_settings(), url=url, token=token))
