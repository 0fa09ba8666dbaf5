"""The link, lag and date-constraint rules of critical path scheduling, in one place.

Every function works on NumPy arrays (one value per link or per task, or tasks x iterations) and on plain
numbers alike. Times are working minutes of a calendar (a *working index*, see calendar.py). The scheduler's
forward and backward passes, Monte Carlo risk, the leveling heuristic, CP-SAT leveling and the RCPSP
distance form all call these, so a link means the same everywhere:

- FS: the successor starts after the predecessor finishes (plus the lag);
- SS: the successor starts after the predecessor starts;
- FF: the successor finishes after the predecessor finishes (and never before the project start);
- SF: the successor finishes after the predecessor starts.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from prometheus.core.model import ConstraintType, LinkType

FS, SS, FF, SF = 0, 1, 2, 3
LINK_CODE = {LinkType.FS: FS, LinkType.SS: SS, LinkType.FF: FF, LinkType.SF: SF}
CONSTRAINT_CODE = {c: i for i, c in enumerate(ConstraintType)}
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = (
    CONSTRAINT_CODE[ConstraintType(c)] for c in ("ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO")
)
NEVER = np.iinfo(np.int64).min // 4  # "no bound yet" for an early start

Num = TypeVar("Num", np.ndarray, int, float)


def leaves_finish(link_type: Num) -> Num:
    """True where the link leaves its predecessor's finish (FS, FF), else its start."""
    return (link_type == FS) | (link_type == FF)


def reaches_finish(link_type: Num) -> Num:
    """True where the link arrives at its successor's finish (FF, SF), else its start."""
    return (link_type == FF) | (link_type == SF)


def finish_at_a_start(link_type: Num, lag: Num, elapsed: Num) -> Num:
    """True where a link that decides its successor's finish sets it at a start of work, as Microsoft
    Project keeps it: an SF link with no working lag, or a negative one, ends at the moment its predecessor
    starts (Monday 08:00, where a finish after the same work reads Friday 17:00)."""
    return (link_type == SF) & (lag <= 0) & ~np.asarray(elapsed, dtype=bool)


def early_bound(base: Num, lag: Num, to_finish: Num, successor_duration: Num) -> Num:
    """The earliest start a link allows its successor: the point it leaves (the predecessor's start or
    finish) plus the working lag, less the successor's duration when the link reaches its finish."""
    return base + lag - to_finish * successor_duration


def late_bound(base: Num, lag: Num, from_finish: Num, predecessor_duration: Num) -> Num:
    """The latest finish a link allows its predecessor: the point it reaches (the successor's late start
    or finish) less the working lag, plus the predecessor's duration when the link leaves its start."""
    return base - lag + ~np.asarray(from_finish, dtype=bool) * predecessor_duration


def start_distance(link_type: Num, lag: Num, predecessor_duration: Num, successor_duration: Num) -> Num:
    """Every link as a minimum start-to-start distance: `start[successor] >= start[predecessor] + d`."""
    before = leaves_finish(link_type) * predecessor_duration
    return lag + before - reaches_finish(link_type) * successor_duration


def first_start(constraint: Num, constraint_at: Num, duration: Num, project_start: Num) -> Num:
    """The start of a task without predecessors: its SNET/FNET date (even before the project start), else
    the project start."""
    return np.where(
        constraint == SNET,
        constraint_at,
        np.where(constraint == FNET, constraint_at - duration, project_start),
    )


def constrain_early(constraint: Num, constraint_at: Num, duration: Num, early_start: Num) -> Num:
    """The early start once the task's date constraint applies (it wins over the links, as in MS Project)."""
    es = early_start
    es = np.where(constraint == SNET, np.maximum(es, constraint_at), es)
    es = np.where(constraint == FNET, np.maximum(es, constraint_at - duration), es)
    es = np.where(constraint == SNLT, np.minimum(es, constraint_at), es)
    es = np.where(constraint == FNLT, np.minimum(es, constraint_at - duration), es)
    es = np.where(constraint == MSO, constraint_at, es)
    return np.where(constraint == MFO, constraint_at - duration, es)


def constrain_late(constraint: Num, constraint_at: Num, duration: Num, late_finish: Num, movable: Num) -> Num:
    """The late finish once the task's date constraint applies; an MSO date binds only `movable` tasks (not
    started, not manually scheduled: their start is a fact, their late dates come from the links)."""
    lf = late_finish
    lf = np.where(constraint == FNLT, np.minimum(lf, constraint_at), lf)
    lf = np.where(constraint == SNLT, np.minimum(lf, constraint_at + duration), lf)
    lf = np.where((constraint == MSO) & movable, constraint_at + duration, lf)
    return np.where(constraint == MFO, constraint_at, lf)


def binds_early(constraint: Num) -> Num:
    """Constraints that can hold a task earlier than its links want (a conflict to report)."""
    return np.isin(constraint, [SNLT, FNLT, MSO, MFO])
