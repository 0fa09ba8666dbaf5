"""Reading objects into columns (lists, then NumPy arrays): how `table.PlanTable` reads a plan.

The cost of compiling a big plan is reading its objects: each field read fetches the object's dict and the
value from memory, and the objects of a plan of 100,000 tasks lie far apart. So every object is visited once
(its fields read together by one `attrgetter`, the tuples flattened and sliced back into columns in C),
enums become codes by a C `list.count` when a column holds one value (the common case) and a dict lookup
per value otherwise, and task ids become task numbers by one dict lookup per link end."""

from __future__ import annotations

from itertools import chain, repeat
from operator import attrgetter, itemgetter

import numpy as np

TASK_FIELDS = (
    "id",
    "name",
    "duration",
    "duration_unit",
    "constraint_type",
    "milestone",
    "percent_complete",
    "status",
    "actual_start",
    "deadline",
    "manual",
    "leveling_delay",
    "calendar",
    "parent_id",
    "assignments",
    "splits",
    "constraint_date",
    "actual_finish",
)
TASK_DATES = ("constraint_date", "deadline", "actual_start", "actual_finish")  # what must be in 1900..2200
LINK_FIELDS = ("predecessor_id", "successor_id", "type", "lag", "lag_unit")


def read(objects: list, names: tuple[str, ...]) -> dict[str, list]:
    """One list per attribute (at least two names), each object visited once: from its `__dict__`, where
    pydantic keeps the fields (an item lookup skips the attribute protocol), else by attribute."""
    k = len(names)
    try:
        flat = list(chain.from_iterable(map(itemgetter(*names), map(vars, objects))))
    except (TypeError, KeyError):  # objects that keep fields elsewhere (slots, properties)
        flat = list(chain.from_iterable(map(attrgetter(*names), objects)))
    return {name: flat[i::k] for i, name in enumerate(names)}


def codes(values: list, table: dict, common: object) -> np.ndarray:
    """The code `table` gives each value (an enum member or its string), int64; a column of one value
    costs a C count."""
    n = len(values)
    if values.count(common) == n:
        return np.full(n, table[common], dtype=np.int64)
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=n)


def numbers(ids: list[str], pos: dict[str, int]) -> np.ndarray:
    """The task number of each id, -1 where it names no leaf task."""
    return np.fromiter(map(pos.get, ids, repeat(-1, len(ids))), dtype=np.int64, count=len(ids))


def floats(values: list) -> np.ndarray:
    return np.fromiter(values, dtype=np.float64, count=len(values))
