"""The `prometheus` command line: the server and the database here, and everyday work on plans through a
running server (`--url`, default PROMETHEUS_URL, else http://127.0.0.1:$PROMETHEUS_PORT; `--token`, default
PROMETHEUS_TOKEN). Every read takes `--json`. Errors are one line on standard error; exit codes:
0 done, 1 refused by the server or failed, 2 usage, 3 no server answered (see common.py)."""

from __future__ import annotations

import os
import sys

import typer

from prometheus.cli import admin, bench, files, links, plans, scenarios, schedule, tasks, tracking
from prometheus.cli.common import API_ERROR, UNREACHABLE, USAGE, UsageProblem, err
from prometheus.mcp.cli import mcp_command

app = typer.Typer(
    help="Prometheus, the planning engine of Tekton.", no_args_is_help=True, pretty_exceptions_enable=False
)
for module in (admin, files, schedule):
    app.registered_commands += module.app.registered_commands
app.command("progress")(tasks.progress)
app.command("earned-value")(tracking.earned_value)
app.command("mcp")(mcp_command)
app.add_typer(plans.app, name="plans")
app.add_typer(tasks.app, name="tasks")
app.add_typer(links.app, name="links")
app.add_typer(scenarios.app, name="scenarios")
app.add_typer(tracking.app, name="baseline")
app.add_typer(admin.tokens_app, name="tokens")
app.add_typer(admin.db_app, name="db")
app.add_typer(bench.app, name="bench")


def hint(exc: Exception) -> str:
    """What to do about an API error, where the message alone does not say."""
    from prometheus.client import AuthenticationError, ConflictError, PermissionDeniedError, UnavailableError

    if isinstance(exc, AuthenticationError):
        return " — pass --token or set PROMETHEUS_TOKEN (`prometheus tokens create NAME --scope write`)"
    if isinstance(exc, PermissionDeniedError):
        return " — use a token with that scope (`prometheus tokens create NAME --scope write`)"
    if isinstance(exc, ConflictError) and "current_version" in exc.details:
        return " — someone changed it meanwhile: look again, then retry"
    if isinstance(exc, UnavailableError):
        return " — the server cannot reach its database or a peer: try again later"
    return ""


def fail(message: str, code: int) -> None:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    sys.exit(code)


def main() -> None:
    """Run the command line; failures end in one line and an exit code, never a traceback."""
    from prometheus.client import PrometheusAPIError, ServerUnreachableError
    from prometheus.errors import PrometheusError

    try:
        app()
    except UsageProblem as exc:
        fail(f"{exc} (see --help)", USAGE)
    except ServerUnreachableError as exc:
        fail(exc.message, UNREACHABLE)
    except PrometheusAPIError as exc:
        fail(f"{exc.message} ({exc.status} {exc.error_code}){hint(exc)}", API_ERROR)
    except PrometheusError as exc:  # work done here: a file that cannot be read or scheduled
        fail(exc.message, API_ERROR)
    except LookupError as exc:
        fail(str(exc.args[0] if exc.args else exc), API_ERROR)
    except OSError as exc:
        fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", API_ERROR)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("PROMETHEUS_DEBUG"):
            raise
        fail(f"unexpected {type(exc).__name__}: {exc} (PROMETHEUS_DEBUG=1 shows the traceback)", API_ERROR)
