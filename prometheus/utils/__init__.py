"""The integration guide's import paths. Each module names the one connector that lives in
`prometheus.integrations` (one module per Tekton peer, on one resilient HTTP client), so the code the guide
shows and the code the service runs are the same:

    from prometheus.utils.telos_connector import TelosConnector        # prometheus.integrations.telos
    from prometheus.utils.rhetor_adapter import RhetorAdapter          # prometheus.integrations.rhetor
    from prometheus.utils.engram_connector import EngramConnector      # prometheus.integrations.engram
    from prometheus.utils.synthesis_connector import SynthesisConnector  # prometheus.integrations.synthesis
    from prometheus.utils.hermes_helper import HermesHelper            # prometheus.integrations.hermes
"""
