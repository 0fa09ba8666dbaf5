"""Prometheus: the planning engine of the Tekton ecosystem."""

__version__ = "0.1.0"
