"""The `prometheus` command line."""

from __future__ import annotations

import logging

import typer
import uvicorn

from prometheus import __version__
from prometheus.config import get_settings

app = typer.Typer(help="Prometheus, the planning engine of Tekton.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.")
app.add_typer(db_app, name="db")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (PROMETHEUS_HOST, default 127.0.0.1)"),
    port: int | None = typer.Option(None, help="Port (PROMETHEUS_PORT, default 8006)"),
    log_level: str = typer.Option("info", help="Log level"),
) -> None:
    """Run the HTTP service."""
    from prometheus.api.app import create_app

    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service also does this when it starts)."""
    from prometheus.store import Database

    db = Database(get_settings().database_url)
    db.migrate()
    typer.echo(f"database at the newest schema ({db.backend})")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
