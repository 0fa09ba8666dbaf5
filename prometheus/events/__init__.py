"""Events: live fan-out to WebSocket subscribers."""
