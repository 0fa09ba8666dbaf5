"""`SynthesisConnector`, as the integration guide imports it; it lives in
`prometheus.integrations.synthesis`."""

from prometheus.integrations.synthesis import SynthesisConnector

__all__ = ["SynthesisConnector"]
