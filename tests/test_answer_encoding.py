"""Answers of plain data (dicts and lists: executions, timelines, costs, ...) are written as FastAPI's
`jsonable_encoder` writes them, to the byte, though the envelope walks the plain JSON values itself
(`prometheus/api/envelope.py`, `encoded`): dates keep their `+00:00`, enums their value, models inside
them their JSON form."""

from __future__ import annotations

import dataclasses
import enum
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from fastapi.encoders import jsonable_encoder
from pydantic_core import to_json

from prometheus.api.envelope import encoded, ok
from prometheus.core.model import Dependency, LagUnit, TaskStatus


class Color(enum.Enum):
    red = "r"


class Level(enum.IntEnum):
    high = 3


@dataclasses.dataclass
class Point:
    x: int
    at: datetime


class Name(str):
    pass


AT = datetime(2026, 11, 27, 23, 1, 2, 345678, tzinfo=UTC)
VALUES = [
    None, True, False, 0, -7, 2**70, 1.5, math.nan, math.inf, "", "text", "\u00e9\u4e2d",
    AT, AT.replace(tzinfo=None), date(2026, 12, 1), time(8, 30), timedelta(hours=3), Decimal("1.25"),
    UUID(int=5), Color.red, Level.high, TaskStatus.completed, LagUnit.edays, Name("sub"),
    (1, "a", AT), {3, 4}, frozenset({"x"}), Point(1, AT),
    Dependency(id="d", plan_id="p", predecessor_id="a", successor_id="b"),
    {"_sa_instance": 1, "_sample": 2, "kept": AT, 3: "int key", None: "none key", Color.red: "enum key"},
    {"nested": [{"deep": [AT, (Color.red,), {"k": Level.high}]}], "empty": {}, "list": []},
]  # fmt: skip


def test_plain_data_is_written_as_jsonable_encoder_writes_it() -> None:
    for value in VALUES:
        assert to_json(encoded(value), inf_nan_mode="null") == to_json(
            jsonable_encoder(value), inf_nan_mode="null"
        ), value
    whole = {"steps": [{"id": str(i), "done": i % 2 == 0, "start": AT, "n": i} for i in range(50)]}
    assert encoded(whole | {"all": VALUES}) == jsonable_encoder(whole | {"all": VALUES})
    body = ok({"created_at": AT, "steps": whole["steps"]}).body
    assert b'"created_at":"2026-11-27T23:01:02.345678+00:00"' in body
