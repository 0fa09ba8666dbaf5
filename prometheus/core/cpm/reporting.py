"""The results of the passes as a `Schedule`: dates, slack, critical paths, summary roll-up, conflicts.
A part of `Network`."""

from __future__ import annotations

import numpy as np

from prometheus.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from prometheus.core.calendar import TOO_LONG, SchedulingError
from prometheus.core.cpm import fast
from prometheus.core.cpm.paths import critical_paths
from prometheus.core.cpm.progress import NO_MOMENT
from prometheus.core.cpm.results import Conflict, Schedule, Table, roll_up
from prometheus.core.cpm.rules import ASAP, binds_early, finish_at_a_start


class Reporting:
    """Network's conversion of its index arrays into a `Schedule`."""

    def _result(self) -> Schedule:
        n, wc, pred, succ = self.n, self.wc, self.pred, self.succ
        ES, EF, LS, LF, zero, is_alap = self.ES, self.EF, self.LS, self.LF, self.zero, self.is_alap
        sched_start = np.where(is_alap, LS, ES)
        sched_finish = np.where(is_alap, LF, EF)

        total_slack = np.where(self.actual, LF - EF, np.minimum(LS - ES, LF - EF))
        total_slack[is_alap & ~self.actual] = 0
        free = total_slack.copy()
        tight = np.zeros(pred.size, dtype=bool)
        if pred.size:
            link_slack = np.empty(pred.size, dtype=np.int64)
            links = (pred, succ, self.from_finish, self.to_finish, self.lagw, self.lage, self.is_elapsed)
            dates = (self.kal, self.lag_kal, zero, self.rd, sched_start, sched_finish, link_slack)
            if not self._on_tables(fast.link_slack, *links, *dates):
                raise SchedulingError(TOO_LONG)
            free = np.where(self.out_degree > 0, np.iinfo(np.int64).max, free)
            np.minimum.at(free, pred, link_slack)
            tight = link_slack <= 0
        at_start = np.zeros(n, dtype=bool)  # early finishes a link sets at a start of work
        if pred.size:
            sets = tight & finish_at_a_start(self.ltype, self.lagw, self.is_elapsed) & ~(zero & self.rd)[pred]
            at_start[succ[sets]] = True
            at_start &= ~zero & ~is_alap
        free = np.clip(free, 0, np.maximum(total_slack, 0))  # free slack never exceeds total slack
        critical = (total_slack <= 0) & ~self.finished  # finished work is never critical (MS Project)

        dates = self._dated(at_start)
        _within_years(dates)
        table = Table(
            ids=self.ids,
            names=self.leaf_names,
            summary=np.zeros(n, dtype=bool),
            milestone=zero | self.flagged_milestone,
            duration=np.where(self.spread_mask, self.work_dur, self.dur),
            start=np.where(is_alap, dates["late_start"], dates["early_start"]),
            finish=np.where(is_alap, dates["late_finish"], dates["early_finish"]),
            **{k: v.copy() for k, v in dates.items()},
            total_slack=total_slack,
            free_slack=free,
            critical=critical,
            percent=self.percent.copy(),
            successors=self.out_degree,
        )
        table = roll_up(table, self.summaries, self.pos, self.children, wc)
        flat, ends, truncated = critical_paths(n, pred, succ, tight, critical)
        ps = self.ps
        as_py = lambda m: wc.datetimes(m).astype("datetime64[us]").tolist()  # noqa: E731
        project_finish = as_py(self.finish_at)
        if at_start.any():  # the same moment of work, read as the start an SF link waits for
            later = dates["early_finish"][at_start].astype("datetime64[us]").max().item()
            project_finish = max(project_finish, later)
        return Schedule(
            project_start=as_py(wc.start_of(ps)),
            project_finish=project_finish,
            minutes_per_day=self.mpd,
            table=table,
            paths=(flat, ends),
            paths_truncated=truncated,
            conflicts=self._conflicts(),
            deadline=self.deadline,
            span_minutes=max(0, int(self.finish_k[0]) - ps),
        )

    def _dated(self, at_start: np.ndarray) -> dict[str, np.ndarray]:
        """Early and late dates as datetimes: all of them after a full pass, else only where tasks moved
        (`at_start`: the early finishes that read as a start of work; read again where that changed)."""
        C, zero, kal, rd = self.cal, self.zero, self.kal, self.rd
        fresh = "early_finish" not in self._dates
        before = self._at_start if self._at_start is not None and not fresh else np.zeros_like(at_start)
        finishes_moved = self._moved_early | set(np.flatnonzero(at_start | before).tolist())
        # how each index reads (True: as a finish); late dates of milestones always read as a finish (MS
        # Project moves them back to the last work)
        spec = {
            "early_start": (self.ES, rd & zero, self._moved_early),
            "early_finish": (self.EF, ~(zero & ~rd) & ~at_start, finishes_moved),
            "late_start": (self.LS, zero, self._moved_late),
            "late_finish": (self.LF, np.ones_like(zero), self._moved_late),
        }
        for key, (idx, reading, moved) in spec.items():
            if key not in self._dates:
                self._dates[key] = self.wc.datetimes(C.moment(kal, idx, reading))
            elif moved:
                m = np.fromiter(moved, dtype=np.int64)
                self._dates[key][m] = self.wc.datetimes(C.moment(kal[m], idx[m], reading[m]))
        self._moved_early, self._moved_late, self._at_start = set(), set(), at_start
        for key, rows, at in self._kept_dates():
            self._dates[key][rows] = at
        return self._dates

    def _kept_dates(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Dates tasks keep as they are, in working time or not (as MS Project): actual starts and finishes
        and manual dates (`kept_moments`): the date they set, its rows and their datetimes."""
        out = self._on_project_start()
        if self.kept_moments is None:
            return out
        starts, finishes = self.kept_moments != NO_MOMENT
        # a task under way with no work at all (a milestone marked partly done) finishes when it started
        instant = starts & self.actual & ~self.finished_at & self.zero
        rows = [  # the date, the tasks, the kept moment that sets it (0: start, 1: finish)
            ("early_start", starts & (self.actual | self.manual), 0),
            ("late_start", starts & self.actual, 0),
            ("early_finish", finishes & (self.finished_at | self.manual), 1),
            ("early_finish", instant, 0),
            ("late_finish", finishes & self.finished_at, 1),
        ]
        for key, mask, end in rows:
            at = np.flatnonzero(mask)
            out.append((key, at, self.wc.datetimes(self.kept_moments[end][at])))
        return out

    def _on_project_start(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Milestones at a project start outside working time (a Sunday 08:00) stay there, as MS Project
        keeps them, where a task with work starts at the next working time: their early dates."""
        if self.start_at >= self.wc.start_of(self.ps):
            return []
        with_work = np.bincount(self.succ[~self.zero[self.pred]], minlength=self.n) > 0
        on_start = (self.ps_k[self.kal] == self.ES) & (self.ctype == ASAP) & ~with_work
        rows = np.flatnonzero(self.zero & on_start & ~self.actual & ~self.manual)
        at = self.wc.datetimes(np.full(rows.size, self.start_at, dtype=np.int64))
        return [("early_start", rows, at), ("early_finish", rows, at)]

    def _conflicts(self) -> list[Conflict]:
        wc, leaves, out = self.wc, self.leaves, []
        if self.constrained:
            honoured_late = (self.link_driven > self.ES) & binds_early(self.ctype)
            for i in np.flatnonzero(self.manual & self.has_pred & (self.link_driven > self.ES)).tolist():
                t = leaves[i]
                when = wc.datetimes(self.cal.cals[self.kal[i]].start_of(self.link_driven[i]))
                out.append(
                    Conflict(
                        t.id,
                        "manual",
                        f"'{t.name}' is scheduled manually: its links would move it to "
                        f"{when.astype('datetime64[us]').tolist():%Y-%m-%d %H:%M}; it keeps its own dates",
                    )
                )
            for i in np.flatnonzero(honoured_late & ~self.actual & ~self.manual).tolist():
                t = leaves[i]
                start_at = self.cal.cals[self.kal[i]].start_of(self.link_driven[i])
                when = wc.datetimes(start_at).astype("datetime64[us]").tolist()
                out.append(
                    Conflict(
                        t.id,
                        "constraint",
                        f"'{t.name}': its links would start it at {when:%Y-%m-%d %H:%M}, later than its "
                        f"{t.constraint_type.value} constraint allows; the constraint wins over the links",
                    )
                )
        for i in np.flatnonzero(self.task_deadline < self.EF).tolist():
            t = leaves[i]
            out.append(Conflict(t.id, "deadline", f"'{t.name}' finishes after its deadline {t.deadline}"))
        if self.dl_k is not None and self.finish_k[0] > self.dl_k[0]:
            late_by = (self.finish_k[0] - self.dl_k[0]) / self.mpd
            out.append(
                Conflict(
                    None,
                    "project_deadline",
                    f"the project finishes {late_by:g} working days after its deadline",
                )
            )
        return out


def _within_years(dates: dict[str, np.ndarray]) -> None:
    """Every date of a schedule lies in the years a client may send (EARLIEST_YEAR..LATEST_YEAR): a task
    of 12,500 days from 2200 finished in 2248, a negative lag from 1900 started in 1896, dates no client
    could give back (a baseline, a file)."""
    early = np.datetime64(f"{EARLIEST_YEAR}-01-01", "m")
    late = np.datetime64(f"{LATEST_YEAR + 1}-01-01", "m")
    for key, at in dates.items():
        if at.size and (at.min() < early or at.max() > late):
            outside = at.min() if at.min() < early else at.max()
            raise SchedulingError(
                f"the schedule would reach {outside.astype('datetime64[D]')} ({key.replace('_', ' ')}), "
                f"outside the years {EARLIEST_YEAR}..{LATEST_YEAR}; check durations, lags and constraints"
            )
