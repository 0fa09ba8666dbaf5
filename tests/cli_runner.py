"""The `prometheus` command line run for a test: its own `main()` in the test's process (the exit code,
standard output and error a user gets), or `python -m prometheus` as a process of its own. A process start
loads the whole program (seconds on a busy machine): most calls run in process, a few tests start it."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from unittest import mock

from prometheus.cli import main
from prometheus.cli.common import console, err
from prometheus.config import get_settings


@contextlib.contextmanager
def _consoles_of_width(width: int) -> Iterator[None]:
    """The command line's consoles `width` columns wide (Rich reads COLUMNS once, when they are made)."""
    console.width = err.width = width
    try:
        yield
    finally:
        console.width = err.width = None  # type: ignore[assignment]  # as made: the terminal's width


def run_prometheus(
    *args: str, env: dict[str, str] | None = None, own_process: bool = False, keep_env: bool = True
) -> subprocess.CompletedProcess:
    """`prometheus ARGS` with `env` over the environment (without the PROMETHEUS_ variables of the test
    run's own environment unless `keep_env`); COLUMNS is 200 unless `env` says otherwise."""
    environment = {k: v for k, v in os.environ.items() if keep_env or not k.startswith("PROMETHEUS_")}
    environment |= {"COLUMNS": "200", **(env or {})}
    if own_process:
        return subprocess.run(
            [sys.executable, "-m", "prometheus", *args], capture_output=True, text=True, env=environment
        )
    out, error = io.StringIO(), io.StringIO()
    width = int(environment["COLUMNS"])
    with (
        mock.patch.dict(os.environ, environment, clear=True),
        mock.patch.object(sys, "argv", ["prometheus", *args]),
        _consoles_of_width(width),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(error),
    ):
        get_settings.cache_clear()  # the settings of this environment, not of an earlier call
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        finally:
            get_settings.cache_clear()
    return subprocess.CompletedProcess(args, code, out.getvalue(), error.getvalue())
