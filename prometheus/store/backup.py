"""Backup and restore of the whole database to one file (gzip'd JSON lines), across SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import Date, DateTime, Table, Time, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from prometheus import __version__
from prometheus.errors import ResourceConflict, ValidationFailed
from prometheus.store.db import Database
from prometheus.store.tables import Base, PlanRow

FORMAT = "prometheus.backup"


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime | time) else value


def _without_nul(value: object) -> object:
    """The value with every NUL character dropped (PostgreSQL stores none, in text or JSON)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def backup(db: Database, path: Path) -> dict[str, int]:
    """Every table, row by row, in one snapshot (REPEATABLE READ on PostgreSQL) even while others write,
    then a last line of the row counts (`restore` refuses a file without it: one cut off). Written beside
    `path` and renamed onto it when whole: a backup that fails leaves no file (through a symbolic link, the
    file it names, the link kept); to what is not a file (a pipe, `/dev/stdout`, a device) it is written as
    it goes, never renamed onto it. Returns the row count per table."""
    if path.exists() and not path.is_file():
        return _write(db, path)
    path = path.resolve()
    partial = path.with_name(path.name + ".partial")
    try:
        counts = _write(db, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _write(db: Database, path: Path) -> dict[str, int]:
    """The backup, written to `path` as it is read; its row counts."""
    counts: dict[str, int] = {}
    with db.store(write=False, snapshot=True) as store, gzip.open(path, "wt", encoding="utf-8") as out:
        head = {
            "format": FORMAT,
            "version": 2,
            "prometheus": __version__,
            "created_at": datetime.now(UTC).isoformat(),
        }
        out.write(json.dumps(head) + "\n")
        for table in Base.metadata.sorted_tables:
            counts[table.name] = 0
            for row in store.session.execute(select(table)).mappings():
                out.write(json.dumps({"t": table.name, "r": {k: _plain(v) for k, v in row.items()}}) + "\n")
                counts[table.name] += 1
        out.write(json.dumps({"end": counts}) + "\n")
    return counts


def _read(path: Path) -> dict[str, list[dict]]:
    """The rows of each table in a backup file; ValueError if it is not one, or was cut off (version 2 and
    later end with their row counts; version 1 files have no end to check)."""
    columns = {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        head = json.loads(f.readline() or "{}")
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise ValidationFailed(f"{path} is not a Prometheus backup")
        rows: dict[str, list[dict]] = {name: [] for name in columns}
        end = None
        for number, line in enumerate(f, start=2):
            item = json.loads(line)
            if isinstance(item, dict) and isinstance(item.get("end"), dict):
                end = item["end"]
                break
            if not (isinstance(item, dict) and item.get("t") in columns and isinstance(item.get("r"), dict)):
                raise ValueError(f"line {number} is not a row of a table of this version's backups")
            if unknown := set(item["r"]) - columns[item["t"]]:
                raise ValueError(f"line {number}: the table {item['t']} has no column {min(unknown)!r}")
            rows[item["t"]].append(item["r"])
    whole = end is not None and all(len(rows.get(t, [])) == n for t, n in end.items())
    if head.get("version", 1) >= 2 and not whole:
        raise ValueError("the file is cut off (its rows stop before the backup's end); nothing restored")
    return rows


def _typed(data: list[dict], table: Table, *, keep_nul: bool) -> None:
    """The rows' dates, times and date-times as the table's columns hold them (ValueError or TypeError
    for one that is none); without `keep_nul` every NUL dropped (older SQLite databases may hold one)."""
    typed = {c.name: c.type for c in table.columns}
    for r in data:
        for k, v in r.items():
            if not keep_nul:
                r[k] = v = _without_nul(v)
            if v is not None and isinstance(typed[k], DateTime):
                r[k] = datetime.fromisoformat(v)
            elif v is not None and isinstance(typed[k], Date):
                r[k] = date.fromisoformat(v)
            elif v is not None and isinstance(typed[k], Time):
                r[k] = time.fromisoformat(v)


def restore(db: Database, path: Path, *, replace: bool = False) -> dict[str, int]:
    """Load a backup into this database in one transaction: all of it or nothing."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    try:
        rows = _read(path)
    except EOFError:  # the gzip stream itself stops half-way
        raise ValidationFailed(
            f"cannot read the backup {path}: the file is cut off; nothing restored"
        ) from None
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationFailed(f"cannot read the backup {path}: {exc}") from None
    counts = {}
    with db.store() as store:
        session = store.session
        if session.scalar(select(func.count()).select_from(PlanRow)) and not replace:
            raise ResourceConflict(
                "this database already holds plans; restore with --replace to overwrite them"
            )
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        for name, table in tables.items():
            data = rows[name]
            try:
                _typed(data, table, keep_nul=db.backend != "postgresql")
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(f"the backup {path} is inconsistent ({name}): {exc}") from None
            try:
                for start in range(0, len(data), 1000):
                    session.execute(insert(table), data[start : start + 1000])
            except IntegrityError as exc:
                raise ValidationFailed(
                    f"the backup {path} is inconsistent ({name}): {str(exc.orig).splitlines()[0]}"
                ) from None
            counts[name] = len(data)
        if db.backend == "postgresql":  # new events continue after the restored ones
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('events', 'id'), COALESCE(MAX(id), 1)) FROM events"
                )
            )
    return counts
