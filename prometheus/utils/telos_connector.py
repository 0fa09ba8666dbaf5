"""`TelosConnector`, as the integration guide imports it; it lives in `prometheus.integrations.telos`."""

from prometheus.integrations.telos import TelosConnector

__all__ = ["TelosConnector"]
