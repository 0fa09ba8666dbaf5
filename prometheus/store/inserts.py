"""Set-based inserts of many rows (imports, bulk writes): PostgreSQL's COPY, batches of INSERT elsewhere.

COPY streams the rows in PostgreSQL's text form in one statement (several times faster than batches of
INSERT for tens of thousands of rows); its values are what an INSERT would store: JSON columns as the JSON
text SQLAlchemy would send (None as JSON null), other values as psycopg adapts them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session

BATCH = 1000  # rows per INSERT statement where there is no COPY (bounded memory per statement)


def insert_rows(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` (dicts by column name, all with the same keys) into `table` in the session's
    transaction."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = chain([first], rows)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, table, list(first), rows)
        return
    if connection.dialect.name == "sqlite":
        _executemany(connection, table, list(first), rows)
        return
    while batch := list(islice(rows, BATCH)):
        session.execute(insert(table), batch)


def _executemany(connection: Any, table: Table, names: list[str], rows: Iterator[dict[str, Any]]) -> None:
    """The driver's executemany with each value bound as SQLAlchemy binds it (its type's processor),
    without SQLAlchemy's work per row; columns left out get their Python-side defaults."""
    dialect = connection.dialect
    defaults = _defaults(table, names)
    columns = [*names, *defaults]
    procs = [table.c[n].type._cached_bind_processor(dialect) for n in columns]
    extra = [p(v) if p else v for p, v in zip(procs[len(names) :], defaults.values(), strict=True)]
    head = list(zip(names, procs[: len(names)], strict=True))
    quoted = ", ".join(f'"{n}"' for n in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
    cursor = connection.connection.driver_connection.cursor()
    try:
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(
                sql, [(*(p(row[n]) if p else row[n] for n, p in head), *extra) for row in batch]
            )
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


def _copy(driver: Any, table: Table, names: list[str], rows: Iterator[dict[str, Any]]) -> None:
    defaults = _defaults(table, names)
    as_json = {n for n in [*names, *defaults] if isinstance(table.c[n].type, JSON)}
    extra = [json.dumps(v) if n in as_json else v for n, v in defaults.items()]
    columns = ", ".join(f'"{n}"' for n in [*names, *defaults])
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([*(json.dumps(row[n]) if n in as_json else row[n] for n in names), *extra])
