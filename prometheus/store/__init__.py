"""Persistence: SQLAlchemy 2 tables, Alembic migrations and the repository over them."""

from prometheus.store.db import UNREACHABLE, Database
from prometheus.store.repository import Store

__all__ = ["UNREACHABLE", "Database", "Store"]
