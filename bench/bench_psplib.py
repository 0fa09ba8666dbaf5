"""PSPLIB leveling benchmark: the same runner as `prometheus bench psplib`.

python bench/bench_psplib.py ../shared/benchmarks/psplib/j30 --time-limit 1
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prometheus.cli import app  # noqa: E402

if __name__ == "__main__":
    app(["bench", "psplib", *sys.argv[1:]])
