"""The outbox under concurrent writers: every event once, each plan's events in the order their changes
committed, and (PostgreSQL) writers of different plans never waiting for each other."""

from __future__ import annotations

import threading

import pytest

from prometheus.core.inputs import PlanCreate, TaskCreate, TaskPatch
from prometheus.store import Database


def _plan(db: Database, name: str) -> str:
    with db.store() as store:
        return store.create_plan(PlanCreate(name=name)).id


def test_concurrent_writers_lose_no_event_and_keep_each_plans_order(db: Database) -> None:
    plans = [_plan(db, f"p{i}") for i in range(4)]
    per_writer, writers = 15, 8  # two writers per plan: they race for it
    seen: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def follow() -> None:  # as the live hub does: after the last id seen, again and again
        last = 0
        while True:
            finished = done.is_set()
            with db.store(write=False) as store:
                for e in store.events_after(last):
                    seen.append(e.id)
                    last = e.id
            if finished:
                return

    def write(k: int) -> None:
        try:
            pid = plans[k % len(plans)]
            for i in range(per_writer):
                with db.store() as store:
                    task = store.add_task(pid, TaskCreate(name=f"w{k}.{i}"))
                with db.store() as store:
                    store.update_task(pid, task.id, TaskPatch(duration=2), None)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    follower.join(60)
    assert not errors, errors

    with db.store(write=False) as store:
        events = store.events_after(0, limit=100_000)
    ids = [e.id for e in events]
    assert seen == ids, "the follower missed or repeated events"
    assert ids == list(range(1, len(ids) + 1)), "outbox ids have gaps"
    for pid in plans:
        mine = [e for e in events if e.plan_id == pid]
        created = [
            int(e.data["key"].removeprefix("task-")) for e in mine if e.type == "prometheus.task.created"
        ]
        # task numbers are given under the plan's lock, one writer after the other: their events follow them
        assert created == list(range(1, 2 * per_writer + 1))
        assert sum(e.type == "prometheus.task.updated" for e in mine) == 2 * per_writer
        for e in mine:  # an update follows the creation of its task
            if e.type == "prometheus.task.updated":
                first = next(x for x in mine if x.data.get("id") == e.data["id"])
                assert first.type == "prometheus.task.created" and first.id < e.id


def test_writers_of_different_plans_do_not_wait_for_each_other(backend: str, db: Database) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    first, second = _plan(db, "first"), _plan(db, "second")
    inside, release = threading.Event(), threading.Event()

    def slow() -> None:  # writes an event for the first plan, then keeps its transaction open
        with db.store() as store:
            store.add_task(first, TaskCreate(name="slow"))
            inside.set()
            release.wait(10)  # a writer behind it would wait this long

    slow_writer = threading.Thread(target=slow)
    slow_writer.start()
    assert inside.wait(30)
    try:
        with db.store() as store:  # would wait for the slow transaction behind one global lock
            store.add_task(second, TaskCreate(name="fast"))
        with db.store(write=False) as store:
            visible = [(e.plan_id, e.data.get("name")) for e in store.events_after(0)]
        assert (second, "fast") in visible and (first, "slow") not in visible
    finally:
        release.set()
        slow_writer.join(30)
    with db.store(write=False) as store:
        order = [(e.plan_id, e.data.get("name")) for e in store.events_after(0) if e.type.endswith("created")]
    assert order.index((second, "fast")) < order.index((first, "slow")), "ids follow the commits"
