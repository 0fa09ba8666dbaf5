"""The use cases: one function per change a client can make (tasks, links, progress, leveling).

Each runs in one transaction and then does its after-commit effects where they can be read: the kept plan
moved on to its new revision or dropped (services/kept.py). Two effects every committed write has are the
database's own (`Database.store`): this process's outbox followers (live hub, webhook dispatcher) are woken,
and answers cached per revision (api/cache.py) go stale with the revision. Routes parse, call one of these
and wrap the answer; the WebSocket's `update_task` calls the same functions. What a use case needs comes
in its `Context`: the database, the kept plans, a clock and the peers."""

from prometheus.services.context import Context

__all__ = ["Context"]
