"""Optimistic concurrency: versions, If-Match and racing writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import Server, add_task


def test_stale_version_gets_409_and_changes_nothing(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    r = api.patch(f"/plans/{pid}", json={"description": "first"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'

    r = api.patch(f"/plans/{pid}", json={"description": "lost update"}, headers={"If-Match": '"1"'})
    assert r.status_code == 409
    body = r.json()
    assert body["error_code"] == "RESOURCE_CONFLICT"
    assert body["details"] == {"current_version": 2, "expected_version": 1}

    r = api.put(f"/plans/{pid}", json={"name": "x", "version": 1})
    assert r.status_code == 409
    assert api.get(f"/plans/{pid}").json()["data"]["description"] == "first"

    r = api.patch(f"/plans/{pid}", json={"description": "second", "version": 2})
    assert r.status_code == 200 and r.json()["data"]["version"] == 3
    assert api.delete(f"/plans/{pid}", headers={"If-Match": "2"}).status_code == 409
    assert api.patch(f"/plans/{pid}", json={}, headers={"If-Match": "abc"}).status_code == 400
    # If-Match and the body's version both given: they must agree (a stale one is not hidden by the other)
    r = api.patch(f"/plans/{pid}", json={"description": "mixed", "version": 1}, headers={"If-Match": '"3"'})
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT", r.text
    assert api.get(f"/plans/{pid}").json()["data"]["description"] == "second"
    r = api.patch(f"/plans/{pid}", json={"description": "agreed", "version": 3}, headers={"If-Match": '"3"'})
    assert r.status_code == 200, r.text


def test_task_versions(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    t = add_task(api, pid, "T")
    url = f"/plans/{pid}/tasks/{t['id']}"
    assert api.get(url).headers["etag"] == '"1"'
    assert api.patch(url, json={"name": "T2", "version": 1}).status_code == 200
    r = api.patch(url, json={"name": "T3"}, headers={"If-Match": 'W/"1"'})
    assert r.status_code == 409 and r.json()["error_code"] == "RESOURCE_CONFLICT"
    r = api.put(url + "/progress", json={"percent_complete": 10, "version": 1})
    assert r.status_code == 409
    assert api.delete(url, headers={"If-Match": '"1"'}).status_code == 409
    assert api.get(url).json()["data"]["name"] == "T2"


def test_racing_writers_with_the_same_version_exactly_one_wins(api: httpx.Client, server, plan: dict) -> None:
    pid = plan["id"]
    t = add_task(api, pid, "contested")
    url = f"{server.url}/api/plans/{pid}/tasks/{t['id']}"

    def write(i: int) -> int:
        with httpx.Client(timeout=30) as c:
            return c.patch(url, json={"description": f"writer {i}"}, headers={"If-Match": '"1"'}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(write, range(8)))
    assert sorted(codes) == [200] + [409] * 7
    final = api.get(f"/plans/{pid}/tasks/{t['id']}").json()["data"]
    assert final["version"] == 2 and final["description"].startswith("writer ")


def test_concurrent_task_adds_get_distinct_positions(api: httpx.Client, server, plan: dict) -> None:
    pid = plan["id"]

    def add(i: int) -> int:
        with httpx.Client(timeout=30) as c:
            return c.post(f"{server.url}/api/plans/{pid}/tasks", json={"name": f"t{i}"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(add, range(12))) == {201}
    tasks = api.get(f"/plans/{pid}/tasks").json()["data"]
    assert sorted(t["position"] for t in tasks) == list(range(1, 13))


def test_cached_reads_follow_changes_made_through_another_replica(
    api: httpx.Client, server, plan: dict, tmp_path
) -> None:
    """Plan reads and computed views are kept per plan revision; a write through any replica changes it."""
    other = Server(server.database_url, tmp_path / "other.log").start()
    try:
        with httpx.Client(base_url=other.url + "/api", timeout=30) as b:
            pid = plan["id"]
            a1 = add_task(api, pid, "design", duration=2)
            views = (f"/plans/{pid}", f"/plans/{pid}/critical-path", f"/plans/{pid}/summary")

            def read() -> list[dict]:
                first = [api.get(v).json()["data"] for v in views]
                hits = httpx.get(server.url + "/health").json()["plan_cache"]["hits"]
                assert [api.get(v).json()["data"] for v in views] == first  # the kept answer is the same
                assert httpx.get(server.url + "/health").json()["plan_cache"]["hits"] == hits + len(views)
                return first

            plan_view, cp, _ = read()
            assert [t["name"] for t in plan_view["tasks"]] == ["design"]

            a2 = b.post(f"/plans/{pid}/tasks", json={"name": "build", "duration": 3}).json()["data"]
            plan_view, cp, _ = read()
            assert [t["name"] for t in plan_view["tasks"]] == ["design", "build"]

            assert (
                b.post(
                    f"/plans/{pid}/dependencies", json={"predecessor_id": a1["id"], "successor_id": a2["id"]}
                ).status_code
                == 201
            )
            plan_view, cp2, _ = read()
            assert len(plan_view["dependencies"]) == 1
            assert [s["task_id"] for s in cp2["critical_path"]] == [a1["id"], a2["id"]]
            assert cp2["project_finish"] > cp["project_finish"]

            assert b.patch(f"/plans/{pid}/tasks/{a1['id']}", json={"duration": 5}).status_code == 200
            assert read()[0]["tasks"][0]["duration"] == 5

            r = b.post(f"/plans/{pid}/resources", json={"name": "ann"})
            assert r.status_code == 201
            assert [x["name"] for x in read()[0]["resources"]] == ["ann"]

            assert b.patch(f"/plans/{pid}", json={"name": "renamed"}).status_code == 200
            plan_view = read()[0]
            assert plan_view["name"] == "renamed"
            assert api.get(f"/plans/{pid}").headers["etag"] == f'"{plan_view["version"]}"'

            assert b.delete(f"/plans/{pid}").status_code == 200
            for v in views:
                r = api.get(v)
                assert r.status_code == 404 and r.json()["error_code"] == "NOT_FOUND"
    finally:
        other.stop()


def test_racing_writers_without_if_match_all_succeed(api: httpx.Client, server, plan: dict) -> None:
    """Without If-Match the last writer wins, on PostgreSQL as on SQLite: no 409 for a version nobody sent."""
    pid = plan["id"]
    t = add_task(api, pid, "contested")
    base = f"{server.url}/api/plans/{pid}/tasks/{t['id']}"

    def write(i: int) -> int:
        with httpx.Client(timeout=60) as c:
            if i % 3 == 2:
                return c.put(base + "/progress", json={"percent_complete": 10 + i}).status_code
            return c.patch(base, json={"description": f"writer {i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(write, range(24)))
    assert codes == [200] * 24
    assert api.get(f"/plans/{pid}/tasks/{t['id']}").json()["data"]["version"] == 25


def test_racing_plan_writers_without_if_match_all_succeed(api: httpx.Client, server, plan: dict) -> None:
    pid = plan["id"]

    def write(i: int) -> int:
        with httpx.Client(timeout=60) as c:
            return c.patch(f"{server.url}/api/plans/{pid}", json={"description": f"w{i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(write, range(16))) == [200] * 16


def test_racing_scenario_edits_without_if_match_all_succeed(api: httpx.Client, server, plan: dict) -> None:
    """Edits of one scenario sent together without If-Match are all recorded, on PostgreSQL as on SQLite
    (half of them were a 409 on PostgreSQL, for a version nobody sent)."""
    pid = plan["id"]
    t = add_task(api, pid, "contested")
    sid = api.post(f"/plans/{pid}/scenarios", json={"name": "what if"}).json()["data"]["id"]
    base = f"{server.url}/api/plans/{pid}/scenarios/{sid}"

    def write(i: int) -> int:
        with httpx.Client(timeout=60) as c:
            if i % 2:
                return c.patch(f"{base}/tasks/{t['id']}", json={"duration": i}).status_code
            return c.post(f"{base}/tasks", json={"name": f"added {i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(write, range(16)))
    assert sorted(codes) == [200] * 8 + [201] * 8
    names = {x["name"] for x in api.get(f"{base}/tasks").json()["data"]}
    assert names == {"contested"} | {f"added {i}" for i in range(0, 16, 2)}
    assert api.get(base).json()["data"]["version"] == 17


def test_racing_resource_and_task_writes_never_deadlock(api: httpx.Client, server, plan: dict) -> None:
    """Every writer of a plan locks the plan's row first: deleting a resource while a task is assigned to
    it answers clearly (200, 404 or 422), never a deadlock's 503."""
    import threading

    pid = plan["id"]
    task = add_task(api, pid, "assigned")
    base = f"{server.url}/api/plans/{pid}"
    codes = []
    for i in range(10):
        rid = api.post(f"/plans/{pid}/resources", json={"name": f"r{i}"}).json()["data"]["id"]
        barrier = threading.Barrier(2)

        def assign(rid: str = rid, barrier: threading.Barrier = barrier) -> int:
            with httpx.Client(timeout=60) as c:
                barrier.wait()
                body = {"assignments": [{"resource_id": rid}]}
                return c.patch(f"{base}/tasks/{task['id']}", json=body).status_code

        def remove(rid: str = rid, barrier: threading.Barrier = barrier) -> int:
            with httpx.Client(timeout=60) as c:
                barrier.wait()
                r = c.patch(f"{base}/resources/{rid}", json={"availability": 0.5})
                return (
                    r.status_code
                    if r.status_code != 200
                    else c.delete(f"{base}/resources/{rid}", params={"force": "true"}).status_code
                )

        with ThreadPoolExecutor(max_workers=2) as pool:
            codes += [f.result() for f in [pool.submit(assign), pool.submit(remove)]]
    assert set(codes) <= {200, 404, 409, 422}, codes
