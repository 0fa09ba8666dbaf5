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
from itertools import islice, repeat
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

BATCH = 1000  # rows per INSERT statement where there is no COPY (bounded memory per statement)
_HASHABLE = frozenset({type(None), str, int, float, bool})  # values worth converting once each


def insert_rows(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` (dicts by column name, all with the same keys) into `table` in the session's
    transaction."""
    rows = list(rows)
    if rows:
        insert_columns(session, table, {n: [r[n] for r in rows] for n in rows[0]})


def insert_columns(
    session: Session, table: Table, columns: dict[str, Sequence[Any]], constants: dict[str, Any] | None = None
) -> None:
    """Insert rows given column by column (`columns`: name -> the values of every row, all of one length;
    `constants`: name -> the value of every row) into `table` in the session's transaction. Columns left
    out get their Python-side defaults, as an INSERT leaving them out would."""
    count = len(next(iter(columns.values()))) if columns else 0
    if not count:
        return
    constants = (constants or {}) | _defaults(table, [*columns, *(constants or {})])
    columns = {n: v for n, v in columns.items() if not _null_anyway(table, n, v)}
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy(connection.connection.driver_connection, table, columns, constants)
    elif dialect == "sqlite":
        _executemany(connection, table, columns, constants, count)
    else:
        names = [*columns, *constants]
        rows = zip(*columns.values(), *(repeat(v) for v in constants.values()), strict=False)
        while batch := list(islice(rows, BATCH)):
            session.execute(insert(table), [dict(zip(names, row, strict=True)) for row in batch])


def _null_anyway(table: Table, name: str, values: Sequence[Any]) -> bool:
    """Whether leaving the column out stores what the values would: null in every row, in a column with
    no default of its own (a JSON column stores None as JSON null, not as SQL NULL)."""
    column = table.c[name]
    return (
        column.default is None
        and column.server_default is None
        and not isinstance(column.type, JSON)
        and all(v is None for v in values)
    )


def _converted(values: Sequence[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """`convert` applied to each value, once per distinct value where the values are simple ones (most
    columns of an import hold few distinct values); empty lists and dicts are converted once too."""
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
    dialect = connection.dialect
    values = []
    for name, column in [*columns.items(), *((n, [v]) for n, v in constants.items())]:
        process = table.c[name].type._cached_bind_processor(dialect)
        values.append(_converted(column, process) if process else column)
    values[len(columns) :] = [repeat(v[0], count) for v in values[len(columns) :]]
    names = [*columns, *constants]
    quoted = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, zip(*values, strict=False))
    finally:
        cursor.close()


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
