"""Inputs at the edge of what is accepted: each a clear 4xx on both backends, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import add_task


def _refused(r: httpx.Response, *words: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error_code"] == "VALIDATION_ERROR"
    for w in words:
        assert w in body["message"], body["message"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "a\x00b"),
        ("description", "x\x00"),
        ("tags", ["ok", "t\x00"]),
        ("metadata", {"deep": {"list": ["\x00"]}}),
        ("metadata", {"k\x00": 1}),
    ],
)
def test_a_nul_character_is_refused(api: httpx.Client, plan: dict, field: str, value) -> None:  # noqa: ANN001
    pid = plan["id"]
    _refused(api.post(f"/plans/{pid}/tasks", json={"name": "t", field: value}), "NUL")
    _refused(api.post("/plans", json={"name": "p", field: value}), "NUL")
    t = add_task(api, pid, "t")
    _refused(api.patch(f"/plans/{pid}/tasks/{t['id']}", json={field: value}), "NUL")
    assert api.get(f"/plans/{pid}/tasks/{t['id']}").json()["data"]["version"] == 1


def test_dates_are_bounded_to_1900_2200(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    _refused(api.post("/plans", json={"name": "far", "start_date": "9999-12-20"}), "1900", "2200")
    _refused(api.post("/plans", json={"name": "old", "start_date": "0001-01-01"}), "1900")
    _refused(api.patch(f"/plans/{pid}", json={"end_date": "2201-01-01"}), "2200")
    body = {"name": "t", "constraint_type": "MSO", "constraint_date": "9999-01-01T00:00:00"}
    _refused(api.post(f"/plans/{pid}/tasks", json=body), "2200")
    _refused(api.post(f"/plans/{pid}/tasks", json={"name": "t", "deadline": "1899-12-31T00:00:00"}))
    t = add_task(api, pid, "t")
    r = api.put(f"/plans/{pid}/tasks/{t['id']}/progress", json={"actual_start": "0001-01-01T00:00:00Z"})
    _refused(r, "1900")
    # the edges themselves are fine, and the plan still schedules
    assert api.patch(f"/plans/{pid}", json={"end_date": "2200-12-31"}).status_code == 200
    assert api.get(f"/plans/{pid}/critical-path").status_code == 200


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN"])
def test_infinite_or_nan_numbers_are_refused(api: httpx.Client, plan: dict, literal: str) -> None:
    pid = plan["id"]
    a, b = add_task(api, pid, "a"), add_task(api, pid, "b")
    raw = f'{{"predecessor_id": "{a["id"]}", "successor_id": "{b["id"]}", "lag": {literal}}}'
    r = api.post(f"/plans/{pid}/dependencies", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert r.json()["status"] == "error"
    raw = f'{{"name": "t", "metadata": {{"x": {literal}}}}}'
    r = api.post(f"/plans/{pid}/tasks", content=raw, headers={"content-type": "application/json"})
    assert r.status_code in (400, 422), r.text
    assert api.get(f"/plans/{pid}/critical-path").status_code == 200


def test_metadata_is_bounded(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    big = {"blob": "x" * 70_000}
    _refused(api.post(f"/plans/{pid}/tasks", json={"name": "t", "metadata": big}), "metadata", "65,536")
    _refused(api.patch(f"/plans/{pid}", json={"metadata": big}), "metadata")
    nested: dict = {}
    node = nested
    for _ in range(40):
        node["n"] = {}
        node = node["n"]
    _refused(api.post(f"/plans/{pid}/tasks", json={"name": "t", "metadata": nested}), "deep")
    assert (
        api.post(f"/plans/{pid}/tasks", json={"name": "t", "metadata": {"ok": "y" * 1000}}).status_code == 201
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://",
        "http://[::1",
        "https://exa mple.com/x",
        "ftp://example.com/hook",
        "https://example.com:99999/hook",
        "https://:80/",
        "https://user@/x",
    ],
)
def test_malformed_webhook_urls_are_422(api: httpx.Client, url: str) -> None:
    r = api.post("/webhooks/register", json={"url": url})
    assert r.status_code == 422, r.text
    assert r.json()["status"] == "error"


def test_a_webhook_secret_must_be_base64(api: httpx.Client) -> None:
    r = api.post(
        "/webhooks/register", json={"url": "https://93.184.216.34/h", "secret": "not base64 at all!!"}
    )
    _refused(r, "base64")
    ok = api.post(
        "/webhooks/register", json={"url": "https://93.184.216.34/h", "secret": "whsec_" + "QUJD" * 8}
    )
    assert ok.status_code == 201, ok.text
    api.delete(f"/webhooks/{ok.json()['data']['id']}")


def _mspdi(task: str = "", project: str = "") -> bytes:
    return (
        '<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project"><Name>P</Name>'
        f"{project}<Tasks><Task><UID>1</UID><ID>1</ID><Name>A</Name><OutlineLevel>1</OutlineLevel>{task}"
        "</Task><Task><UID>2</UID><ID>2</ID><Name>B</Name><OutlineLevel>1</OutlineLevel>"
        "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>0</LinkLag>"
        "<LagFormat>7</LagFormat></PredecessorLink></Task></Tasks></Project>"
    ).encode()


@pytest.mark.parametrize(
    "body,needle",
    [
        (
            _mspdi("<ConstraintType>4</ConstraintType><ConstraintDate>9999-12-31T08:00:00</ConstraintDate>"),
            "2200",
        ),
        (
            _mspdi("<ActualStart>0001-01-01T00:00:00</ActualStart><PercentComplete>50</PercentComplete>"),
            "1900",
        ),
        (_mspdi(project="<StartDate>9999-12-20T08:00:00</StartDate>"), "2200"),
        (_mspdi("<Duration>PT99999999999999H0M0S</Duration>"), "duration"),
        (_mspdi("<PercentComplete>500</PercentComplete>"), "percent_complete"),
        (_mspdi().replace(b"<LinkLag>0</LinkLag>", b"<LinkLag>1e400</LinkLag>"), "finite"),
        (_mspdi("<Duration>PTabc</Duration>"), "duration"),
    ],
)
def test_bad_mspdi_fields_are_422(api: httpx.Client, body: bytes, needle: str) -> None:
    r = api.post("/plans/import", params={"format": "mspdi"}, content=body)
    assert r.status_code == 422, r.text
    assert needle in r.json()["message"], r.json()["message"]


@pytest.mark.parametrize(
    "body,needle",
    [
        (b"Name,Duration,Actual Start\nA,2d,0001-01-01\n", "1900"),
        (b"Name,Duration\nA,1e400d\n", "duration"),
        (b"ID,Name,Duration,Predecessors\n1,A,1d,\n2,B,1d,1FS+1e400d\n", "predecessor"),
        (b"Name,Duration,% Complete\nA,1d,abc%\n", "line 2"),
        (b"Name,Duration\nA\x00b,1d\n", "NUL"),
    ],
)
def test_bad_csv_fields_are_422(api: httpx.Client, body: bytes, needle: str) -> None:
    r = api.post("/plans/import", params={"format": "csv"}, content=body)
    assert r.status_code == 422, r.text
    assert needle in r.json()["message"], r.json()["message"]


def test_dates_stored_out_of_range_give_a_clear_422(server, api: httpx.Client, plan: dict) -> None:
    """Data written before the edge bounded dates (or around it): every view answers a clear 422."""
    from sqlalchemy import create_engine, text

    pid = plan["id"]
    t = add_task(api, pid, "old")
    engine = create_engine(server.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE plans SET start_date = :d WHERE id = :p"), {"d": "9999-12-20", "p": pid})
        conn.execute(
            text("UPDATE tasks SET actual_start = :d, status = 'in_progress' WHERE id = :t"),
            {
                "d": "0001-01-01 00:00:00+00:00"
                if "postgresql" in server.database_url
                else "0001-01-01 00:00:00",
                "t": t["id"],
            },
        )
    engine.dispose()
    for view in (
        "critical-path",
        "timeline",
        "export?format=mspdi",
        "export?format=csv",
        "export?format=ics",
    ):
        r = api.get(f"/plans/{pid}/{view}")
        assert r.status_code == 422, (view, r.status_code, r.text[:300])
        assert "1900" in r.json()["message"], r.text[:300]


OFFSET_HOURS = [
    [["08:00+02:00", "17:00"]],
    [["08:00Z", "17:00Z"]],
    [[0, "17:00"]],
    [["08:00", 61200]],
    [[True, "17:00"]],
]


@pytest.mark.parametrize("hours", OFFSET_HOURS)
def test_a_calendar_time_with_a_utc_offset_or_not_a_time_is_refused(api: httpx.Client, hours: list) -> None:
    """A calendar's times are its local times of day: one with a UTC offset, or a number, is a 422 on every
    path that takes a calendar (a plan's, a task's, a scenario's task's, a resource's, a file's)."""
    bad = {"working_hours": hours}
    _refused(api.post("/plans", json={"name": "x", "calendar": bad}), "working_hours")
    _refused(api.post("/plans", json={"name": "x", "calendar": {"weekday_hours": {"0": hours}}}))
    exception = {"exceptions": [{"date": "2027-01-02", "working_hours": hours}]}
    _refused(api.post("/plans", json={"name": "x", "calendar": exception}))
    pid = api.post("/plans", json={"name": "calendars"}).json()["data"]["id"]
    _refused(api.post(f"/plans/{pid}/tasks", json={"name": "t", "calendar": bad}), "working_hours")
    _refused(api.post(f"/plans/{pid}/resources", json={"name": "r", "calendar": bad}), "working_hours")
    tid = add_task(api, pid, "t")["id"]
    _refused(api.patch(f"/plans/{pid}/tasks/{tid}", json={"calendar": bad}), "working_hours")
    sid = api.post(f"/plans/{pid}/scenarios", json={"name": "s"}).json()["data"]["id"]
    _refused(api.patch(f"/plans/{pid}/scenarios/{sid}/tasks/{tid}", json={"calendar": bad}), "working_hours")
    doc = {"plan": {"name": "x", "calendar": bad}, "tasks": [{"key": "a", "name": "a", "calendar": bad}]}
    _refused(api.post("/plans/import", params={"format": "json"}, json=doc), "working_hours")


@pytest.mark.parametrize("value", ["09:00+05:00", "09:00Z", 32400])
def test_a_plan_default_start_time_with_an_offset_is_refused(api: httpx.Client, value) -> None:  # noqa: ANN001
    _refused(api.post("/plans", json={"name": "x", "default_start_time": value}), "default_start_time")
    pid = api.post("/plans", json={"name": "x"}).json()["data"]["id"]
    _refused(api.patch(f"/plans/{pid}", json={"default_start_time": value}), "default_start_time")
    doc = {"plan": {"name": "x", "default_start_time": value}}
    _refused(api.post("/plans/import", params={"format": "json"}, json=doc), "default_start_time")
    ok = api.post("/plans", json={"name": "x", "default_start_time": "09:30"})
    assert ok.status_code == 201 and ok.json()["data"]["default_start_time"] == "09:30:00", ok.text
