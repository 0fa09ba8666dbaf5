"""The repository: one facade (`Store`) over one transaction (see Database.store()), made of
one part per aggregate: plans, tasks, links, resources, tracking, retrospectives, imports, the outbox
and webhooks, tokens, scenarios, structure and records."""

from __future__ import annotations

from prometheus.store.base import TASK_KEY, emits, touch_plans
from prometheus.store.bulk import Bulk
from prometheus.store.dispatch import Dispatch
from prometheus.store.imports import Imports
from prometheus.store.links import Links
from prometheus.store.mapping import dependency_model, new_id, plan_model, resource_model, task_model
from prometheus.store.outbox import Outbox
from prometheus.store.plans import Plans
from prometheus.store.reading import Reading
from prometheus.store.records import Records
from prometheus.store.resources import Resources
from prometheus.store.retros import Retrospectives
from prometheus.store.scenarios import Scenarios
from prometheus.store.structure import Structure
from prometheus.store.tasks import Tasks
from prometheus.store.tokens import Tokens
from prometheus.store.tracking import Tracking

__all__ = [
    "TASK_KEY",
    "Store",
    "dependency_model",
    "emits",
    "new_id",
    "plan_model",
    "resource_model",
    "task_model",
    "touch_plans",
]


class Store(
    Reading,
    Plans,
    Tasks,
    Tracking,
    Links,
    Bulk,
    Resources,
    Retrospectives,
    Imports,
    Outbox,
    Dispatch,
    Tokens,
    Records,
    Structure,
    Scenarios,
):
    """Repository over one transaction (its connection, and an ORM session once a part uses one; see
    Database.store())."""
