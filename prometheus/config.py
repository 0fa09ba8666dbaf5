"""Configuration from environment variables (see README)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PEER_DEFAULTS = {
    "hermes": "http://localhost:8000/api",
    "telos": "http://localhost:8008/api",
    "rhetor": "http://localhost:8003/api",
    "engram": "http://localhost:8001/api",
    "synthesis": "http://localhost:8009/api",
}


def prometheus_url() -> str:
    """Where a client finds Prometheus: `PROMETHEUS_URL`, else `http://127.0.0.1:$PROMETHEUS_PORT` (8006)."""
    return os.environ.get("PROMETHEUS_URL") or f"http://127.0.0.1:{os.environ.get('PROMETHEUS_PORT') or 8006}"


def default_database_url() -> str:
    data_dir = Path.home() / ".prometheus"
    return f"sqlite:///{data_dir / 'prometheus.db'}"


class Settings(BaseSettings):
    """Service settings; every field maps to an environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    host: str = Field("127.0.0.1", validation_alias="PROMETHEUS_HOST")
    port: int = Field(8006, validation_alias="PROMETHEUS_PORT")
    # server processes `prometheus serve` runs (several share the database as replicas do)
    workers: int = Field(1, ge=1, le=64, validation_alias="PROMETHEUS_WORKERS")
    database_url: str = Field(
        default_factory=default_database_url, validation_alias="PROMETHEUS_DATABASE_URL"
    )
    # the Tekton peers, defaulting as the integration guide's table says; an empty value turns a peer off
    hermes_url: str = Field(PEER_DEFAULTS["hermes"], validation_alias="HERMES_URL")
    telos_url: str = Field(PEER_DEFAULTS["telos"], validation_alias="TELOS_URL")
    rhetor_url: str = Field(PEER_DEFAULTS["rhetor"], validation_alias="RHETOR_URL")
    engram_url: str = Field(PEER_DEFAULTS["engram"], validation_alias="ENGRAM_URL")
    synthesis_url: str = Field(PEER_DEFAULTS["synthesis"], validation_alias="SYNTHESIS_URL")
    integration_timeout: float = Field(30.0, validation_alias="INTEGRATION_TIMEOUT")
    integration_retry_count: int = Field(3, validation_alias="INTEGRATION_RETRY_COUNT")
    integration_retry_delay: float = Field(1.0, validation_alias="INTEGRATION_RETRY_DELAY")
    integration_token: str | None = Field(None, validation_alias="INTEGRATION_TOKEN")
    integration_breaker_threshold: int = Field(5, validation_alias="INTEGRATION_BREAKER_THRESHOLD")
    integration_breaker_reset: float = Field(30.0, validation_alias="INTEGRATION_BREAKER_RESET")
    integration_log_file: str | None = Field(None, validation_alias="INTEGRATION_LOG_FILE")
    public_url: str | None = Field(None, validation_alias="PROMETHEUS_PUBLIC_URL")
    hermes_heartbeat: float = Field(30.0, validation_alias="HERMES_HEARTBEAT_INTERVAL")
    synthesis_poll: float = Field(5.0, validation_alias="SYNTHESIS_POLL_INTERVAL")
    webhook_secret: str | None = Field(None, validation_alias="WEBHOOK_SECRET")
    api_tokens: str | None = Field(None, validation_alias="PROMETHEUS_API_TOKENS")
    max_body_bytes: int = Field(64 * 2**20, validation_alias="PROMETHEUS_MAX_BODY_BYTES")
    # PostgreSQL connections each server process keeps open (as many again may be opened under load)
    db_pool_size: int = Field(10, ge=1, le=200, validation_alias="PROMETHEUS_DB_POOL_SIZE")
    webhook_allow_private: bool = Field(False, validation_alias="PROMETHEUS_WEBHOOK_ALLOW_PRIVATE")
    webhook_timeout: float = Field(10.0, validation_alias="PROMETHEUS_WEBHOOK_TIMEOUT")
    webhook_lease: float = Field(60.0, validation_alias="PROMETHEUS_WEBHOOK_LEASE")
    webhook_retry_base: float = Field(5.0, validation_alias="PROMETHEUS_WEBHOOK_RETRY_BASE")
    # retries: 5 s doubling up to 10 h, 20 attempts (about three days); disabled after 5 days of failure only
    webhook_retry_max: float = Field(36_000.0, validation_alias="PROMETHEUS_WEBHOOK_RETRY_MAX")
    webhook_max_attempts: int = Field(20, validation_alias="PROMETHEUS_WEBHOOK_MAX_ATTEMPTS")
    webhook_disable_after: float = Field(
        5 * 86_400.0, validation_alias="PROMETHEUS_WEBHOOK_DISABLE_AFTER_SECONDS"
    )
    dispatch_interval: float = Field(0.2, validation_alias="PROMETHEUS_DISPATCH_INTERVAL")
    # live subscribers: events one may fall behind before it is dropped; events a resume may catch up
    live_queue: int = Field(1000, ge=1, validation_alias="PROMETHEUS_LIVE_QUEUE")
    live_backlog: int = Field(10_000, ge=1, validation_alias="PROMETHEUS_LIVE_BACKLOG")
    # answers kept per plan revision (plan reads, timelines, exports...), all together; one over a quarter of
    # it is rebuilt each time
    cache_mb: int = Field(256, ge=0, validation_alias="PROMETHEUS_CACHE_MB")

    def peer_url(self, peer: str) -> tuple[str, bool]:
        """A peer's URL and whether it was set (environment or code) rather than the guide's default."""
        return getattr(self, f"{peer}_url"), f"{peer}_url" in self.model_fields_set


@lru_cache
def get_settings() -> Settings:
    return Settings()
