"""Core statements of the hot writes run on the driver's cursor of the transaction's connection.

A `Prepared` statement is compiled once per dialect and set of parameter names, and its parameters bound as
SQLAlchemy binds them (the columns' Python-side defaults and `onupdate`s, literal values, each type's bind
processor), without SQLAlchemy's work per execution (its compile-cache lookup, execution context and result
object: several times the statement itself on SQLite). A driver's error is raised as SQLAlchemy raises it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.dml import UpdateBase

_LITERAL = object()  # a bind with no parameter of its own: its value is in the statement
MAX_FORMS = 32  # compiled forms kept per statement (one per engine and set of parameter names)


class _Form:
    """A statement compiled for one dialect and set of parameter names: its SQL and how each of its binds
    is made from the parameters."""

    def __init__(self, statement: UpdateBase, dialect: Dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.literal_execute_params or compiled.post_compile_params or compiled.schema_translate_map:
            raise ValueError("a prepared statement has its SQL whole when compiled")
        self.sql = compiled.string
        escaped = compiled.escaped_bind_names or {}
        defaults: dict[str, Callable[[], Any]] = {}
        for column in compiled.insert_prefetch:
            defaults[column.key] = _default(column.default)
        for column in compiled.update_prefetch:
            defaults[column.key] = _default(column.onupdate)
        # (bind's name in the SQL, parameter key, literal value, default, processor), in the SQL's order
        binds = []
        for name in compiled.positiontup or list(compiled.binds):
            bind = compiled.binds[name]
            if bind.callable is not None:  # a value made at each execution: not a literal of the SQL
                raise ValueError(f"bind {name} of a prepared statement has a callable value")
            literal = _LITERAL if bind.key in keys or name in defaults else bind.effective_value
            # what SQLAlchemy applies to the bind's value for this dialect (TypeEngine's public API)
            default, process = defaults.get(name), bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds.append((escaped.get(name, name), bind.key, literal, default, process))
        self.binds = binds
        self.positional = compiled.positiontup is not None

    def parameters(self, params: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = []
        for _, key, literal, default, process in self.binds:
            if literal is not _LITERAL:
                value = literal
            elif default is not None and key not in params:
                value = default()
            else:
                value = params[key]
            values.append(value if process is None else process(value))  # None too (JSON null)
        if self.positional:
            return tuple(values)
        return {b[0]: v for b, v in zip(self.binds, values, strict=True)}


def _default(default: Any) -> Callable[[], Any]:
    """A column's Python-side default (or onupdate) as a function of nothing, as an INSERT would get it."""
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


class Prepared:
    """An INSERT, UPDATE or DELETE (optionally RETURNING) run on the driver's cursor."""

    def __init__(self, statement: UpdateBase):
        self.statement = statement
        self._forms: dict[tuple[Dialect, tuple[str, ...]], _Form] = {}

    def run(self, connection: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement with `params` on the connection's transaction; the rows it returns."""
        keys = tuple(params)
        form = self._forms.get((connection.dialect, keys))
        if form is None:
            if len(self._forms) >= MAX_FORMS:  # engines come and go (tests): their forms with them
                self._forms.clear()
            form = self._forms[(connection.dialect, keys)] = _Form(self.statement, connection.dialect, keys)
        values = form.parameters(params)
        cursor = None
        try:
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.execute(form.sql, values)
            rows = cursor.fetchall() if cursor.description else []
            cursor.close()
        except connection.dialect.loaded_dbapi.Error as e:
            connection._handle_dbapi_exception(e, form.sql, values, cursor, None)  # noqa: SLF001 - raises
        return rows
