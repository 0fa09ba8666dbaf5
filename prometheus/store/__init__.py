"""Persistence: SQLAlchemy 2 tables, Alembic migrations and the repository over them."""

from prometheus.store.db import Database
from prometheus.store.repository import Store

__all__ = ["Database", "Store"]
