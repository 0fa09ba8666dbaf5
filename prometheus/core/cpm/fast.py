"""Both passes in one compiled loop (numba) for the common plan: no date constraints, progress,
milestones, leveling delays, elapsed durations or tasks spread over several resource calendars; any
calendars (the plan's, tasks', resources'), working and elapsed lags of all four link types. Level-by-level
NumPy pays a fixed cost per topological level, which a long chain of tasks (one task per level) turns into
most of the time. The arithmetic is that of rules.py and passes.py, link by link; a time that leaves the
calendar tables stops the kernel (False), and the NumPy passes, which grow the tables, take over."""

from __future__ import annotations

import numpy as np
from numba import njit

from prometheus.core.calendar_kernels import index_at, start_at
from prometheus.core.cpm.rules import FF, FS, NEVER, SF, SS

OUT = -(2**62)  # a time outside the calendar tables


@njit(cache=True, nogil=True, inline="always")
def _moment(k, index, finish, tables):  # noqa: ANN001, ANN202
    """Minutes since the epoch of a working index of calendar k, read as a finish or a start (OUT outside
    the tables: the index is clamped into them and the result dropped, which compiles to no branch)."""
    starts, ends, pstart, pend, cum, back, zero = tables
    j = index - 1 if finish else index
    z = zero[k]
    at = min(max(j + z, 0), cum[k, cum.shape[1] - 1] - 1) - z
    moment = start_at(at, starts[k], pstart[k], pend[k], cum[k], back, z) + (1 if finish else 0)
    return moment if at == j else OUT


@njit(cache=True, nogil=True, inline="always")
def _index(k, minutes, tables):  # noqa: ANN001, ANN202
    """The working index of calendar k at a moment (OUT outside the tables, without a branch as above)."""
    starts, ends, pstart, pend, cum, back, zero = tables
    day = minutes // 1440 + back
    inside = (minutes != OUT) & (day >= 0) & (day < starts.shape[1])
    index = index_at(minutes if inside else -back * 1440, starts[k], ends[k], cum[k], back, zero[k])
    return index if inside else OUT


@njit(cache=True, nogil=True)
def forward(
    order, ptr, edges, pred, ltype, lagw, lage, elapsed, has_pred, dur, kal, lagk, start, es, ef, tables
):  # noqa: ANN001, ANN201, E501
    """Early dates in topological order (`start`: the project start in each calendar; `lagk`: the calendar
    each task's incoming working lags run on)."""
    for i in order:
        ki = kal[i]
        best = NEVER if has_pred[i] else start[ki]
        for n in range(ptr[i], ptr[i + 1]):
            e = edges[n]
            p = pred[e]
            kp = kal[p]
            lt = ltype[e]
            from_finish = lt == FS or lt == FF  # noqa: SIM109 (rules.leaves_finish, compiled)
            base = ef[p] if from_finish else es[p]
            d = dur[i] if (lt == FF or lt == SF) else 0  # noqa: SIM109 (rules.reaches_finish)
            if elapsed[e]:  # from the moment itself: the duration comes off first, then the lag
                at = _moment(kp, base, from_finish, tables)
                if d > 0:
                    at = _moment(ki, _index(ki, at, tables) - d, False, tables)
                cand = _index(ki, at + lage[e] if at != OUT else OUT, tables)
            elif lagw[e] != 0 and lagk[i] != ki:  # the lag on its own calendar, from the moment itself
                kl = lagk[i]
                at = _moment(kp, base, from_finish, tables)
                at = _moment(kl, _index(kl, at, tables) + lagw[e], lagw[e] > 0, tables)
                cand = _index(ki, at, tables)
                if cand != OUT:
                    cand -= d
            else:
                if kp != ki:  # the point the link leaves, in the successor's calendar
                    base = _index(ki, _moment(kp, base, from_finish, tables), tables)
                    if base == OUT:
                        return False
                cand = base + lagw[e] - d
            if cand == OUT:
                return False
            if lt == FF and cand < start[ki]:  # FF never pulls before the project start
                cand = start[ki]
            if cand > best:
                best = cand
        es[i] = best
        ef[i] = best + dur[i]
    return True


@njit(cache=True, nogil=True)
def backward(
    order, ptr, edges, succ, ltype, lagw, lage, elapsed, cap, dur, kal, lagk, es, ef, ls, lf, finished, tables
):  # noqa: ANN001, ANN201, C901
    """Late dates in reverse topological order (`cap`: each task's latest finish before its links)."""
    for n in range(order.size - 1, -1, -1):
        i = order[n]
        ki = kal[i]
        best = cap[i]
        for m in range(ptr[i], ptr[i + 1]):
            e = edges[m]
            s = succ[e]
            ks = kal[s]
            lt = ltype[e]
            from_finish = lt == FS or lt == FF  # noqa: SIM109
            to_finish = lt == FF or lt == SF  # noqa: SIM109
            keep = 0 if (from_finish or lt == SF) else dur[i]
            base = lf[s] if to_finish else ls[s]
            kl = lagk[s]
            if ks != ki or (lagw[e] != 0 and kl != ks):  # through moments: the successor's date, then
                at = _moment(ks, base, to_finish, tables)  # the predecessor's calendar
                if lt == SS:  # the next work start in the predecessor's calendar
                    at = _moment(ki, _index(ki, at, tables), False, tables)
                elif lt == SF and dur[i] > 0:  # the duration goes on before the lag comes off
                    at = _moment(ki, _index(ki, at, tables) + dur[i], True, tables)
                if not elapsed[e] and lagw[e] != 0:  # a working lag comes off in its calendar
                    at = _moment(kl, _index(kl, at, tables) - lagw[e], lagw[e] < 0, tables)
                cand = _index(ki, at - lage[e] if at != OUT else OUT, tables)
                if cand == OUT:
                    return False
                cand += keep
            elif elapsed[e]:
                at = _moment(ks, base + (dur[i] if lt == SF else 0), to_finish, tables)
                cand = _index(ki, at - lage[e] if at != OUT else OUT, tables)
                if cand == OUT:
                    return False
                cand += keep
            else:
                cand = base - lagw[e] + (0 if from_finish else dur[i])
            if cand < best:
                best = cand
        if finished[i]:
            best = ef[i]
        lf[i] = best
        ls[i] = best - dur[i]
    return True


@njit(cache=True, nogil=True)
def link_slack(  # noqa: ANN201
    pred,
    succ,
    from_finish,
    to_finish,
    lagw,
    lage,
    elapsed,
    kal,
    lagk,
    zero,
    rd,
    start,
    finish,
    out,
    tables,  # noqa: ANN001
):
    """How far each link's successor sits after the point the link allows it (its start or finish, from
    the scheduled dates `start`/`finish`), in the successor's calendar: the point the link leaves, moved
    across calendars as a moment, plus its working lag (on `lagk`), or its elapsed lag from the moment
    itself."""
    for e in range(pred.size):
        p, s = pred[e], succ[e]
        kp, ks = kal[p], kal[s]
        base = finish[p] if from_finish[e] else start[p]
        fin = rd[p] if zero[p] else from_finish[e]  # a milestone's own reading
        if elapsed[e]:
            at = _moment(kp, base, fin, tables)
            cand = _index(ks, at + lage[e] if at != OUT else OUT, tables)
        elif lagw[e] != 0 and lagk[s] != ks:  # the lag on its own calendar
            at = _moment(kp, base, fin, tables)
            at = _moment(lagk[s], _index(lagk[s], at, tables) + lagw[e], lagw[e] > 0, tables)
            cand = _index(ks, at, tables)
        else:
            if kp != ks:
                base = _index(ks, _moment(kp, base, fin, tables), tables)
            cand = OUT if base == OUT else base + lagw[e]
        if cand == OUT:
            return False
        out[e] = (finish[s] if to_finish[e] else start[s]) - cand
    return True


@njit(cache=True, nogil=True)
def longest_path(order, ptr, edges, pred, task, lag):  # noqa: ANN001, ANN201
    """The longest path through task lengths and link lags (every link read as finish-to-start)."""
    finish = np.zeros(order.size)
    best = 0.0
    for i in order:
        at = 0.0
        for n in range(ptr[i], ptr[i + 1]):
            e = edges[n]
            if finish[pred[e]] + lag[e] > at:
                at = finish[pred[e]] + lag[e]
        finish[i] = at + task[i]
        best = max(best, finish[i])
    return best
