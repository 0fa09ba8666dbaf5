"""Commands on this machine, no server needed: serve, version, db, tokens, backup, restore."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import typer

from prometheus import __version__
from prometheus.cli.common import console, table, usage
from prometheus.config import get_settings

SHUTDOWN_GRACE = 10  # seconds SIGTERM waits for requests in flight before the server stops anyway
app = typer.Typer()
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens kept (hashed) in the database.", no_args_is_help=True)


def _database():  # noqa: ANN202
    from prometheus.store import Database

    db = Database(get_settings().database_url)
    db.migrate()
    return db


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (PROMETHEUS_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, help="Port (PROMETHEUS_PORT, default 8006)"),
    log_level: str = typer.Option("info", help="Log level"),
    workers: int | None = typer.Option(
        None, min=1, help="Server processes (PROMETHEUS_WORKERS, default 1), sharing the database as replicas"
    ),
) -> None:
    """Run the HTTP service (the API, the page at /, the docs at /docs)."""
    import uvicorn

    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    workers = workers or settings.workers
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _quiet_migrations()
    if workers > 1:  # each worker builds the app from the environment
        os.environ.update(PROMETHEUS_HOST=settings.host, PROMETHEUS_PORT=str(settings.port))
        uvicorn.run(
            "prometheus.api.app:app",
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=log_level,
            timeout_graceful_shutdown=SHUTDOWN_GRACE,
        )
        return
    from prometheus.api.app import app as served  # the module's app, built on these same settings

    uvicorn.run(
        served,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service also does this when it starts)."""
    db = _database()
    typer.echo(f"database at the newest schema ({db.backend})")


@tokens_app.command("create")
def tokens_create(
    name: str,
    scope: list[str] = typer.Option(["read"], "--scope", help="read, write or admin; repeat for several"),
) -> None:
    """Create a token; it is printed once, only its hash is stored."""
    import secrets

    from prometheus.api.auth import IMPLIED, hash_token

    if set(scope) - set(IMPLIED):
        raise usage("scopes are read, write and admin")
    token = "pmt_" + secrets.token_urlsafe(32)
    with _database().store() as store:
        store.create_token(name, hash_token(token), scope)
    typer.echo(token)


@tokens_app.command("list")
def tokens_list() -> None:
    """Tokens by name, with scopes and state (never the tokens themselves)."""
    with _database().store(write=False) as store:
        rows = store.list_tokens()
    table(
        ("name", "scopes", "state"),
        ((r.name, ",".join(r.scopes), "revoked" if r.revoked else "active") for r in rows),
    )


@tokens_app.command("revoke")
def tokens_revoke(name: str) -> None:
    """Revoke a token by name."""
    with _database().store() as store:
        revoked = store.revoke_token(name)
    if not revoked:
        raise LookupError(f"no token named {name!r} — `prometheus tokens list` shows them")
    typer.echo(f"revoked {name}")


@app.command("backup")
def backup_cmd(file: Path = typer.Argument(..., help="The file to write")) -> None:
    """Write the whole database to one file."""
    from prometheus.store.backup import backup

    counts = backup(_database(), file)
    console.print(f"wrote {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@app.command("restore")
def restore_cmd(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A file written by `prometheus backup`"
    ),
    replace: bool = typer.Option(False, help="Overwrite a database that has plans"),
) -> None:
    """Load a backup file into the database (all or nothing)."""
    from prometheus.store.backup import restore

    counts = restore(_database(), file, replace=replace)
    console.print(f"restored {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


def _quiet_migrations() -> None:
    """Alembic's start-up chatter (its plugins, its DDL mode) below WARNING; the migrations it runs still
    say so ("Running upgrade 0019 -> 0020, ...")."""
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.migration").addFilter(
        lambda record: record.levelno >= logging.WARNING or record.getMessage().startswith("Running")
    )
