"""PSPLIB single-mode RCPSP files (`.sm`, Kolisch & Sprecher 1996) as `rcpsp.Problem`s."""

from __future__ import annotations

import csv
from pathlib import Path

from prometheus.core.rcpsp import Problem


def _section(lines: list[str], title: str, skip: int) -> list[list[int]]:
    """The integer rows of one section, up to its closing line of stars."""
    at = next(k for k, line in enumerate(lines) if line.startswith(title)) + skip
    rows = []
    while at < len(lines) and not lines[at].startswith("*"):
        if lines[at].strip():
            rows.append([int(x) for x in lines[at].split()])
        at += 1
    return rows


def read_sm(path: str | Path) -> Problem:
    """One `.sm` instance: jobs (with the dummy source and sink), finish-to-start links, demands."""
    lines = Path(path).read_text().splitlines()
    try:
        links = _section(lines, "PRECEDENCE RELATIONS", 2)
        jobs = _section(lines, "REQUESTS/DURATIONS", 3)
        capacity = _section(lines, "RESOURCEAVAILABILITIES", 2)[0]
    except (StopIteration, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: not a PSPLIB single-mode file ({exc})") from exc
    dur = [row[2] for row in jobs]
    pred, succ = [], []
    for row in links:
        for b in row[3:]:
            pred.append(row[0] - 1)
            succ.append(b - 1)
    return Problem(dur, pred, succ, [dur[a] for a in pred], [row[3:] for row in jobs], capacity)


def read_optima(path: str | Path) -> dict[str, tuple[int, int]]:
    """`problem,optimum` rows: instance file name -> (lower bound, best known finish); `a..b` is a range,
    `..b` an upper bound alone (lower bound 0: unknown)."""
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            lo, _, hi = row["optimum"].partition("..")
            out[row["problem"]] = (int(lo or 0), int(hi or lo))
    return out
