"""Assignments' timephased work in Microsoft Project XML (MSPDI): Project saves a split task as periods of
work (TimephasedData of type 1, remaining work, and 2, actual work) with pauses between them. We read the
pauses back as the task's splits, and write each part of a split task as one record per working day."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from lxml import etree

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Calendar, TaskSplit
from prometheus.core.splits import parts
from prometheus.formats.mspdi_values import NS, minutes, pt, sub, text, when

UNASSIGNED = "-65535"  # the resource of a task's work when no resource is assigned to it
_WORK = ("1", "2")  # remaining and actual work
Period = tuple[datetime, datetime]


def worked_periods(root: etree._Element) -> dict[str, list[list[Period]]]:
    """Per task UID, the periods in which each of its assignments does some work."""
    out: dict[str, list[list[Period]]] = {}
    for a in root.iter(f"{{{NS}}}Assignment"):
        periods = []
        for tp in a.iterfind(f"{{{NS}}}TimephasedData"):
            start, finish = text(tp, "Start"), text(tp, "Finish")
            if text(tp, "Type") in _WORK and start and finish and minutes(text(tp, "Value")) > 0:
                periods.append((datetime.fromisoformat(start), datetime.fromisoformat(finish)))
        if periods:
            out.setdefault(text(a, "TaskUID") or "", []).append(sorted(periods))
    return out


def _index(wc: WorkCalendar, at: datetime) -> int:
    return int(wc.index_of(wc.minutes(at)))


def read_splits(
    assignments: list[list[Period]], start: str | None, cal: Calendar, laid_out: dict[int, WorkCalendar]
) -> list[TaskSplit]:
    """The pauses of a task, in working time of its calendar from its start: the times no assignment works
    within the span of one that works before and after (an assignment's delay is no pause). `laid_out`
    keeps each calendar laid out once per file."""
    if sum(map(len, assignments)) < 2:
        return []
    first = min(p[0][0] for p in assignments)
    origin = datetime.fromisoformat(start) if start else first
    if id(cal) not in laid_out:
        laid_out[id(cal)] = WorkCalendar(cal, min(origin, first).date() - timedelta(days=7))
    wc = laid_out[id(cal)]
    o = int(wc.index_of(wc.minutes(origin)))
    spans, worked = [], []
    for periods in assignments:
        moments = [wc.minutes(m) for p in periods for m in p]
        index = wc.index_of(np.array(moments, dtype=np.int64)).tolist()
        spans.append((index[0], index[-1]))
        worked.extend(zip(index[::2], index[1::2], strict=True))
    merged: list[list[int]] = []
    for a, b in sorted(worked):
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:  # no working time between: the same part
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [
        TaskSplit(at=(x[1] - o) / 60, hours=(y[0] - x[1]) / 60)
        for x, y in zip(merged, merged[1:], strict=False)
        if x[1] > o and any(lo < x[1] and y[0] < hi for lo, hi in spans)
    ]


def write_work(
    parent: etree._Element,
    uid: int,
    start: datetime,
    finish: datetime,
    gaps: list[tuple[int, int]],
    cal: Calendar,
    units: float,
) -> None:
    """An assignment's remaining work over the parts of its split task, one record per working day."""
    wc = WorkCalendar(cal, start.date() - timedelta(days=7))
    origin = _index(wc, start.replace(tzinfo=None))
    span = _index(wc, finish.replace(tzinfo=None)) - origin

    def moment(minute: int) -> datetime:
        return wc.epoch_dt + timedelta(minutes=minute)

    for a, b in parts(span, gaps):
        lo, hi = origin + a, origin + b
        while lo < hi:
            begins = moment(int(wc.start_of(lo)))
            midnight = datetime.combine(begins.date() + timedelta(days=1), datetime.min.time())
            end = min(hi, _index(wc, midnight))
            tp = sub(parent, "TimephasedData")
            sub(tp, "Type", 1)
            sub(tp, "UID", uid)
            sub(tp, "Start", when(begins))
            sub(tp, "Finish", when(moment(int(wc.finish_of(end)))))
            sub(tp, "Unit", 2)
            sub(tp, "Value", pt((end - lo) * units))
            lo = end
