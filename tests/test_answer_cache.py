"""The answer cache is bounded by bytes as well as entries (PROMETHEUS_CACHE_MB): the least recently used
answers go first, an answer over a quarter of the budget is rebuilt each time, and a plan's big answers are
kept within the budget (a 14 MB plan read was over the fixed 8 MB per answer and rebuilt on every read)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.responses import Response

from prometheus.api.cache import PlanCache
from prometheus.core.inputs import PlanCreate, TaskCreate
from tests.conftest import Server


def _answer(size: int) -> Response:
    return Response(b"x" * size, status_code=200, media_type="application/json")


def test_the_least_recently_used_answers_go_first_when_the_bytes_are_spent() -> None:
    cache = PlanCache(max_bytes=1000)
    built: list[str] = []

    def get(plan: str, size: int, revision: str = "r1") -> bytes:
        def build() -> Response:
            built.append(plan)
            return _answer(size)

        return bytes(cache.answer(None, plan, ("plan",), build, revision=revision).body)  # type: ignore[arg-type]

    for plan in ("a", "b", "c"):
        get(plan, 200)
    assert cache.stats()["bytes"] == 600 and built == ["a", "b", "c"]
    get("a", 200)  # kept: a is now the most recently used
    get("d", 250)
    get("e", 250)  # 1,100 bytes: b, the least recently used, goes
    assert cache.stats()["bytes"] == 900 and cache.stats()["entries"] == 4
    built.clear()
    for plan in ("a", "c", "d", "e", "b"):
        get(plan, 200 if plan in "abc" else 250)
    assert built == ["b"]  # only b was rebuilt
    get("a", 100, revision="r2")  # a new revision replaces the old answer, and its bytes
    assert cache.stats()["bytes"] == sum(len(e[2]) for e in cache._entries.values())
    built.clear()
    assert len(get("big", 251)) == 251 and len(get("big", 251)) == 251
    assert built == ["big", "big"]  # over a quarter of the budget: never kept
    assert all(key[0] != "big" for key in cache._entries)


def test_by_default_a_big_plans_answer_is_kept() -> None:
    """256 MB by default: a 10,000-task plan's read (about 14 MB) is kept, no longer rebuilt each time."""
    cache, built = PlanCache(), []

    def build() -> Response:
        built.append(1)
        return _answer(14 * 2**20)

    for _ in range(3):
        cache.answer(None, "p", ("plan",), build, revision="r1")  # type: ignore[arg-type]
    assert len(built) == 1 and cache.stats()["bytes"] == 14 * 2**20


def test_a_server_keeps_a_plans_big_read_within_its_budget(make_database_url, tmp_path) -> None:  # noqa: ANN001
    srv = Server(make_database_url("sqlite"), tmp_path / "log", env={"PROMETHEUS_CACHE_MB": "1"}).start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=60)
        pid = api.post("/plans", json={"name": "big"}).json()["data"]["id"]
        tasks = [{"name": f"task {i} " + "n" * 100} for i in range(1500)]  # a read of about 0.6 MB
        assert api.post(f"/plans/{pid}/tasks", json=tasks).status_code == 201
        small = api.post("/plans", json={"name": "small"}).json()["data"]["id"]
        for plan in (pid, pid, small, small):
            assert api.get(f"/plans/{plan}").status_code == 200
        stats = httpx.get(srv.url + "/health").json()["plan_cache"]
        assert stats["hits"] == 1 and stats["entries"] == 1  # the big read is over a quarter of 1 MB
        assert 0 < stats["bytes"] <= 2**20
    finally:
        srv.stop()


def test_the_revision_read_leaves_the_pools_connection_transactional(db) -> None:  # noqa: ANN001
    """The revision every kept answer reads first is read outside a transaction on the driver's connection
    (PostgreSQL: in autocommit for its one SELECT); the connection it gives back to the pool still runs
    transactions: a write that fails after a statement leaves nothing."""
    with db.store() as store:
        plan = store.create_plan(PlanCreate(name="revision"))
    revision = db.plan_revision(plan.id)
    assert revision and db.plan_revision("no such plan") is None
    with pytest.raises(RuntimeError), db.store() as store:  # the same connection: the pool holds one
        store.add_task(plan.id, TaskCreate(name="never"))
        raise RuntimeError
    with db.store(write=False) as store:
        assert store.list_tasks(plan.id)[1] == 0 and db.plan_revision(plan.id) == revision


@pytest.mark.parametrize("fmt", ["mspdi", "json", "csv", "mpp"])
def test_an_export_is_kept_per_revision_with_its_type_and_file_name(api: httpx.Client, fmt: str) -> None:
    """An export is written once per plan revision (a 10,000-task plan's MSPDI is a second of work) and
    answered again with its own type and file name; a change writes it anew."""
    pid = api.post("/plans", json={"name": f"Kept {fmt}", "start_date": "2026-12-01"}).json()["data"]["id"]
    task = api.post(f"/plans/{pid}/tasks", json={"name": "First name", "duration": 2}).json()["data"]
    health = api.base_url.copy_with(path="/health")
    hits = lambda: api.get(health).json()["plan_cache"]["hits"]  # noqa: E731
    first = api.get(f"/plans/{pid}/export", params={"format": fmt})
    before = hits()
    again = api.get(f"/plans/{pid}/export", params={"format": fmt})
    assert hits() == before + 1 and again.content == first.content and first.status_code == 200
    for header in ("content-type", "content-disposition"):
        assert again.headers[header] == first.headers[header], header
    assert "attachment" in again.headers["content-disposition"]
    api.patch(f"/plans/{pid}/tasks/{task['id']}", json={"name": "Second name"})
    changed = api.get(f"/plans/{pid}/export", params={"format": fmt}).content
    assert b"Second name" in changed and b"First name" not in changed
