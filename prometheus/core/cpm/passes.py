"""The forward and backward passes, level by level over the topological order, and their incremental
versions after one task changes. A part of `Network`; the link and constraint arithmetic is in rules.py."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from prometheus.core.cpm import fast
from prometheus.core.cpm.order import gather, groups
from prometheus.core.cpm.progress import NO_MOMENT
from prometheus.core.cpm.rules import (
    FF,
    FNET,
    FNLT,
    FS,
    MFO,
    MSO,
    NEVER,
    SF,
    SNET,
    SS,
    constrain_early,
    constrain_late,
    early_bound,
    first_start,
    late_bound,
)

GROWN = 40_000  # days: the most the tables cover by doubling from their first size before they stop


class Passes:
    """Network's passes over its compiled arrays (ES/EF/LS/LF: early and late start and finish indexes)."""

    def _first(self, T: np.ndarray) -> np.ndarray:
        ps = self.ps_k[self.kal[T]] if self.multi else self.ps
        d = self._spread_spans_to(T, self.cidx[T], self.dur[T]) if self.spread else self.dur[T]
        return first_start(self.ctype[T], self.cidx[T], d, ps)

    def _leaving(self, p: np.ndarray, base: np.ndarray, base_fin: np.ndarray, ff: np.ndarray) -> np.ndarray:
        """The moments links leave their predecessors `p` at (`ff`: their finishes): their dates `base`
        read as finishes where `base_fin`, or the actual dates they keep."""
        at = self.cal.moment(self.kal[p], base, base_fin)
        if self.kept_moments is not None:
            kept = np.where(ff, self.kept_moments[1][p], self.kept_moments[0][p])
            at = np.where(kept != NO_MOMENT, kept, at)
        return at

    def _to_succ(
        self,
        p: np.ndarray,
        s: np.ndarray,
        base: np.ndarray,
        base_fin: np.ndarray,
        elapsed: np.ndarray,
        left: np.ndarray | None,
    ) -> np.ndarray:
        """Move the points links leave (the moments `left`, where known) into the successors' calendars,
        in place, except for elapsed lags (they run from the moment itself). Returns the calendar each base
        is now expressed in."""
        if not self.multi:
            return self.kal[s]
        cross = (self.kal[p] != self.kal[s]) & ~elapsed
        if cross.any():
            ks = self.kal[s][cross]
            at = (
                self.cal.moment(self.kal[p][cross], base[cross], base_fin[cross])
                if left is None
                else left[cross]
            )
            base[cross] = self.cal.index_of(ks, at)
            base_fin[cross] = at == self.cal.finish_of(ks, base[cross])
        return np.where(elapsed, self.kal[p], self.kal[s])

    def _forward_level(self, T: np.ndarray, E: np.ndarray, use_late: np.ndarray) -> None:
        """Early dates of tasks T from their incoming links E (links out of ALAP tasks may use late dates)."""
        ES, EF, dur, zero, rd, C = self.ES, self.EF, self.dur, self.zero, self.rd, self.cal
        ES[T] = np.where(self.has_pred[T], NEVER, self._first(T))
        milestones = bool(zero[T].any())
        if E.size:
            p, s = self.pred[E], self.succ[E]
            late = use_late[E]
            ff = self.from_finish[E]
            base = np.where(ff, np.where(late, self.LF[p], EF[p]), np.where(late, self.LS[p], ES[p]))
            # how the moment the link leaves reads: a milestone's own reading (late ones: a finish)
            base_fin = np.where(zero[p], rd[p] | late, ff)
            moments = self.lag_apart or (self.multi and self.kept_moments is not None)
            left = self._leaving(p, base, base_fin, ff) if moments else None  # the moments links leave
            k_base = self._to_succ(p, s, base, base_fin, self.is_elapsed[E], left)
            ks = self.kal[s]
            ps = self.ps_k[ks] if self.multi else self.ps
            lw = self.lagw[E]
            cand = early_bound(base, lw, self.to_finish[E], dur[s])
            edge_fin = np.where(lw > 0, True, np.where(lw < 0, False, base_fin)) if milestones else None
            if self.lag_apart:
                self._lag_on_its_calendar(E, left, cand, edge_fin)
            if self.any_elapsed:
                el = self.is_elapsed[E]
                if el.any():  # Microsoft Project takes off the duration first, then the elapsed lag
                    d_el = np.where(self.to_finish[E][el], dur[s][el], 0)
                    at = C.moment(k_base[el], base[el], base_fin[el]) if left is None else left[el]
                    less = d_el > 0
                    if less.any():
                        at[less] = C.start_of(ks[el][less], C.index_of(ks[el][less], at[less]) - d_el[less])
                    raw = at + self.lage[E][el]
                    cand[el] = C.index_of(ks[el], raw)
                    if milestones:
                        edge_fin[el] = raw == C.finish_of(ks[el], cand[el])
            if self.spread:
                self._spread_to_finish(E, cand)
            is_ff = self.ltype[E] == FF
            clamp = is_ff & (cand < ps)  # FF never pulls before the project start
            if milestones:  # ... nor to the finish just before it
                clamp |= is_ff & (cand == ps) & edge_fin
            cand = np.where(clamp, ps, cand)
            np.maximum.at(ES, s, cand)
            if milestones:
                tight_in = (cand == ES[s]) & zero[s]
                edge_fin &= ~clamp
                self.n_fin[T] = 0
                self.n_sta[T] = 0
                np.add.at(self.n_fin, s[tight_in & edge_fin], 1)
                np.add.at(self.n_sta, s[tight_in & ~edge_fin], 1)
                rd[T] = (self.n_fin[T] > 0) & (self.n_sta[T] == 0)
        elif milestones:
            rd[T] = False
        if self.not_before is not None:
            ES[T] = np.maximum(ES[T], self.not_before[T])
        if self.delayed:  # leveling delay: the start waits this long after what the links allow
            ES[T] += self.delay_w[T]
            late = T[self.delay_e[T] > 0]
            if late.size:
                k = self.kal[late]
                ES[late] = C.index_of(k, C.start_of(k, ES[late]) + self.delay_e[late])
        snap = T
        if self.constrained:
            self.link_driven[T] = ES[T]
            c, ci, d = self.ctype[T], self.cidx[T], dur[T]
            if self.spread:
                d = self._spread_spans_to(T, ci, d)
            es_t = constrain_early(c, ci, d, ES[T])
            # a finish a constraint sets stays: the start of an elapsed duration need not be working time
            snap = T[(c != MFO) & (((c != FNET) & (c != FNLT)) | (es_t == ES[T]))]
            if milestones:
                binding = (
                    (es_t != ES[T])
                    | (c == MSO)
                    | (c == MFO)
                    | (~self.has_pred[T] & ((c == SNET) | (c == FNET)))
                )
                # same working minute, other moment: SNET's start beats a finish, FNLT's finish a start
                cur = rd[T]
                binding |= (c == SNET) & (ES[T] == ci) & cur
                binding |= (c == FNLT) & (ES[T] == ci - d) & ~cur
                rd[T] = np.where(binding, self.finish_kind[T], rd[T])
            ES[T] = es_t
        if self.elapsed_task.any():
            self._snap(snap, ES, start=True)
        if self.spread:
            self._spread_finish(T)
        EF[T] = ES[T] + dur[T]

    def _lag_on_its_calendar(
        self, E: np.ndarray, left: np.ndarray, cand: np.ndarray, edge_fin: np.ndarray | None
    ) -> None:
        """Working lags into tasks that work on other calendars than their lags (`lag_kal`: their resources',
        the clock of an elapsed duration) run from the moment the link leaves (`left`) on the lag's
        calendar: `cand`, the successors' early bounds, in place (and `edge_fin`: whether a milestone reads
        the moment reached as a finish)."""
        s, lw = self.succ[E], self.lagw[E]
        onto = (self.lag_kal[s] != self.kal[s]) & (lw != 0)
        if not onto.any():
            return
        C, kl, lag = self.cal, self.lag_kal[s][onto], lw[onto]
        raw = C.moment(kl, C.index_of(kl, left[onto]) + lag, lag > 0)
        ks, less = self.kal[s][onto], np.where(self.to_finish[E][onto], self.dur[s][onto], 0)
        cand[onto] = C.index_of(ks, raw) - less
        if edge_fin is not None:
            edge_fin[onto] = raw == C.finish_of(ks, cand[onto])

    def _late_cap(self, T: np.ndarray) -> np.ndarray:
        k = self.kal[T]
        cap = self.finish_k[k] if self.dl_k is None else np.minimum(self.finish_k[k], self.dl_k[k])
        return np.minimum(cap, self.task_deadline[T])

    def _backward_level(self, T: np.ndarray, E: np.ndarray) -> None:
        """Late dates of tasks T from their outgoing links E."""
        LF, LS, dur, C = self.LF, self.LS, self.dur, self.cal
        LF[T] = self._late_cap(T)
        if E.size:
            p, s = self.pred[E], self.succ[E]
            tf, ff = self.to_finish[E], self.from_finish[E]
            base = np.where(tf, LF[s], LS[s])
            cand = late_bound(base, self.lagw[E], ff, dur[p])
            if self.any_elapsed:
                el = self.is_elapsed[E]
                if el.any():  # SF: the duration goes on first, then the elapsed lag comes off
                    lt = self.ltype[E][el]
                    sf = lt == SF
                    b = base[el] + np.where(sf, dur[p][el], 0)
                    # FS reads a milestone successor's late start as it stands; SS takes the next work start
                    fin_read = tf[el] | (self.zero[s][el] & (lt == FS))
                    at = C.moment(self.kal[s][el], b, fin_read)
                    kp = self.kal[p][el]
                    cand[el] = C.index_of(kp, at - self.lage[E][el]) + np.where(ff[el] | sf, 0, dur[p][el])
            if self.multi:
                cross = self.kal[p] != self.kal[s]
                if self.lag_apart:  # ... or a lag on another calendar than its successor's
                    cross |= (self.lag_kal[s] != self.kal[s]) & (self.lagw[E] != 0)
                if cross.any():
                    cand[cross] = self._late_across(E[cross])
            np.minimum.at(LF, p, cand)
        if self.constrained:
            c, ci, d = self.ctype[T], self.cidx[T], dur[T]
            lf = constrain_late(c, ci, d, LF[T], ~self.actual[T] & ~self.manual[T])
            LF[T] = np.minimum(lf, self.task_deadline[T])
        LF[T] = np.where(self.finished[T], self.EF[T], LF[T])  # done work has no late dates of its own
        if self.elapsed_task.any():
            self._snap(T, LF, start=False)
        LS[T] = np.where(self.actual[T], self.ES[T], LF[T] - dur[T])  # a started task's start is fixed
        if self.spread:
            self._spread_start(T)

    def _late_across(self, E: np.ndarray) -> np.ndarray:
        """Late finish limits that links between two calendars put on their predecessors, via moments."""
        C, p, s, lt = self.cal, self.pred[E], self.succ[E], self.ltype[E]
        kp, ks, lw, le, dp = self.kal[p], self.kal[s], self.lagw[E], self.lage[E], self.dur[p]
        tf = self.to_finish[E]
        at = C.moment(ks, np.where(tf, self.LF[s], self.LS[s]), tf | self.zero[s])  # the dates as they stand
        ss = lt == SS
        if ss.any():  # SS: the next work start in the predecessor's calendar
            at[ss] = C.start_of(kp[ss], C.index_of(kp[ss], at[ss]))
        sf = lt == SF
        if sf.any():  # SF: the predecessor's duration goes on in its calendar before the lag comes off
            ends = C.index_of(kp[sf], at[sf]) + dp[sf]
            at[sf] = np.where(dp[sf] > 0, C.finish_of(kp[sf], ends), at[sf])
        working = (lw != 0) & ~self.is_elapsed[E]
        if working.any():  # the lag comes off in its calendar (`lag_kal`)
            kl = self.lag_kal[s][working]
            shifted = C.index_of(kl, at[working]) - lw[working]
            at[working] = C.moment(kl, shifted, lw[working] < 0)
        at -= le
        return C.index_of(kp, at) + np.where(self.from_finish[E] | sf, 0, dp)

    def _simple(self) -> bool:
        """No constraints, progress, milestones, delays, elapsed or spread tasks: fast.py applies."""
        return not (
            self.constrained
            or self.delayed
            or self.spread
            or self.not_before is not None
            or self.elapsed_task.any()
            or self.zero.any()
        )

    def _on_tables(self, kernel: Callable[..., bool], *args: object) -> bool:
        """Run a compiled kernel of fast.py on the stacked calendar tables, grown while it runs off them
        (it returns False); False where they cannot grow (200 years)."""
        while not kernel(*args, self.cal.stacked()):
            if not self.cal.grow():
                return False
        return True

    def _span_bound(self) -> int:
        """About the days from the epoch the schedule reaches, to size the calendar tables (a pass that runs
        off them grows them): the longest path with every link read as finish-to-start, in days of the
        tasks' and links' calendars."""
        if not self.n:
            return 0
        per_day = self.cal.day_minutes()
        task_days = self.dur / per_day[self.kal]
        lag_days = np.maximum(self.lagw / per_day[self.kal[self.succ]], 0) + np.maximum(self.lage, 0) / 1440
        longest = fast.longest_path(self.t_order, self.in_ptr, self.in_order, self.pred, task_days, lag_days)
        start = (self.ps_k.max() / per_day.min()) if self.ps_k.size else 0
        return min(int(start + 1.25 * longest) + 60, GROWN)

    def _links_by_level(self, end: str) -> tuple[np.ndarray, np.ndarray]:
        """Link numbers grouped by the level of their successor ("succ") or predecessor ("pred"), for the
        level-by-level passes (made on first use: the compiled passes do without)."""
        if end not in self.by_level:
            self.by_level[end] = groups(self.level[getattr(self, end)], self.nlevels)
        return self.by_level[end]

    def _forward(self, use_late: np.ndarray) -> None:
        if use_late is self.no_late and self._simple():
            args = (self.t_order, self.in_ptr, self.in_order, self.pred, self.ltype, self.lagw, self.lage)
            more = (
                self.is_elapsed,
                self.has_pred,
                self.dur,
                self.kal,
                self.lag_kal,
                self.ps_k,
                self.ES,
                self.EF,
            )
            if self.multi or self.any_elapsed:  # the kernel converts times: tables long enough first
                self.cal.cover(self._span_bound())
            if self._on_tables(fast.forward, *args, *more):
                return
        f_order, f_bounds = self._links_by_level("succ")
        for lv in range(self.nlevels):
            T = self.t_order[self.t_bounds[lv] : self.t_bounds[lv + 1]]
            self._forward_level(T, f_order[f_bounds[lv] : f_bounds[lv + 1]], use_late)

    def _backward(self) -> None:
        if self._simple():
            args = (self.t_order, self.out_ptr, self.out_order, self.succ, self.ltype, self.lagw, self.lage)
            cap = self._late_cap(np.arange(self.n))
            more = (
                self.is_elapsed,
                cap,
                self.dur,
                self.kal,
                self.lag_kal,
                self.ES,
                self.EF,
                self.LS,
                self.LF,
                self.finished,
            )
            if self._on_tables(fast.backward, *args, *more):
                return
        b_order, b_bounds = self._links_by_level("pred")
        for lv in range(self.nlevels - 1, -1, -1):
            T = self.t_order[self.t_bounds[lv] : self.t_bounds[lv + 1]]
            self._backward_level(T, b_order[b_bounds[lv] : b_bounds[lv + 1]])

    def _propagate_forward(self, start: int) -> None:
        pending: dict[int, set[int]] = {int(self.level[start]): {start}}
        while pending:
            lv = min(pending)
            T = np.fromiter(pending.pop(lv), dtype=np.int64)
            before = (self.ES[T].copy(), self.EF[T].copy(), self.rd[T].copy())
            self._forward_level(T, gather(self.in_order, self.in_ptr, T), self.no_late)
            moved = T[(self.ES[T] != before[0]) | (self.EF[T] != before[1]) | (self.rd[T] != before[2])]
            self._moved_early.update(moved.tolist())
            for q in self.succ[gather(self.out_order, self.out_ptr, moved)].tolist():
                pending.setdefault(int(self.level[q]), set()).add(q)

    def _propagate_backward(self, start: int) -> None:
        pending: dict[int, set[int]] = {int(self.level[start]): {start}}
        while pending:
            lv = max(pending)
            T = np.fromiter(pending.pop(lv), dtype=np.int64)
            before = (self.LS[T].copy(), self.LF[T].copy())
            self._backward_level(T, gather(self.out_order, self.out_ptr, T))
            moved = T[(self.LS[T] != before[0]) | (self.LF[T] != before[1])]
            self._moved_late.update(moved.tolist())
            for q in self.pred[gather(self.in_order, self.in_ptr, moved)].tolist():
                pending.setdefault(int(self.level[q]), set()).add(q)
