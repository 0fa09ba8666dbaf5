"""Backup to one file and restore, across databases; a restore never half-happens."""

from __future__ import annotations

import os
import subprocess

import httpx

from prometheus.core.documents import PlanDocument
from prometheus.formats.document import canonical
from tests.cli_runner import run_prometheus
from tests.conftest import Server, add_task, link


def cli(url: str, *args: str, own_process: bool = False) -> subprocess.CompletedProcess:
    """`prometheus ARGS` on the database at `url` (in this process unless `own_process`)."""
    return run_prometheus(*args, env={"PROMETHEUS_DATABASE_URL": url}, own_process=own_process)


def test_backup_from_sqlite_restore_into_postgresql(make_database_url, tmp_path) -> None:
    source = make_database_url("sqlite")
    srv = Server(source, tmp_path / "a.log").start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    pid = api.post("/plans", json={"name": "Backed up", "start_date": "2026-11-30"}).json()["data"]["id"]
    a, b = add_task(api, pid, "A", duration=2), add_task(api, pid, "B", duration=1)
    link(api, pid, a["id"], b["id"], lag=1)
    api.post(f"/plans/{pid}/baselines", json={})
    before = api.get(f"/plans/{pid}/export").content
    srv.stop()

    file = tmp_path / "prometheus.backup.gz"
    out = cli(source, "backup", str(file), own_process=True)  # the program as a user runs it
    assert out.returncode == 0 and "1 plans" in out.stdout, out.stdout + out.stderr

    target = make_database_url("postgresql")
    assert cli(target, "restore", str(file), own_process=True).returncode == 0
    again = cli(target, "restore", str(file))
    assert again.returncode == 1 and "--replace" in again.stderr  # nothing overwritten by accident
    assert cli(target, "restore", str(file), "--replace").returncode == 0

    srv = Server(target, tmp_path / "b.log").start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        after = api.get(f"/plans/{pid}/export").content
        assert canonical(PlanDocument.model_validate_json(after)) == canonical(
            PlanDocument.model_validate_json(before)
        )
        assert api.get(f"/plans/{pid}").json()["data"]["version"] >= 1
        assert len(api.get(f"/plans/{pid}/baselines").json()["data"]) == 1
        assert api.post(f"/plans/{pid}/tasks", json={"name": "after restore"}).status_code == 201  # ids go on
    finally:
        srv.stop()

    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"not a backup")
    bad = cli(make_database_url("sqlite"), "restore", str(broken))
    assert bad.returncode == 1 and "cannot read the backup" in bad.stderr


def test_backup_taken_while_another_thread_writes_restores(backend: str, make_database_url, tmp_path) -> None:
    """Every table is read in one snapshot: a backup taken during writes never holds links to missing
    rows, and restores into SQLite and PostgreSQL."""
    import threading

    from prometheus.store import Database
    from prometheus.store.backup import backup, restore

    source = make_database_url(backend)
    srv = Server(source, tmp_path / "w.log").start()
    stop = threading.Event()
    written = []

    def writer() -> None:
        with httpx.Client(base_url=srv.url + "/api", timeout=60) as api:
            while not stop.is_set():
                pid = api.post("/plans", json={"name": "busy"}).json()["data"]["id"]
                prev = None
                for i in range(6):
                    t = add_task(api, pid, f"t{i}")
                    if prev:
                        link(api, pid, prev["id"], t["id"])
                    prev = t
                api.delete(f"/plans/{pid}/tasks/{prev['id']}")
                if len(written) % 2:
                    api.delete(f"/plans/{pid}")
                written.append(pid)

    doc = {
        "plan": {"name": "bulk"},
        "tasks": [{"key": f"k{i}", "name": f"bulk {i}", "notes": "n" * 200} for i in range(3000)],
        "dependencies": [{"predecessor": f"k{i}", "successor": f"k{i + 1}"} for i in range(2999)],
    }
    r = httpx.post(srv.url + "/api/plans/import", json=doc, timeout=120)
    assert r.status_code == 201, r.text  # a big table makes each backup take a while
    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    db = Database(source)
    files = []
    try:
        n = 0
        while len(written) < 4 or n < 6:  # backups all along the writes; the last six are restored
            file = tmp_path / f"b{n % 6}.gz"
            backup(db, file)
            files = sorted({*files, file})
            n += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        db.dispose()
        srv.stop()
    assert len(written) >= 2
    for i, file in enumerate(files):  # in this process (the command is tested above): the same restore()
        target = Database(make_database_url("postgresql" if i % 2 else "sqlite"))
        try:
            target.migrate()
            counts = restore(target, file)  # a link to a missing row fails it (ValidationFailed)
        finally:
            target.dispose()
        assert counts["tasks"] >= 3000 and counts["dependencies"] >= 2999, counts


def test_a_sqlite_backup_holding_a_nul_restores_into_postgresql(make_database_url, tmp_path) -> None:
    """NUL is refused at the edge now, but SQLite databases written before may hold one; PostgreSQL cannot
    store it, so a restore there drops it (in text and in JSON) instead of failing."""
    from sqlalchemy import create_engine, text

    source = make_database_url("sqlite")
    srv = Server(source, tmp_path / "n.log").start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    pid = api.post("/plans", json={"name": "nul"}).json()["data"]["id"]
    t = add_task(api, pid, "ab", metadata={"k": "v"})
    srv.stop()
    engine = create_engine(source)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE tasks SET name = :n, metadata = :m WHERE id = :i"),
            {"n": "a\x00b", "m": '{"k": "v\\u0000w"}', "i": t["id"]},
        )
    engine.dispose()
    file = tmp_path / "nul.gz"
    assert cli(source, "backup", str(file)).returncode == 0
    target = make_database_url("postgresql")
    out = cli(target, "restore", str(file))
    assert out.returncode == 0, out.stdout + out.stderr
    srv = Server(target, tmp_path / "m.log").start()
    try:
        got = httpx.get(f"{srv.url}/api/plans/{pid}/tasks/{t['id']}", timeout=30).json()["data"]
        assert got["name"] == "ab" and got["metadata"] == {"k": "vw"}
    finally:
        srv.stop()


def test_a_default_start_time_backs_up_and_restores(backend: str, make_database_url, tmp_path) -> None:
    """A plan's `default_start_time` is a time of day (as every imported Project file has): the backup
    writes it and the restore reads it back, from either database into the other."""
    source = make_database_url(backend)
    srv = Server(source, tmp_path / "t.log").start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    plan = {"name": "Nine o'clock", "start_date": "2026-12-01", "default_start_time": "09:00"}
    created = api.post("/plans", json=plan).json()["data"]
    pid, nine = created["id"], created["default_start_time"]
    add_task(api, pid, "A", duration=1)
    before = api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"][0]["start"]
    srv.stop()
    assert before == "2026-12-01T09:00:00"

    file = tmp_path / "time.gz"
    out = cli(source, "backup", str(file))
    assert out.returncode == 0, out.stdout + out.stderr
    target = make_database_url("postgresql" if backend == "sqlite" else "sqlite")
    out = cli(target, "restore", str(file))
    assert out.returncode == 0, out.stdout + out.stderr
    srv = Server(target, tmp_path / "u.log").start()
    try:
        api = httpx.Client(base_url=srv.url + "/api", timeout=30)
        assert api.get(f"/plans/{pid}").json()["data"]["default_start_time"] == nine
        assert api.get(f"/plans/{pid}/timeline").json()["data"]["tasks"][0]["start"] == before
    finally:
        srv.stop()


def test_a_cut_off_backup_is_refused_and_a_failed_one_leaves_no_file(  # noqa: ANN001
    make_database_url, tmp_path, monkeypatch
) -> None:
    """A backup cut off (by a full disk, a kill, a copy stopped half-way) is refused whole by restore,
    nothing loaded; and a backup that fails while writing leaves no file where the backup was asked for."""
    import gzip

    from prometheus.store import Database
    from prometheus.store import backup as backups

    source = make_database_url("sqlite")
    srv = Server(source, tmp_path / "s.log").start()
    api = httpx.Client(base_url=srv.url + "/api", timeout=30)
    for n in range(3):
        pid = api.post("/plans", json={"name": f"plan {n}"}).json()["data"]["id"]
        add_task(api, pid, "A", duration=1)
    srv.stop()
    file = tmp_path / "whole.gz"
    assert cli(source, "backup", str(file)).returncode == 0
    with gzip.open(file, "rt", encoding="utf-8") as whole:
        lines = whole.read().splitlines(keepends=True)
    cut = tmp_path / "cut.gz"
    with gzip.open(cut, "wt", encoding="utf-8") as f:  # a well-formed gzip of the first half of the lines
        f.writelines(lines[: len(lines) // 2])
    torn = tmp_path / "torn.gz"
    torn.write_bytes(file.read_bytes()[: file.stat().st_size // 2])  # the bytes stop half-way
    target = make_database_url("sqlite")
    for bad in (cut, torn):
        out = cli(target, "restore", str(bad))
        assert out.returncode != 0 and "cut off" in out.stdout + out.stderr, out.stdout + out.stderr
    db = Database(target)
    db.migrate()
    with db.store(write=False) as store:
        assert store.list_plans(limit=10)[0] == []  # nothing of them was loaded
    assert backups.restore(db, file)["plans"] == 3  # the whole one is

    calls = {"n": 0}
    plain = backups._plain

    def failing(value: object) -> object:  # the disk fills up half-way through the rows
        calls["n"] += 1
        if calls["n"] > 20:
            raise OSError(28, "No space left on device")
        return plain(value)

    monkeypatch.setattr(backups, "_plain", failing)
    failed = tmp_path / "failed.gz"
    try:
        backups.backup(Database(source), failed)
    except OSError:
        pass
    else:
        raise AssertionError("the backup should have failed")
    assert not failed.exists() and list(tmp_path.glob("failed.gz*")) == []
    db.dispose()


HOSTILE_LINES = {  # a line after a backup's head, and what restore says of it
    "5": "is not a row",
    '"x"': "is not a row",
    "[1]": "is not a row",
    '{"end": 5}': "is not a row",
    '{"t": "plans", "r": 5}': "is not a row",
    '{"t": "no_such_table", "r": {}}': "is not a row",
    '{"t": "plans", "r": {"id": "p", "bogus": 1}}': "has no column 'bogus'",
    '{"t": "plans", "r": {"id": "p", "name": "x", "created_at": "garbage"}}': "inconsistent (plans)",
    '{"t": "plans", "r": {"id": "p", "name": "x", "created_at": 5}}': "inconsistent (plans)",
}


def test_a_hostile_backup_file_is_refused_and_the_database_kept(
    backend: str, make_database_url, tmp_path
) -> None:
    """Lines of the wrong shape, an unknown column or a date that is none were an unexpected TypeError,
    AttributeError or ValueError (a crash); each is a clear refusal, and `--replace` keeps every plan."""
    import gzip
    import json

    url = make_database_url(backend)
    srv = Server(url, tmp_path / "h.log").start()
    httpx.post(srv.url + "/api/plans", json={"name": "kept"}, timeout=30)
    srv.stop()
    head = json.dumps({"format": "prometheus.backup", "version": 2})
    for n, (line, said) in enumerate(HOSTILE_LINES.items()):
        file = tmp_path / f"hostile{n}.gz"
        with gzip.open(file, "wt", encoding="utf-8") as f:
            f.write(f'{head}\n{line}\n{{"end": {{"plans": 1}}}}\n')
        out = cli(url, "restore", "--replace", str(file))
        text = out.stdout + out.stderr
        assert out.returncode == 1 and said in text and "unexpected" not in text, (line, text)
    from prometheus.store import Database

    db = Database(url)
    with db.store(write=False) as store:
        assert [p.name for p in store.list_plans(limit=10)[0]] == ["kept"]
    db.dispose()


def test_a_backup_through_a_link_keeps_the_link_and_one_to_a_pipe_streams(
    make_database_url, tmp_path
) -> None:
    """The backup was renamed onto the path it was given: a symbolic link became a file of its own, and a
    pipe or device (`/dev/stdout`; as root, `/dev/full`) was replaced by a regular file."""
    import threading

    url = make_database_url("sqlite")
    srv = Server(url, tmp_path / "l.log").start()
    httpx.post(srv.url + "/api/plans", json={"name": "linked"}, timeout=30)
    srv.stop()
    target, link = tmp_path / "real.gz", tmp_path / "link.gz"
    link.symlink_to(target)
    out = cli(url, "backup", str(link))
    assert out.returncode == 0, out.stdout + out.stderr
    assert link.is_symlink() and target.is_file() and target.stat().st_size > 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    out = cli(url, "backup", str(fifo))
    reader.join(30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert fifo.is_fifo() and got and got[0]
    copy = tmp_path / "copy.gz"
    copy.write_bytes(got[0])
    out = cli(make_database_url("sqlite"), "restore", str(copy))
    assert out.returncode == 0 and "1 plans" in out.stdout, out.stdout + out.stderr
