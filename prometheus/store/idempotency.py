"""Idempotency keys: the first request with a key claims it, its success is kept for a day and replayed to
retries of the same request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from prometheus.store.db import Database
from prometheus.store.tables import IdempotencyRow, utcnow

KEEP = timedelta(hours=24)  # how long an answer is replayed
ABANDONED = timedelta(minutes=10)  # a claim older than this, never finished (its server died), is free again


@dataclass
class Claim:
    """What a request with a key may do: `run` it, `replay` the kept answer, or refuse (`busy`, `reused`)."""

    outcome: str
    status: int = 0
    headers: dict[str, str] | None = None
    body: str = ""


def claim(db: Database, key_hash: str, fingerprint: str) -> Claim:
    now = utcnow()
    with db.store() as store:
        session = store.session
        session.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < now - KEEP))
        row = session.get(IdempotencyRow, key_hash)
        if row is not None and row.status_code is None and _aware(row.created_at) < now - ABANDONED:
            session.delete(row)
            session.flush()
            row = None
        if row is None:
            try:
                with session.begin_nested():
                    session.add(IdempotencyRow(key_hash=key_hash, fingerprint=fingerprint, created_at=now))
                return Claim("run")
            except IntegrityError:  # another request with this key claimed it just now
                return Claim("busy")
        if row.fingerprint != fingerprint:
            return Claim("reused")
        if row.status_code is None:
            return Claim("busy")
        kept = json.loads(row.body or "{}")
        return Claim("replay", row.status_code, kept.get("headers", {}), kept.get("body", ""))


def finish(db: Database, key_hash: str, status: int, headers: dict[str, str], body: str) -> None:
    """Keep a success for replay; anything else frees the key (a corrected request may use it)."""
    with db.store() as store:
        row = store.session.get(IdempotencyRow, key_hash)
        if row is None:
            return
        if 200 <= status < 300:
            row.status_code = status
            row.body = json.dumps({"headers": headers, "body": body})
        else:
            store.session.delete(row)


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
