"""Prometheus for agents: an MCP server over the REST API (see server.py)."""
