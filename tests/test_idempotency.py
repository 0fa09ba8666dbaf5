"""Idempotency-Key on creating POSTs: a retry after a lost answer creates nothing twice (both backends)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx


def test_a_retried_post_with_the_same_key_creates_once(api: httpx.Client) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    name = f"once {uuid.uuid4().hex[:6]}"
    first = api.post("/plans", json={"name": name}, headers=key)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    again = api.post("/plans", json={"name": name}, headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert again.headers.get("etag") == first.headers.get("etag")
    plans = api.get("/plans", params={"limit": 1000}).json()["data"]
    assert [p["name"] for p in plans].count(name) == 1
    # the same key for another request is a client bug: said clearly, nothing done
    other = api.post("/plans", json={"name": "something else"}, headers=key)
    assert other.status_code == 422 and other.json()["error_code"] == "IDEMPOTENCY_KEY_REUSED", other.text
    # without a key every POST creates
    assert api.post("/plans", json={"name": name}).json()["data"]["id"] != first.json()["data"]["id"]


def test_racing_retries_with_one_key_create_one_task(api: httpx.Client, server, plan: dict) -> None:
    pid = plan["id"]
    key = {"Idempotency-Key": uuid.uuid4().hex}
    barrier = threading.Barrier(6)

    def post(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as c:
            barrier.wait()
            return c.post(f"{server.url}/api/plans/{pid}/tasks", json={"name": "raced"}, headers=key)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(post, range(6)))
    created = {r.json()["data"]["id"] for r in answers if r.status_code == 201}
    assert len(created) == 1, [r.text for r in answers]
    busy = [r for r in answers if r.status_code == 409]
    assert all(r.json()["error_code"] == "IDEMPOTENCY_KEY_IN_USE" for r in busy)
    assert len(api.get(f"/plans/{pid}/tasks").json()["data"]) == 1
    assert api.post(f"/plans/{pid}/tasks", json={"name": "raced"}, headers=key).status_code == 201
    assert len(api.get(f"/plans/{pid}/tasks").json()["data"]) == 1


def test_a_refused_request_is_not_kept(api: httpx.Client, plan: dict) -> None:
    """Only a success is replayed: a refused request may be corrected and sent again with its key."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    pid = plan["id"]
    assert api.post(f"/plans/{pid}/tasks", json={"name": ""}, headers=key).status_code == 422
    assert api.post(f"/plans/{pid}/tasks", json={"name": ""}, headers=key).status_code == 422
    assert api.post(f"/plans/{pid}/tasks", json={"name": "fixed"}, headers=key).status_code == 201
    long_key = {"Idempotency-Key": "k" * 300}
    assert api.post(f"/plans/{pid}/tasks", json={"name": "x"}, headers=long_key).status_code == 400


def test_a_replayed_export_keeps_its_download_name(api: httpx.Client, plan: dict) -> None:
    """`POST .../export` with a key: the replay is the same download, its Content-Disposition included (the
    replay answered the file without its name)."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = api.post(f"/plans/{plan['id']}/export", params={"format": "csv"}, headers=key)
    again = api.post(f"/plans/{plan['id']}/export", params={"format": "csv"}, headers=key)
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content and "filename=" in first.headers["content-disposition"]
    assert again.headers.get("content-disposition") == first.headers["content-disposition"]
    assert again.headers["content-type"] == first.headers["content-type"]
