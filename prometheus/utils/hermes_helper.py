"""`HermesHelper`, as the integration guide imports it; it lives in `prometheus.integrations.hermes`."""

from prometheus.integrations.hermes import HermesHelper

__all__ = ["HermesHelper"]
