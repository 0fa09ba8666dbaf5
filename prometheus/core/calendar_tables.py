"""Calendar tables kept between schedules. A calendar laid out over a range of days (calendar.py) is a value
of its definition and that range, and a server schedules the same few calendars over and over: each table is
built once, kept read-only, and found again by a key made of the calendar's content (never of the object,
so a calendar changed in place makes a new key), the least recently used dropped beyond a memory bound."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

MAX_BYTES = 64 * 2**20


class Tables:
    """A bounded least-recently-used map from a key to a tuple of read-only arrays, safe across threads."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[np.ndarray, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[..., tuple[np.ndarray, ...]], *args: object) -> tuple:
        """The arrays kept for `key`, else `make(*args)`'s, made read-only and kept."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        arrays = make(*args)
        for a in arrays:
            a.flags.writeable = False
        size = sum(a.nbytes for a in arrays)
        with self._lock:
            if key not in self._entries and size <= self.max_bytes:
                self._entries[key] = arrays
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, old = self._entries.popitem(last=False)
                    self._bytes -= sum(a.nbytes for a in old)
        return arrays

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


TABLES = Tables()
