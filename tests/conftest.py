"""Test fixtures: real databases (SQLite file and PostgreSQL) and a real server process on loopback."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from prometheus import tls
from prometheus.store import Database

POSTGRES_URL = os.environ.get(
    "PROMETHEUS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]
# the files whose tests take longest, run first: the two test processes take a file at a time, so a long
# file taken last kept one process busy minutes after the other had finished (the suite's last 2%: xdist
# hands out the files with most tests first, which put the one long schemathesis test last; pyproject's
# --no-loadscope-reorder keeps this order instead)
LONGEST_FIRST = (
    "test_schemathesis.py",
    "test_backup.py",
    "test_kept_differential.py",
    "test_webhooks.py",
    "test_integrations.py",
    "test_auth.py",
    "test_imports.py",
    "test_cli.py",
    "test_persistence.py",
    "test_retrospectives.py",
    "test_leveling.py",
    "test_web_big.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (LONGEST_FIRST), each file's tests in the order pytest gave them."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FreshPostgres:
    """A database of its own on the PostgreSQL server, dropped afterwards."""

    def __init__(self) -> None:
        self.admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with self.admin.connect() as c:
                c.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001
            msg = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(msg)
            pytest.skip(msg)
        self.names: list[str] = []

    def create(self) -> str:
        name = f"prometheus_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as c:
            for name in self.names:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[FreshPostgres]:
    pg = FreshPostgres()
    yield pg
    pg.drop_all()


@pytest.fixture(scope="session")
def make_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Returns a function giving a new empty database URL of the backend asked for."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'prometheus.db'}"
        return request.getfixturevalue("postgres").create()

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db(backend: str, make_database_url) -> Iterator[Database]:  # noqa: ANN001
    """A new, migrated database of the backend, in this process (store-level tests, no server)."""
    database = Database(make_database_url(backend))
    database.migrate()
    yield database
    database.dispose()


class PerBackend:
    """A test process's database and server of each backend, made when first asked for and kept to the end
    of the run: `backend` is a parametrized session fixture, so anything depending on it as a session
    fixture was torn down and made again each time the next file's tests switched backends (two server
    starts and a new PostgreSQL database per file)."""

    def __init__(self, make_database_url, logs: Path) -> None:  # noqa: ANN001
        self.make_database_url, self.logs = make_database_url, logs
        self.urls: dict[str, str] = {}
        self.servers: dict[str, Server] = {}

    def url(self, backend: str) -> str:
        if backend not in self.urls:
            self.urls[backend] = self.make_database_url(backend)
        return self.urls[backend]

    def server(self, backend: str) -> Server:
        """The backend's server; started again if it ended (a test that brought it down fails alone)."""
        srv = self.servers.get(backend)
        if srv is None:
            srv = self.servers[backend] = Server(self.url(backend), self.logs / f"server-{backend}.log")
        if srv.proc is None or srv.proc.poll() is not None:
            srv.start()
        return srv

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.stop()


@pytest.fixture(scope="session")
def per_backend(make_database_url, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PerBackend]:
    kept = PerBackend(make_database_url, tmp_path_factory.mktemp("log"))
    yield kept
    kept.stop()


@pytest.fixture
def database_url(backend: str, per_backend: PerBackend) -> str:
    """The database of the backend that this test process's `server` serves."""
    return per_backend.url(backend)


def _die_with_parent() -> None:
    """In the child: end when the test run that started it ends, even if it is killed (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# how long a server may take to answer /health; generous, so a busy machine does not fail a test
START_WAIT = float(os.environ.get("PROMETHEUS_TEST_START_WAIT", "180"))


class Server:
    """`prometheus serve` in a child process on a free loopback port."""

    def __init__(self, database_url: str, log: Path, port: int | None = None, env: dict | None = None):
        self.database_url = database_url
        self.env = env or {}
        self.port = port or free_port()
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {
            **os.environ,
            "PROMETHEUS_DATABASE_URL": self.database_url,
            "PROMETHEUS_PORT": str(self.port),
            **self.env,
        }
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prometheus", "serve", "--log-level", "warning"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + START_WAIT
        with httpx.Client(timeout=1, verify=tls.context()) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
                try:
                    if http.get(self.url + "/health").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def stop(self, *, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            self.proc.wait(timeout=15)


@pytest.fixture
def server(backend: str, per_backend: PerBackend) -> Server:
    """The backend's server of this test process, shared by its tests (each makes its own plans)."""
    return per_backend.server(backend)


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api", timeout=30, verify=tls.context()) as client:
        yield client


@pytest.fixture
def plan(api: httpx.Client) -> dict:
    r = api.post("/plans", json={"name": f"plan {uuid.uuid4().hex[:6]}", "start_date": "2026-12-01"})
    assert r.status_code == 201, r.text
    return r.json()["data"]


def add_task(api: httpx.Client, plan_id: str, name: str, **fields) -> dict:
    r = api.post(f"/plans/{plan_id}/tasks", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return r.json()["data"]


def link(api: httpx.Client, plan_id: str, pred: str, succ: str, **fields) -> httpx.Response:
    return api.post(
        f"/plans/{plan_id}/dependencies", json={"predecessor_id": pred, "successor_id": succ, **fields}
    )
