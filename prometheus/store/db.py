"""Engine, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import RLock

from sqlalchemy import create_engine, event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

from prometheus.store.repository import Store, touch_plans
from prometheus.store.tables import PlanRow

MIGRATIONS = Path(__file__).parent / "migrations"
PING_IDLE = 1.0  # seconds a PostgreSQL connection may rest in the pool and be used again without a ping
_MIGRATION_LOCK = 0x50524F4D  # advisory lock id so that replicas migrate one at a time


def normalize_url(url: str) -> str:
    """Use psycopg 3 for postgresql:// URLs; make the SQLite file's folder exist."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        u = u.set(database=str(Path(u.database).expanduser()))
    return u.render_as_string(hide_password=False)


def store_json(value: object) -> str:
    """How a JSON column is written, on both backends: as UTF-8 text (no `\\u` escapes), so a lone
    surrogate fails the write itself (SQLite's driver, like PostgreSQL, cannot encode it) instead of being
    stored for every later answer to fail on; and never NaN or Infinity, which are not JSON (PostgreSQL
    refuses them). The inputs refuse both first (`core/bounds.py`); this keeps the store from ever holding
    them, whatever path a value takes. One encoder for every value (json.dumps makes one per call when given
    options: most of the cost of a small value)."""
    return _JSON.encode(value)


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # as json.dumps(value, ensure_ascii=..., ...)
_EMPTY = {"[]": list, "{}": dict, "null": type(None)}


def store_loads(text: str | bytes) -> object:
    """How a JSON column is read: an empty list or object (most tasks' tags, metadata, skills and splits: a
    10,000-task plan holds some 50,000 of them; a new one each time) and null (a task without a calendar)
    made directly; anything else by json.loads, whose work per call was a fifth of reading a plan."""
    empty = _EMPTY.get(text) if type(text) is str else None
    return empty() if empty is not None else json.loads(text)


# what SQLAlchemy raises when the database cannot be reached or no connection is free: a 503, not a 500
UNREACHABLE = (exc.OperationalError, exc.TimeoutError)


def _postgres_utc(dbapi_conn, _record) -> None:  # noqa: ANN001
    """Every PostgreSQL session in UTC, whatever the server's, the database's or `PGTZ`'s time zone: a
    date-time without an offset (a plan-local date, kept as the UTC-labelled wall time `mapping.aware`
    reads back) is then stored as the moment it is read back as, not shifted by the server's zone."""
    autocommit = dbapi_conn.autocommit
    dbapi_conn.autocommit = True
    dbapi_conn.execute("SET TIME ZONE 'UTC'")
    dbapi_conn.autocommit = autocommit


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a page cache of up to 64 MiB (the default is 2 MiB): a big write (a 10,000-task import changes some
    # 25 MiB of pages) stays in memory until it commits instead of spilling to the log as it goes, and big
    # plans read again find their pages; each connection's cache grows only as far as it is used
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()
    # SQLite's own lower() folds ASCII only: `search=école` missed "ÉCOLE" there and found it on PostgreSQL
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _rested_since(_dbapi_conn, record) -> None:  # noqa: ANN001
    record.info["rested_since"] = time.monotonic()


def _sqlite_begin(conn) -> None:  # noqa: ANN001
    """Writers take the lock up front (BEGIN IMMEDIATE): no deadlock-prone read-then-write upgrade. Sent on
    the driver's connection: a statement through SQLAlchemy costs more than the BEGIN itself."""
    begin = "BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE" else "BEGIN"
    conn.connection.driver_connection.execute(begin)


class WriteQueue:
    """The writers of one SQLite file, one at a time: this process's threads (a reentrant lock), then the
    processes sharing the file (`prometheus serve --workers`: an flock on a file beside it, whose next
    waiter the kernel wakes at once). Writers that do not queue here (another program) still wait for
    SQLite's own lock, behind BEGIN IMMEDIATE."""

    def __init__(self, path: str | None):
        self._threads = RLock()
        self._path = f"{path}.write-lock" if path and path != ":memory:" else None
        self._file: tuple[int, int] | None = None  # (process id, descriptor): a child reopens its own
        self._depth = 0

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._path is not None:
                fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._file is not None:
                fcntl.flock(self._file[1], fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        if self._file is not None and self._file[0] == os.getpid():
            os.close(self._file[1])
        self._file = None

    def _descriptor(self) -> int:
        if self._file is None or self._file[0] != os.getpid():
            self._file = (os.getpid(), os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644))
        return self._file[1]


class Database:
    """One database: its engine, transactions (`store()`), migrations and health check."""

    def __init__(self, url: str, *, pool_size: int = 10):
        self.url = normalize_url(url)
        self.backend = make_url(self.url).get_backend_name()
        kwargs: dict = {"json_serializer": store_json, "json_deserializer": store_loads}
        if self.backend == "sqlite":  # a file's connection is never lost: no ping before each transaction
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:  # idle connections stay open: opening one per request burst costs PostgreSQL a process
            kwargs |= {"pool_size": pool_size, "max_overflow": pool_size}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            event.listen(self.engine, "connect", _postgres_utc)
            event.listen(self.engine, "checkout", self._ping_if_idle)
            event.listen(self.engine, "checkin", _rested_since)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        self._revision_sql = f"SELECT revision FROM {PlanRow.__tablename__} WHERE id = {mark}"
        event.listen(self._sessions, "before_flush", touch_plans)
        self.on_commit_events: list = []  # callables run after a transaction that wrote events commits
        # SQLite has one writer at a time: writers queue here, in order, rather than in SQLite's busy
        # handler, which sleeps in growing steps while the lock is free
        self._write_lock = WriteQueue(make_url(self.url).database) if self.backend == "sqlite" else None

    def _ping_if_idle(self, dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        """Before a connection is used: a ping if it rested in the pool over PING_IDLE seconds (the server
        may have closed it meanwhile; the pool then opens new ones), none if it came back just now (a
        ping before every transaction, pool_pre_ping, costs a round trip each)."""
        if time.monotonic() - record.info.get("rested_since", 0.0) <= PING_IDLE:
            return
        try:
            self.engine.dialect.do_ping(dbapi_conn)
        except self.engine.dialect.loaded_dbapi.Error as e:
            raise exc.InvalidatePoolError(str(e)) from e

    @contextmanager
    def store(self, *, write: bool = True, snapshot: bool = False) -> Iterator[Store]:
        """A Store on one transaction: committed when the block ends, rolled back on error. `snapshot`: every
        read sees the database as it was at the first one (REPEATABLE READ on PostgreSQL; a SQLite read
        transaction always does)."""
        if self._write_lock is not None and write:
            with self._write_lock, self._transaction(write=write, snapshot=snapshot) as store:
                yield store
        else:
            with self._transaction(write=write, snapshot=snapshot) as store:
                yield store
        if store.info.get("emitted"):  # committed events: wake this process's followers now
            for callback in self.on_commit_events:
                callback()

    @contextmanager
    def _transaction(self, *, write: bool, snapshot: bool) -> Iterator[Store]:
        """A transaction on a connection of the pool; its ORM session is made only if the Store uses one."""
        with self.engine.connect() as conn:
            if self.backend == "sqlite":
                conn.execution_options(sqlite_begin="IMMEDIATE" if write else "DEFERRED")
            elif snapshot:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                store = Store(conn, self._sessions)
                try:
                    yield store
                    store.finish()
                finally:
                    store.close()

    def plan_revision(self, plan_id: str) -> str | None:
        """A plan's revision token in one indexed read; None if there is no such plan. Read before every
        kept answer: on the driver's own connection from the pool, with SQL written once, no SQLAlchemy
        statement (its statement and transaction cost several times the read on SQLite); a driver's error
        is raised as SQLAlchemy raises it (a lost database: OperationalError, a 503)."""
        sql, dbapi, alone = self._revision_sql, self.engine.dialect.loaded_dbapi, self.backend == "postgresql"
        conn = cursor = None
        try:
            conn = self.engine.raw_connection()
            if alone:  # outside a transaction: one round trip, not BEGIN, SELECT and ROLLBACK
                conn.driver_connection.autocommit = True
            cursor = conn.cursor()
            cursor.execute(sql, (plan_id,))
            row = cursor.fetchone()
            cursor.close()
        except dbapi.Error as e:
            lost = conn is not None and self.engine.dialect.is_disconnect(e, conn.dbapi_connection, cursor)
            if lost:  # as after SQLAlchemy's own statements: the pool's connections are all made again
                self.engine.pool._invalidate(conn, e)  # noqa: SLF001
            raise exc.DBAPIError.instance(sql, (plan_id,), e, dbapi.Error, connection_invalidated=lost) from e
        finally:
            if conn is not None:
                if alone and conn.is_valid:
                    conn.driver_connection.autocommit = False  # as every other user of the pool has it
                conn.close()  # back to the pool
        return None if row is None else row[0]

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision`, the newest by default (safe with several replicas starting at
        once). Every row survives: on SQLite, foreign keys are off while tables are rebuilt, and checked
        before the migration commits."""
        from alembic import command  # here: Alembic takes ~0.4 s to import, and only this needs it
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self._migration_file_lock(), self.engine.connect() as conn:
            sqlite = self.backend == "sqlite"
            if sqlite:  # SQLite's batch migrations rebuild tables: dropping the old one must not cascade
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # outside a transaction
            try:
                with conn.begin():
                    if not sqlite:
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, revision)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() if sqlite else []
                    if broken:
                        raise RuntimeError(f"migration left rows pointing at missing rows: {broken[:5]}")
            finally:
                if sqlite:
                    conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def _migration_file_lock(self) -> Iterator[None]:
        """SQLite: worker processes starting together migrate one at a time (a lock file beside the db)."""
        path = make_url(self.url).database
        if self.backend != "sqlite" or not path or path == ":memory:":
            yield
            return
        with open(f"{path}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means unreachable
            return False

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_lock is not None:
            self._write_lock.close()
