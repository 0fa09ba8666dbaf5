"""Dates a task brings of its own: its date constraint, manual dates, actual dates and remaining work, its
deadline, a resume date, and the status date. A part of `scheduler.Network`, which holds the arrays these
methods write; every date of every task is converted in one vectorized call per kind of date."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np

from prometheus.core.calendar import Calendars, WorkCalendar
from prometheus.core.cpm.columns import floats
from prometheus.core.cpm.rules import ALAP, ASAP, FNET, MSO, NEVER
from prometheus.core.model import TaskStatus

DATE_FIELDS = (
    "constraint_date",
    "manual_start",
    "manual_finish",
    "actual_start",
    "actual_finish",
    "deadline",
    "resume",
    "manual",
    "remaining_duration",
    "percent_complete",
)
FIRST_DATES = ("constraint_date", "actual_start", "deadline", "manual_start")  # the calendar epoch is before


NO_MOMENT = np.iinfo(np.int64).min  # no date


def naive(dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.replace(tzinfo=None)


class Progress:
    """Network's dated tasks: constraint types and dates (`ctype`, `cidx`), manual and started tasks
    (`manual`, `actual`, `finished`), durations that progress changes (`dur`), deadlines (`task_deadline`)
    and the status date (`not_before`)."""

    cal: Calendars
    wc: WorkCalendar
    kal: np.ndarray
    dur: np.ndarray
    ctype: np.ndarray
    cidx: np.ndarray
    actual: np.ndarray
    manual: np.ndarray
    finished: np.ndarray
    task_deadline: np.ndarray
    status_date: datetime | None

    def _indexes(self, tasks: np.ndarray, values: list) -> tuple[np.ndarray, np.ndarray]:
        """The working index of each date in its task's calendar (0 where there is none), and where there
        is one."""
        minutes, has = self._minutes(values)
        out = np.zeros(len(values), dtype=np.int64)
        if has.any():
            out[has] = self.cal.index_of(self.kal[tasks[has]], minutes[has])
        return out, has

    def _minutes(self, values: list) -> tuple[np.ndarray, np.ndarray]:
        """Minutes since the epoch of each date (floored, as `WorkCalendar.minutes`; NO_MOMENT where there
        is none), and where there is one."""
        has = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
        out = np.full(len(values), NO_MOMENT, dtype=np.int64)
        if has.any():
            stamps = np.array([naive(v) for v in values if v is not None], dtype="datetime64[us]")
            out[has] = (stamps - np.datetime64(self.wc.epoch_dt, "us")).astype(np.int64) // 60_000_000
        return out, has

    def _apply_dates(self, dated: list[int], cols: dict[str, list], per_unit: np.ndarray) -> None:
        """Constraint dates, manual dates, actual dates with remaining work, deadlines and resume dates of
        the tasks numbered `dated`, their `DATE_FIELDS` in `cols` (`per_unit`: working minutes of each
        task's duration unit)."""
        self.finished_at = np.zeros(len(self.dur), dtype=bool)  # an actual finish
        self.kept_moments: np.ndarray | None = None  # actual starts and finishes, minutes since the epoch
        self.work_left = np.zeros(len(self.dur), dtype=np.int64)  # of a task under way (minutes)
        if not dated:
            return
        D = np.array(dated, dtype=np.int64)
        at = {k: self._indexes(D, cols[k]) for k in DATE_FIELDS[:7]}
        ctype, cidx, dur = self.ctype, self.cidx, self.dur
        c_at, has_c = at["constraint_date"]
        dated_type = (ctype[D] != ASAP) & (ctype[D] != ALAP)
        ctype[D[dated_type & ~has_c]] = ASAP
        cidx[D[dated_type & has_c]] = c_at[dated_type & has_c]
        started, (finish, has_finish) = at["actual_start"][1], at["actual_finish"]
        manual = np.fromiter(map(bool, cols["manual"]), dtype=bool, count=D.size) & at["manual_start"][1]
        manual &= ~started  # a manual task keeps its own dates until it starts
        M, S = D[manual], D[started]
        self.manual[M], ctype[M], cidx[M] = True, MSO, at["manual_start"][0][manual]
        ends = manual & at["manual_finish"][1]
        dur[D[ends]] = np.maximum(0, at["manual_finish"][0][ends] - cidx[D[ends]])
        no_earlier = (ctype[D] == FNET) & has_c
        self.actual[S], ctype[S], cidx[S] = True, MSO, at["actual_start"][0][started]
        ends = started & has_finish
        dur[D[ends]] = np.maximum(0, finish[ends] - cidx[D[ends]])
        self.finished_at[D[ends]] = True
        if started.any() or manual.any():  # links leave actual and manual dates as they are
            self.kept_moments = np.full((2, len(self.dur)), NO_MOMENT, dtype=np.int64)
            for k, (actual, planned) in enumerate((("actual_start", "manual_start"),
                                                   ("actual_finish", "manual_finish"))):  # fmt: skip
                self.kept_moments[k, D] = np.where(
                    manual, self._minutes(cols[planned])[0], self._minutes(cols[actual])[0]
                )
        dl, has_dl = at["deadline"]
        self.task_deadline[D[has_dl]] = dl[has_dl]
        running = started & ~has_finish
        remaining = cols["remaining_duration"]
        has_rem = np.fromiter((r is not None for r in remaining), dtype=bool, count=D.size)
        rem = np.array([0.0 if r is None else r for r in remaining], dtype=np.float64) * per_unit[D]
        percent = floats(cols["percent_complete"])
        left = np.where(has_rem, rem, dur[D] * (1 - percent / 100))  # before a resume or a date stretches dur
        self.work_left[D[running]] = np.rint(left[running]).astype(np.int64)
        left_set = running & has_rem  # work done, then what is left of it
        if left_set.any():
            L = D[left_set]
            dur[L] = np.rint(dur[L] * percent[left_set] / 100 + rem[left_set]).astype(np.int64)
        resume, has_resume = at["resume"]
        resumed = has_resume & running  # the work left starts again at the resume date (Project: even
        # where work done outside working time, or overtime, made the done part shorter than its duration)
        if resumed.any():
            R = D[resumed]
            dur[R] = np.maximum(0, resume[resumed] - cidx[R]) + self.work_left[R]
        late = running & no_earlier  # a started task still finishes no earlier than its date (Project)
        if late.any():
            F = D[late]
            dur[F] = np.maximum(dur[F], c_at[late] - cidx[F])

    def _apply_status_date(self, status: list, actual_start: list) -> None:
        """Work not done by the status date comes after it: unstarted tasks start no earlier, started ones
        finish their remaining work (`work_left`, as their progress gives it, not as a resume date or a
        finish-no-earlier date stretched their span) after it."""
        when = self.status_date
        if not isinstance(when, datetime):
            when = datetime.combine(when + timedelta(days=1), time(0))  # a date: progress up to its end
        at = self.wc.minutes(naive(when))
        status_k = np.array([int(c.index_of(at)) for c in self.cal.cals], dtype=np.int64)[self.kal]
        open_ = np.array([x not in (TaskStatus.completed,) for x in status], dtype=bool)
        unstarted = open_ & np.array([a is None for a in actual_start], dtype=bool)
        self.not_before = np.where(unstarted, status_k, NEVER)
        S = np.flatnonzero(open_ & self.actual & ~unstarted & ~self.finished_at)
        if S.size:
            self.dur[S] = np.maximum(self.dur[S], status_k[S] - self.cidx[S] + self.work_left[S])
