"""Schemathesis over the OpenAPI document: thousands of generated requests, none may get a 5xx, and
every answer must match the schema the document declares for it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import Server


def test_no_request_makes_the_server_fail(make_database_url, tmp_path) -> None:
    st = shutil.which("st") or str(Path(sys.executable).parent / "st")
    # the answers' date-times are plan-local (no offset), which RFC 3339's "date-time" format refuses: the
    # answers are checked against their declared structure and types, not against that format. A request
    # may take seconds: the coverage phase adds 10,000 tasks at once to a plan and then works on it, two
    # requests at a time, on a busy machine. The event stream never ends by itself: its answer is read for
    # two seconds (its bad requests are answered at once)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "request-timeout = 60\n"
        "[checks.response_schema_conformance]\nvalidate-formats = false\n"
        '[[operations]]\ninclude-path = "/api/events/stream"\nrequest-timeout = 2\n'
    )
    srv = Server(make_database_url("sqlite"), tmp_path / "log").start()
    try:
        out = subprocess.run(
            [
                st,
                "--config-file",
                str(config),
                "run",
                f"{srv.url}/openapi.json",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                "8",
                "--seed",
                "1",
                "--workers",
                "2",  # two requests in flight: the server's waits (database, answer) overlap the other's work
                "--phases",
                "coverage,fuzzing",
                "--no-color",
                "--exclude-tag",
                "peers",  # these need a peer; without one they answer 503 by design (test_integrations)
            ],  # fmt: skip
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        srv.stop()
    assert out.returncode == 0, out.stdout[-4000:] + (tmp_path / "log").read_text()[-3000:]
