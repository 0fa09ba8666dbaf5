"""Rows <-> domain models, with the field lists derived once from the models and the tables.

A model field is stored in the table column of the same name (`metadata` included: the ORM attribute is
`meta`, the column `metadata`). What the store reads (an ORM row or a Core row) becomes a model with
`model_of`; what a client sent or a file held becomes a table's column values with `values_of`."""

from __future__ import annotations

import enum
import os
import types
import uuid
from datetime import UTC, date, datetime, time
from functools import cache
from operator import attrgetter
from time import time_ns
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import DateTime, Table, inspect

from prometheus.core.feedback import Feedback, Retrospective
from prometheus.core.model import Assignment, Calendar, Dependency, Plan, Resource, Task
from prometheus.core.webhook import Delivery, Webhook
from prometheus.store.tables import (
    AssignmentRow,
    DeliveryRow,
    DependencyRow,
    FeedbackRow,
    PlanRow,
    ResourceRow,
    RetrospectiveRow,
    TaskRow,
    WebhookRow,
)

# columns the store sets itself, never copied from what a client sent
BOOKKEEPING = frozenset({"id", "plan_id", "version", "created_at", "updated_at"})


def new_id() -> str:
    """A new row's id, random (a UUID of version 4): what people name a plan by (the CLI takes an id's
    first characters), so ids made one after the other must differ from their start."""
    return str(uuid.uuid4())


def new_ids(n: int) -> list[str]:
    """Ids for n rows written at once (an import, a batch), in ascending order: UUIDs of version 7 (RFC
    9562), the current Unix time in milliseconds then 74 random bits, all n of the same millisecond.
    Each batch's rows go in at the end of a table's primary-key index together (random ids land all over
    it: an import of 40,000 rows stored in about 1.4x the time on SQLite)."""
    stamp = time_ns() // 1_000_000 % (1 << 48)
    raw = bytearray(os.urandom(16 * n))
    raw[0::16], raw[1::16], raw[2::16], raw[3::16], raw[4::16], raw[5::16] = (
        bytes([b]) * n for b in stamp.to_bytes(6, "big")
    )
    raw[6::16] = bytes(b & 0x0F | 0x70 for b in raw[6::16])  # the version, 7
    raw[8::16] = bytes(b & 0x3F | 0x80 for b in raw[8::16])  # the variant, RFC 9562
    h = raw.hex()
    return sorted(
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    )


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def calendar_json(cal: Calendar | None) -> dict[str, Any] | None:
    return None if cal is None else cal.model_dump(mode="json")


_PLAIN = frozenset({type(None), str, int, float, bool, list, dict, datetime, date, time})


def db_value(value: Any) -> Any:
    """A model value as its column holds it: enums by value, nested models (calendars) as JSON."""
    if type(value) in _PLAIN:  # most values: no isinstance chain
        if type(value) is list and value and isinstance(value[0], BaseModel):  # task splits
            return [v.model_dump(mode="json") for v in value]
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


@cache
def attributes(row_cls: type) -> dict[str, str]:
    """Column name -> ORM attribute name of a mapped row class (`metadata` -> `meta`)."""
    return {attr.columns[0].name: attr.key for attr in inspect(row_cls).column_attrs}


def _optional(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


@cache
def _read_plan(
    model: type[BaseModel], table: Table
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The model's fields stored in the table; those of date-time columns; those it holds no null in."""
    names = tuple(n for n in model.model_fields if n in table.c)
    times = tuple(n for n in names if isinstance(table.c[n].type, DateTime))
    required = tuple(n for n in names if not _optional(model.model_fields[n].annotation))
    return names, times, required


@cache
def _positions(names: tuple[str, ...], fields: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    index = {f: i for i, f in enumerate(fields)}
    return tuple((n, index[n]) for n in names)


def model_of(
    model: type[BaseModel], row_cls: type, row: Any, *, columns: tuple[str, ...] | None = None, **extra: Any
) -> Any:
    """The model of an ORM row, or of a Core row or dict (keyed by column names) of the row class's table;
    `columns`: a Core row's result's keys, read once for all its rows (a row's own `_fields` makes them anew
    each time: a third of reading a 50,000-row plan).

    Null stored where the model allows none (an old row's JSON list) gives the model's default."""
    names, times, required = _read_plan(model, row_cls.__table__)
    if isinstance(row, row_cls):
        attrs = attributes(row_cls)
        values = {n: getattr(row, attrs[n]) for n in names}
    elif isinstance(row, dict):  # the values inserted: columns left out are null
        values = {n: row.get(n) for n in names}
    else:  # a Core row: by position, the fastest access
        values = {n: row[i] for n, i in _positions(names, columns or row._fields)}
    for n in times:
        if values[n] is not None:
            values[n] = aware(values[n])
    for n in required:
        if values[n] is None:
            del values[n]
    values.update(extra)
    return model(**values)


@cache
def _write_fields(model: type[BaseModel], table: Table) -> tuple[str, ...]:
    return tuple(n for n in model.model_fields if n in table.c and n not in BOOKKEEPING)


def values_of(row_cls: type, source: BaseModel, **fields: Any) -> dict[str, Any]:
    """The column values (by column name) of what a client sent or a file held: every field of `source`
    that the table stores, then `fields` (ids, position, what the store decides)."""
    values = {n: db_value(getattr(source, n)) for n in _write_fields(type(source), row_cls.__table__)}
    values.update(fields)
    return values


_SCALARS = frozenset({type(None), str, int, float, bool, datetime, date, time})


def columns_of(row_cls: type, sources: list[BaseModel]) -> dict[str, list[Any]]:
    """values_of for many sources of one model at once, column by column: column name -> each source's
    value (without the store's own `fields`)."""
    if not sources:
        return {}
    names = _write_fields(type(sources[0]), row_cls.__table__)
    rows = list(map(attrgetter(*names), sources))  # a tuple per source (one value where one field)
    if len(names) == 1:
        rows = [(v,) for v in rows]
    columns = {}
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        kinds = set(map(type, values))
        if kinds <= _SCALARS:
            columns[name] = list(values)
        elif all(k.__hash__ is not None for k in kinds):  # enums (and None)
            made = {v: db_value(v) for v in set(values)}  # once per distinct value
            columns[name] = [made[v] for v in values]
        else:  # lists, nested models
            columns[name] = [db_value(v) for v in values]
    return columns


def new_row(row_cls: type, source: BaseModel, **fields: Any) -> Any:
    """An ORM row made with values_of."""
    names = attributes(row_cls)
    return row_cls(**{names[k]: v for k, v in values_of(row_cls, source, **fields).items()})


# -- the models of the plan's rows ---------------------------------------------------------------------------


def plan_model(row: Any, task_count: int = 0) -> Plan:
    return model_of(Plan, PlanRow, row, task_count=task_count)


def task_model(
    row: Any,
    assignments: list[Assignment],
    predecessors: list[str] | None = None,
    columns: tuple[str, ...] | None = None,
) -> Task:
    number = row.number if isinstance(row, TaskRow) else getattr(row, "_mapping", row)["number"]
    return model_of(
        Task,
        TaskRow,
        row,
        columns=columns,
        key=f"task-{number}",
        dependencies=predecessors or [],
        assignments=assignments,
    )


def assignment_model(row: Any, columns: tuple[str, ...] | None = None) -> Assignment:
    """A task's assignment from its row (an ORM or Core row): the model's fields the table stores."""
    return model_of(Assignment, AssignmentRow, row, columns=columns)


def resource_model(row: Any, columns: tuple[str, ...] | None = None) -> Resource:
    return model_of(Resource, ResourceRow, row, columns=columns)


def dependency_model(row: Any, columns: tuple[str, ...] | None = None) -> Dependency:
    return model_of(Dependency, DependencyRow, row, columns=columns)


def retro_model(row: RetrospectiveRow, feedback_count: int) -> Retrospective:
    return model_of(Retrospective, RetrospectiveRow, row, feedback_count=feedback_count)


def feedback_model(row: FeedbackRow) -> Feedback:
    return model_of(Feedback, FeedbackRow, row)


def webhook_model(row: WebhookRow) -> Webhook:
    return model_of(Webhook, WebhookRow, row, secret=None)  # the secret is shown once, at registration


def delivery_model(row: DeliveryRow, event_type: str) -> Delivery:
    return model_of(Delivery, DeliveryRow, row, event_type=event_type)
