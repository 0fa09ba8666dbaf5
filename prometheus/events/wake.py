"""Wake-ups on new events. With PostgreSQL every transaction that writes events sends
`NOTIFY prometheus_events` (delivered at commit); each process LISTENs and wakes its outbox followers at
once instead of at their next poll. SQLite has one process: the followers poll."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

log = logging.getLogger("prometheus.events")
CHANNEL = "prometheus_events"


class Waker:
    def __init__(self, database_url: str, backend: str):
        self.url, self.backend = database_url, backend
        self.callbacks: list[Callable[[], None]] = []
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def on_event(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def start(self) -> None:
        if self.backend == "postgresql":
            self.thread = threading.Thread(target=self._listen, name="event-listener", daemon=True)
            self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=5)

    def _listen(self) -> None:
        import psycopg

        dsn = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        while not self.stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self.stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            for cb in self.callbacks:
                                with contextlib.suppress(Exception):
                                    cb()
            except Exception:  # noqa: BLE001 - reconnect after the database comes back
                log.warning("event listener lost its connection; retrying")
                self.stop.wait(1.0)
