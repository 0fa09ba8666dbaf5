"""Both passes in one compiled loop (numba) for the common plan: one calendar, no date constraints, no
progress, milestones, leveling delays or elapsed durations; working and elapsed lags of all four link
types. Level-by-level NumPy pays a fixed cost per topological level, which a long chain of tasks (one task
per level) turns into most of the time. The arithmetic is that of rules.py and passes.py, task by task."""

from __future__ import annotations

from numba import njit

from prometheus.core.calendar_kernels import index_at, start_at
from prometheus.core.cpm.rules import FF, FS, NEVER, SF


@njit(cache=True, nogil=True)
def _in_table(index, cum, zero) -> bool:  # noqa: ANN001
    return 0 <= index + zero < cum[-1]


@njit(cache=True, nogil=True)
def forward(order, ptr, edges, pred, ltype, lagw, lage, elapsed, has_pred, dur, ps, es, ef, tables):  # noqa: ANN001, ANN201
    """Early dates in topological order; False (dates unusable) when an elapsed lag leaves the calendar
    table, so that the NumPy passes, which grow it, take over."""
    starts, ends, pstart, pend, cum, back, zero = tables
    for i in order:
        best = NEVER if has_pred[i] else ps
        for k in range(ptr[i], ptr[i + 1]):
            e = edges[k]
            p = pred[e]
            lt = ltype[e]
            from_finish = lt == FS or lt == FF  # noqa: SIM109 (rules.leaves_finish, compiled)
            to_finish = lt == FF or lt == SF  # noqa: SIM109 (rules.reaches_finish)
            base = ef[p] if from_finish else es[p]
            d = dur[i] if to_finish else 0
            if elapsed[e]:  # MS Project takes off the duration first, then the elapsed lag
                j = base - 1 if from_finish else base  # the moment the link leaves: a finish or a start
                if not _in_table(j, cum, zero):
                    return False
                at = start_at(j, starts, pstart, pend, cum, back, zero) + (1 if from_finish else 0)
                if d > 0:
                    j = index_at(at, starts, ends, cum, back, zero) - d
                    if not _in_table(j, cum, zero):
                        return False
                    at = start_at(j, starts, pstart, pend, cum, back, zero)
                raw = at + lage[e]
                day = raw // 1440 + back
                if day < 0 or day >= starts.shape[0]:
                    return False
                cand = index_at(raw, starts, ends, cum, back, zero)
            else:
                cand = base + lagw[e] - d
            if lt == FF and cand < ps:  # FF never pulls before the project start
                cand = ps
            if cand > best:
                best = cand
        es[i] = best
        ef[i] = best + dur[i]
    return True


@njit(cache=True, nogil=True)
def backward(order, ptr, edges, succ, ltype, lagw, lage, elapsed, cap, dur, es, ef, ls, lf, finished, tables):  # noqa: ANN001, ANN201
    """Late dates in reverse topological order (`cap`: each task's latest finish before its links);
    False when an elapsed lag leaves the calendar table."""
    starts, ends, pstart, pend, cum, back, zero = tables
    for n in range(order.size - 1, -1, -1):
        i = order[n]
        best = cap[i]
        for k in range(ptr[i], ptr[i + 1]):
            e = edges[k]
            s = succ[e]
            lt = ltype[e]
            from_finish = lt == FS or lt == FF  # noqa: SIM109 (rules.leaves_finish, compiled)
            to_finish = lt == FF or lt == SF  # noqa: SIM109 (rules.reaches_finish)
            base = lf[s] if to_finish else ls[s]
            if elapsed[e]:  # SF: the duration goes on first, then the elapsed lag comes off
                b = base + (dur[i] if lt == SF else 0)
                j = b - 1 if to_finish else b
                if not _in_table(j, cum, zero):
                    return False
                at = start_at(j, starts, pstart, pend, cum, back, zero) + (1 if to_finish else 0)
                raw = at - lage[e]
                day = raw // 1440 + back
                if day < 0 or day >= starts.shape[0]:
                    return False
                cand = index_at(raw, starts, ends, cum, back, zero)
                if not (from_finish or lt == SF):
                    cand += dur[i]
            else:
                cand = base - lagw[e] + (0 if from_finish else dur[i])
            if cand < best:
                best = cand
        if finished[i]:
            best = ef[i]
        lf[i] = best
        ls[i] = lf[i] - dur[i]
    return True
