"""Imports bounded: nesting, non-JSON numbers and plan size are refused clearly; other writers go on."""

from __future__ import annotations

import json
import threading
import time

import httpx

from prometheus.core.bounds import MAX_PLAN_TASKS
from prometheus.formats.json_stream import _scan


def _import(api: httpx.Client, doc: dict | bytes) -> httpx.Response:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return api.post("/plans/import", content=body, headers={"content-type": "application/json"}, timeout=300)


def test_deeply_nested_json_is_422(api: httpx.Client) -> None:
    deep = b'{"plan": {"name": "deep", "metadata": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}"
    r = _import(api, deep)
    assert r.status_code == 422 and "nested deeper" in r.json()["message"], r.text
    shallow = {"plan": {"name": "ok"}, "tasks": [{"key": "a", "name": "a", "metadata": {"x": [[[1]]]}}]}
    assert _import(api, shallow).status_code == 201


def test_the_scan_counts_each_lists_items_and_nothing_nested_in_them() -> None:
    doc = {
        "plan": {"name": "p", "metadata": {"tasks": [{"a": 1}]}},
        "tasks": [{"key": "a", "metadata": {"m": [{"x": {}}]}}, {"key": "b"}, {"key": "c"}],
        "dependencies": [{"predecessor": "a", "successor": "b"}],
        "resources": [],
        "extra": [{"tasks": [{}]}],
    }
    keys, counts = _scan(json.dumps(doc).encode())
    assert keys == set(doc) and counts == {"tasks": 3, "dependencies": 1, "resources": 0}


def test_numbers_too_long_for_the_parser_are_refused_and_the_server_stays_up(api: httpx.Client) -> None:
    """The C parser crashed the process on an integer of 64 KiB (and raised SystemError on shorter ones
    over Python's 4,300 digits): numbers are read as C longs and floats, a longer integer is 400."""
    for number in (b"9" * 100_000, b"-" + b"9" * 70_000, b"9" * 5_000, b"1e" + b"9" * 70_000):
        for doc in (
            b'{"plan": {"name": "n"}, "tasks": [{"key": "a", "name": "a", "duration": ' + number + b"}]}",
            b'{"plan": {"name": "n", "metadata": {"m": [' + number + b"]}}}",
        ):
            r = _import(api, doc)
            assert r.status_code in (400, 422) and r.json()["status"] == "error", r.text[:300]
    assert api.get("/health").status_code == 200


def test_nan_and_infinity_are_not_json(api: httpx.Client) -> None:
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"plan": {"name": "n"}, "dependencies": [], "tasks": [{"key": "a", "name": "a", "duration": '
        r = _import(api, body + literal + b"}]}")
        assert r.status_code == 400 and r.json()["error_code"] == "VALIDATION_ERROR", r.text
    r = _import(api, b"[1, 2]")
    assert r.status_code == 422 and "not an object" in r.json()["message"]


def test_plan_size_is_capped(api: httpx.Client) -> None:
    def doc(n: int) -> dict:
        return {"plan": {"name": f"{n} tasks"}, "tasks": [{"key": f"k{i}", "name": "t"} for i in range(n)]}

    r = _import(api, doc(MAX_PLAN_TASKS + 1))
    assert r.status_code == 413 and r.json()["error_code"] == "PLAN_TOO_LARGE", r.text
    assert f"{MAX_PLAN_TASKS:,}" in r.json()["message"]
    assert all(p["name"] != f"{MAX_PLAN_TASKS + 1} tasks" for p in api.get("/plans").json()["data"])
    r = _import(api, doc(MAX_PLAN_TASKS))
    assert r.status_code == 201, r.text[:300]
    pid = r.json()["data"]["id"]
    r = api.post(f"/plans/{pid}/tasks", json={"name": "one too many"})
    assert r.status_code == 422 and r.json()["error_code"] == "PLAN_TOO_LARGE", r.text
    exported = api.get(f"/plans/{pid}/export", params={"format": "json"}).content
    assert len(exported) > 50 * 2**20  # a plan at the limit, exported, is imported again whole
    r = api.post("/plans/import", params={"format": "json"}, content=exported)
    assert r.status_code == 201 and r.json()["data"]["counts"]["tasks"] == MAX_PLAN_TASKS, r.text[:300]


def test_other_writers_go_on_during_a_large_import(api: httpx.Client, server) -> None:
    """The import is checked before its write transaction and written with bulk statements: another plan's
    writes wait for a short part of it, never for all of it, and none is refused."""
    other = api.post("/plans", json={"name": "other"}).json()["data"]["id"]
    n = 20_000
    doc = {
        "plan": {"name": "large"},
        "tasks": [{"key": f"k{i}", "name": f"task {i}", "notes": "n" * 50} for i in range(n)],
        "dependencies": [{"predecessor": f"k{i}", "successor": f"k{i + 1}"} for i in range(n - 1)],
    }
    body = json.dumps(doc).encode()
    waits: list[tuple[float, int]] = []
    done = threading.Event()

    def write() -> None:
        with httpx.Client(timeout=120) as c:
            while not done.is_set():
                t = time.monotonic()
                code = c.patch(f"{server.url}/api/plans/{other}", json={"description": "x"}).status_code
                waits.append((time.monotonic() - t, code))
                time.sleep(0.05)

    writer = threading.Thread(target=write)
    writer.start()
    start = time.monotonic()
    # the whole plan answered, as imports always did before they answered counts: the same work measured
    r = api.post("/plans/import", params={"include": "plan"}, content=body, timeout=300)
    took = time.monotonic() - start
    done.set()
    writer.join()
    assert r.status_code == 201 and len(r.json()["data"]["tasks"]) == n, r.text[:300]
    assert {code for _, code in waits} == {200}
    assert max(w for w, _ in waits) < took / 2, (max(waits), took)


def test_an_import_answers_the_summary_and_counts_and_the_plan_when_asked(api: httpx.Client) -> None:
    doc = {
        "format": "prometheus.plan",
        "plan": {"name": "counted"},
        "tasks": [{"key": "a", "name": "A"}, {"key": "b", "name": "B", "assignments": [{"resource": "r"}]}],
        "dependencies": [{"predecessor": "a", "successor": "b"}],
        "resources": [{"key": "r", "name": "Ray"}],
    }
    r = _import(api, json.dumps(doc).encode())
    assert r.status_code == 201, r.text
    got = r.json()["data"]
    assert got["counts"] == {"tasks": 2, "dependencies": 1, "resources": 1} and got["task_count"] == 2
    assert got["name"] == "counted" and got["tasks"] is None and got["dependencies"] is None
    whole = api.post(
        "/plans/import", params={"format": "json", "include": "plan"}, content=json.dumps(doc).encode()
    ).json()["data"]
    assert whole["counts"] == got["counts"] and [t["name"] for t in whole["tasks"]] == ["A", "B"]
    assert whole["tasks"][1]["dependencies"] == [whole["tasks"][0]["id"]]
    assert [x["name"] for x in whole["resources"]] == ["Ray"]
    stored = api.get(f"/plans/{whole['id']}").json()["data"]
    assert {k: v for k, v in whole.items() if k != "counts"} == stored


def test_an_outline_1200_levels_deep_is_viewed_costed_and_deleted(api: httpx.Client) -> None:
    """Deeper than Python's recursion limit and SQLite's 1,000 cascades: the roll-ups walk it with a stack,
    and deleting its top task deletes the deepest levels first."""
    depth = 1200
    tasks = [
        {"key": f"k{i}", "name": f"level {i}", "parent": f"k{i - 1}" if i else None} for i in range(depth)
    ]
    tasks.append({"key": "leaf", "name": "leaf", "parent": f"k{depth - 1}", "duration": 2, "assignments": [
        {"resource": "r"}]})  # fmt: skip
    doc = {"plan": {"name": "deep", "start_date": "2026-12-01"}, "tasks": tasks,
           "resources": [{"key": "r", "name": "R", "cost_rate": 10}]}  # fmt: skip
    r = _import(api, doc)
    assert r.status_code == 201, r.text[:300]
    pid = r.json()["data"]["id"]
    top = next(t for t in api.get(f"/plans/{pid}/tasks").json()["data"] if t["name"] == "level 0")
    costs = api.get(f"/plans/{pid}/costs").json()["data"]
    assert (
        costs["cost"] == 160 and next(t for t in costs["tasks"] if t["task_id"] == top["id"])["cost"] == 160
    )
    for view in ("timeline", "summary", "earned-value", f"tasks/{top['id']}/explain", "export?format=mspdi"):
        assert api.get(f"/plans/{pid}/{view}").status_code == 200, view
    assert api.post(f"/plans/{pid}/baselines", json={}).status_code == 201
    r = api.delete(f"/plans/{pid}/tasks/{top['id']}")
    assert r.status_code == 200, r.text[:300]
    assert api.get(f"/plans/{pid}/tasks").json()["data"] == []


def test_a_project_file_with_a_value_it_cannot_hold_is_refused_clearly(api: httpx.Client) -> None:
    """Dates, times and numbers of Microsoft Project XML that do not parse are the file's fault: 422 naming
    the value, never a 500."""
    started = "<ActualStart>2027-01-04T08:00:00</ActualStart><Duration>PT16H0M0S</Duration>"
    for head, level, more in [
        ("<StartDate>garbage</StartDate>", "1", ""),
        ("", "1", started + "<RemainingDuration>PT8H0M0S</RemainingDuration><Resume>noon</Resume>"),
        ("", "1", started + "<ActualDuration>8 hours</ActualDuration><PercentComplete>50</PercentComplete>"),
        ("<DefaultStartTime>8 sharp</DefaultStartTime>", "1", ""),
        ("", "one", ""),
    ]:  # fmt: skip
        task = f"<UID>1</UID><Name>a</Name><OutlineLevel>{level}</OutlineLevel>{more}"
        xml = f'<Project xmlns="http://schemas.microsoft.com/project">{head}<Tasks><Task>{task}</Task>'
        r = api.post(
            "/plans/import", params={"format": "mspdi"}, content=(xml + "</Tasks></Project>").encode()
        )
        assert r.status_code in (400, 422) and r.json()["error_code"] == "VALIDATION_ERROR", (xml, r.text)
    assert api.get("/health").status_code == 200


MSPDI_HEAD = '<Project xmlns="http://schemas.microsoft.com/project">'


def _mspdi(head: str = "", links: str = "") -> bytes:
    tasks = "".join(
        f"<Task><UID>{u}</UID><ID>{u}</ID><Name>T{u}</Name><OutlineLevel>1</OutlineLevel>"
        f"<Duration>PT8H0M0S</Duration>{links if u == 2 else ''}</Task>"
        for u in (1, 2)
    )
    return f"{MSPDI_HEAD}{head}<Tasks>{tasks}</Tasks></Project>".encode()


def _file(api: httpx.Client, fmt: str, body: bytes) -> httpx.Response:
    return api.post("/plans/import", params={"format": fmt, "name": "refused file"}, content=body)


def _stored_nothing(api: httpx.Client) -> None:
    assert all(p["name"] != "refused file" for p in api.get("/plans").json()["data"])


def test_two_links_between_the_same_tasks_are_a_409_naming_them_in_every_format(api: httpx.Client) -> None:
    """A pair of tasks has one link (Microsoft Project's rule, and POST .../dependencies answers a second
    one 409): a file repeating a link, the same or of another type, is refused naming the pair."""
    two = [{"key": "a", "name": "Alpha"}, {"key": "b", "name": "Beta"}]
    pred = "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>{}</Type></PredecessorLink>"
    ab = {"predecessor": "a", "successor": "b"}
    for fmt, body in [
        *(("json", json.dumps({"plan": {"name": "x"}, "tasks": two, "dependencies": links}).encode())
          for links in ([ab, ab], [ab, ab | {"type": "SS"}])),
        *(("csv", f"ID,Name,Predecessors\n1,Alpha,\n2,Beta,{p}\n".encode()) for p in ("1;1", "1FS;1SS")),
        ("mspdi", _mspdi(links=pred.format(1) * 2)),
        ("mspdi", _mspdi(links=pred.format(1) + pred.format(3))),
    ]:  # fmt: skip
        r = _file(api, fmt, body)
        assert r.status_code == 409 and r.json()["error_code"] == "DEPENDENCY_ERROR", (fmt, body, r.text)
        assert "twice" in r.json()["message"] and r.json()["status"] == "error", r.text
    _stored_nothing(api)


def test_a_requirement_listing_a_dependency_twice_depends_on_it_once(api: httpx.Client) -> None:
    reqs = [{"id": "a", "title": "A"}, {"id": "b", "title": "B", "dependencies": ["a", "a"]}]
    r = api.post("/plans/from-requirements", json={"requirements": reqs})
    assert r.status_code == 201, r.text
    assert r.json()["data"]["dependencies"] == 1 and r.json()["data"]["issues"] == []


def test_a_requirement_estimate_that_cannot_be_a_duration_is_an_issue(api: httpx.Client) -> None:
    """An estimate that is negative, beyond 1,000,000 days or not a number gave a one-day task and no word
    of it: the task still lasts a day, and `issues` says which estimate was left out."""
    reqs = [
        {"id": "neg", "title": "Negative", "metadata": {"estimated_days": -5}},
        {"id": "huge", "title": "Huge", "metadata": {"estimated_hours": 1e12}},
        {"id": "text", "title": "Text", "metadata": {"estimated_days": "three"}},
        {"id": "ok", "title": "Fine", "metadata": {"estimated_hours": 12}},
    ]
    r = api.post("/plans/from-requirements", json={"requirements": reqs})
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    tasks = api.get(f"/plans/{data['plan']['id']}/tasks").json()["data"]
    durations = {t["name"]: t["duration"] for t in tasks}
    assert durations == {"Negative": 1, "Huge": 1, "Text": 1, "Fine": 1.5}
    bad = {i["requirement_id"]: i["message"] for i in data["issues"] if i["rule"] == "invalid_estimate"}
    assert (
        set(bad) == {"neg", "huge", "text"}
        and "estimated_hours 1000000000000.0 is not a duration" in bad["huge"]
    )


def test_a_file_field_beyond_the_apis_bounds_is_a_422_naming_it(api: httpx.Client) -> None:
    """The bounds of the API's inputs hold for files too: a lag, work, leveling delay or list of tags the
    API would refuse is refused in a file (a lag of 1e308 made a plan that could not be viewed)."""
    task = {"key": "a", "name": "A"}
    for fmt, body, field in [
        ("json", {"dependencies": [{"predecessor": "a", "successor": "b", "lag": 1e308}]}, "lag"),
        ("json", {"tasks": [task | {"tags": [f"t{i}" for i in range(100_001)]}]}, "tags"),
        ("json", {"tasks": [task | {"work": 1e12}]}, "work"),
        ("json", {"tasks": [task | {"leveling_delay": 1e12}]}, "leveling_delay"),
        ("json", {"tasks": [task | {"description": "x" * 20_001}]}, "description"),
        ("json", {"plan": {"name": "p", "tags": ["t"] * 101}}, "tags"),
        ("json", {"resources": [{"key": "r", "name": "R", "skills": ["s"] * 201}]}, "skills"),
        ("csv", b"ID,Name,Predecessors\n1,A,\n2,B,1FS+99999999999d\n", "lag"),
        ("mspdi", _mspdi(links="<PredecessorLink><PredecessorUID>1</PredecessorUID>"
                               "<LinkLag>1e308</LinkLag></PredecessorLink>"), "lag"),
    ]:  # fmt: skip
        if fmt == "json":
            doc = {"plan": {"name": "p"}, "tasks": [task, {"key": "b", "name": "B"}]} | body
            body = json.dumps(doc).encode()
        r = _file(api, fmt, body)
        assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", (fmt, field, r.text)
        assert field in r.json()["message"], (field, r.text)
    _stored_nothing(api)


def test_a_project_file_with_a_day_or_week_of_no_minutes_is_a_422_naming_it(api: httpx.Client) -> None:
    for tag, value in [("MinutesPerDay", "0"), ("MinutesPerWeek", "0"), ("MinutesPerDay", "-480"),
                       ("MinutesPerDay", "NaN"), ("MinutesPerDay", "2000")]:  # fmt: skip
        r = _file(api, "mspdi", _mspdi(head=f"<{tag}>{value}</{tag}>"))
        assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", (tag, value, r.text)
        assert tag in r.json()["message"], r.text
    _stored_nothing(api)
    body = _mspdi(head="<MinutesPerDay>420</MinutesPerDay>")
    assert api.post("/plans/import", params={"format": "mspdi"}, content=body).status_code == 201


def test_csv_rows_sharing_an_id_are_a_422_naming_it(api: httpx.Client) -> None:
    r = _file(api, "csv", b"ID,Name,Predecessors\n1,A,\n1,B,\n2,C,1\n")
    assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", r.text
    assert "line 3" in r.json()["message"] and "ID 1" in r.json()["message"], r.text
    _stored_nothing(api)


def test_a_project_file_with_two_resources_of_one_name_is_imported_with_both(api: httpx.Client) -> None:
    """Project lets two resources share a name (b4ubuild_sample_07a in Aspose.Tasks' examples: two
    'Concrete Subcontractor'); a plan does not: the second is imported as 'Concrete Subcontractor (2)'
    with its assignment (was a 409 that refused the whole file)."""
    name = "<Name>Concrete Subcontractor</Name><Type>1</Type>"
    resources = "".join(f"<Resource><UID>{u}</UID>{name}</Resource>" for u in (1, 2))
    assignment = "<UID>1</UID><TaskUID>2</TaskUID><ResourceUID>2</ResourceUID><Units>1</Units>"
    more = f"</Tasks><Resources>{resources}</Resources><Assignments><Assignment>{assignment}</Assignment>"
    body = _mspdi().replace(b"</Tasks>", f"{more}</Assignments>".encode())
    r = api.post("/plans/import", params={"format": "mspdi", "name": "shared names"}, content=body)
    assert r.status_code == 201, r.text
    plan = r.json()["data"]["id"]
    names = {x["id"]: x["name"] for x in api.get(f"/plans/{plan}/resources").json()["data"]}
    assert sorted(names.values()) == ["Concrete Subcontractor", "Concrete Subcontractor (2)"]
    tasks = {t["name"]: t for t in api.get(f"/plans/{plan}/tasks").json()["data"]}
    assert [names[i] for i in tasks["T2"]["assigned_resources"]] == ["Concrete Subcontractor (2)"]


def test_a_refused_cell_or_field_is_named_in_the_files_own_words(api: httpx.Client) -> None:
    """A CSV cell that cannot be read is named by its line and column (`% Complete`, `Priority`, not a
    parser's `could not convert string to float` or pydantic's multi-line report with its web links); a
    JSON document's refused field by its place in the document (`tasks[0].priority`)."""
    cases = [
        ("% Complete", "abc"),
        ("Priority", "urgent"),
        ("Status", "wip"),
        ("Constraint Type", "Sometime"),
        ("Constraint Date", "soon"),
        ("Deadline", "2026-13-45"),
    ]
    for column, value in cases:
        r = _file(api, "csv", f"ID,Name,{column}\n1,A,{value}\n".encode())
        assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", r.text
        message = r.json()["message"]
        assert message.startswith(f"line 2: {column}: ") and value.upper() in message.upper(), message
        assert "\n" not in message and "pydantic" not in message, message
    r = _import(api, {"plan": {"name": "J"}, "tasks": [{"key": "a", "name": "A", "priority": "urgent"}]})
    assert r.status_code == 422 and r.json()["error_code"] == "VALIDATION_ERROR", r.text
    message = r.json()["message"]
    assert "tasks[0].priority: " in message and "'urgent'" in message, message
    assert "\n" not in message and "pydantic" not in message, message
    _stored_nothing(api)
