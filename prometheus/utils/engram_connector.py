"""`EngramConnector`, as the integration guide imports it; it lives in `prometheus.integrations.engram`."""

from prometheus.integrations.engram import EngramConnector

__all__ = ["EngramConnector"]
