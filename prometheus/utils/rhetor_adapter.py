"""`RhetorAdapter`, as the integration guide imports it; it lives in `prometheus.integrations.rhetor`."""

from prometheus.integrations.rhetor import RhetorAdapter

__all__ = ["RhetorAdapter"]
