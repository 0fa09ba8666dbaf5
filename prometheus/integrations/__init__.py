"""Connectors to the other Tekton components, one module per peer, on one resilient HTTP client."""
