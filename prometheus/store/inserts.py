"""Set-based inserts of many rows (imports, bulk writes): PostgreSQL's COPY, batches of INSERT elsewhere.

Rows are handled column by column (one list of values per column, zipped into rows by the driver's loop):
each column's values are converted once per distinct value where they repeat, and a column that is null in
every row is left out when leaving it out stores null too. COPY streams the rows in PostgreSQL's text form
in one statement (several times faster than batches of INSERT for tens of thousands of rows); its values
are what an INSERT would store: JSON columns as the JSON text SQLAlchemy would send (None as JSON null),
other values as psycopg adapts them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Connection

BATCH = 1000  # rows per INSERT statement where there is no COPY (bounded memory per statement)
_HASHABLE = frozenset({type(None), str, int, float, bool})  # values worth converting once each


def insert_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` (dicts by column name, all with the same keys) into `table` in the connection's
    transaction."""
    rows = list(rows)
    if not rows:
        return
    names = list(rows[0])
    values = map(itemgetter(*names), rows) if len(names) > 1 else ((r[names[0]],) for r in rows)
    insert_columns(connection, table, dict(zip(names, map(list, zip(*values, strict=True)), strict=True)))


def insert_columns(
    connection: Connection,
    table: Table,
    columns: dict[str, Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert rows given column by column (`columns`: name -> the values of every row, all of one length;
    `constants`: name -> the value of every row) into `table` in the connection's transaction. Columns left
    out get their Python-side defaults, as an INSERT leaving them out would."""
    count = len(next(iter(columns.values()))) if columns else 0
    if not count:
        return
    constants = (constants or {}) | _defaults(table, [*columns, *(constants or {})])
    droppable = _droppable(table)
    columns = {n: v for n, v in columns.items() if n not in droppable or any(x is not None for x in v)}
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy(connection.connection.driver_connection, table, columns, constants)
    elif dialect == "sqlite":
        _executemany(connection, table, columns, constants, count)
    else:
        names = [*columns, *constants]
        rows = zip(*columns.values(), *(repeat(v) for v in constants.values()), strict=False)
        while batch := list(islice(rows, BATCH)):
            connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in batch])


@cache
def _droppable(table: Table) -> frozenset[str]:
    """The columns that store null when left out of an INSERT: no default of their own, and not JSON (a
    JSON column stores None as JSON null, not as SQL NULL). One null in every row of them may be left out."""
    return frozenset(
        c.name
        for c in table.c
        if c.default is None and c.server_default is None and not isinstance(c.type, JSON)
    )


def _converted(values: Sequence[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """`convert` applied to each value, once per distinct value where the values are simple ones (most
    columns of an import hold few distinct values); empty lists and dicts are converted once too."""
    if len(values) < 8:  # too few to repeat much
        return [convert(v) for v in values]
    seen: dict[Any, Any] = {}
    empty: dict[type, Any] = {}
    out = []
    for v in values:
        kind = type(v)
        if kind in _HASHABLE:
            key = (kind, v)  # 1, 1.0 and True are equal keys: their conversions may differ
            if key not in seen:
                seen[key] = convert(v)
            out.append(seen[key])
        elif (kind is list or kind is dict) and not v:
            if kind not in empty:
                empty[kind] = convert(v)
            out.append(empty[kind])
        else:
            out.append(convert(v))
    return out


def _executemany(
    connection: Any, table: Table, columns: dict[str, Sequence[Any]], constants: dict[str, Any], count: int
) -> None:
    """The driver's executemany with each value bound as SQLAlchemy binds it (its type's processor),
    without SQLAlchemy's work per row."""
    sql, processors = _statement(table, (*columns, *constants), connection.dialect)
    values: list[Iterable[Any]] = [
        _converted(column, process) if process else column
        for column, process in zip(columns.values(), processors, strict=False)
    ]
    for value, process in zip(constants.values(), processors[len(columns) :], strict=True):
        values.append(repeat(process(value) if process else value, count))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, zip(*values, strict=False))
    finally:
        cursor.close()


@lru_cache(maxsize=256)  # the columns an insert names vary with the columns left out
def _statement(table: Table, names: tuple[str, ...], dialect: Any) -> tuple[str, list[Any]]:
    """The INSERT of these columns and each one's bind processor (None where it has none)."""
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
    return sql, [table.c[n].type._cached_bind_processor(dialect) for n in names]


def _defaults(table: Table, names: list[str]) -> dict[str, Any]:
    """The Python-side defaults of the columns not in `names`, as an INSERT leaving them out would get
    them (evaluated once per call)."""
    return {
        c.name: c.default.arg(None) if c.default.is_callable else c.default.arg
        for c in table.c
        if c.name not in names and c.default is not None and (c.default.is_scalar or c.default.is_callable)
    }


def _copy(driver: Any, table: Table, columns: dict[str, Sequence[Any]], constants: dict[str, Any]) -> None:
    values = [
        _converted(column, json.dumps) if isinstance(table.c[name].type, JSON) else column
        for name, column in columns.items()
    ]
    extra = [json.dumps(v) if isinstance(table.c[n].type, JSON) else v for n, v in constants.items()]
    quoted = ", ".join(f'"{n}"' for n in [*columns, *constants])
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        write = copy.write_row
        if extra:
            for row in zip(*values, strict=True):
                write((*row, *extra))
        else:
            for row in zip(*values, strict=True):
                write(row)
