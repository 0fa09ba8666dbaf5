"""The command line."""

import subprocess
import sys


def test_version_and_db_upgrade(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "prometheus", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "0.1.0"
    env = {"PROMETHEUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'p.db'}", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-m", "prometheus", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "newest schema (sqlite)" in out.stdout
    assert (tmp_path / "x" / "p.db").exists()
