"""Compiled (numba) kernels for the RCPSP heuristic: serial schedule generation, double justification and a
genetic algorithm over activity lists. Pure computation on arrays; `rcpsp.py` builds them from a Problem.

Data layout: `free[t, r]` is the capacity left of resource r in period t; links are CSR lists
(`in_ptr/in_src/in_d` for predecessors, `out_ptr/out_dst/out_d` for successors) of minimum start-to-start
distances. The genetic algorithm follows Hartmann (1998): precedence-feasible activity lists, two-point
crossover, adjacent-swap mutation, survival of the fittest; every child is improved by double justification
(Valls, Ballestin and Quintanilla 2005) and takes the justified schedule's order as its list.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_CACHE = True


@njit(cache=_CACHE, nogil=True)
def _fits(free, dem, i, t, d, uses):  # noqa: ANN001, ANN202
    """-1 when task i fits in [t, t+d), else the last period in the window where it does not."""
    for u in range(t + d - 1, t - 1, -1):
        for r in uses:
            if free[u, r] < dem[i, r]:
                return u
    return -1


@njit(cache=_CACHE, nogil=True)
def _uses(dem, i, uses):  # noqa: ANN001, ANN202
    """The resources task i needs, into `uses`; returns how many."""
    nu = 0
    for r in range(dem.shape[1]):
        if dem[i, r] > 0:
            uses[nu] = r
            nu += 1
    return nu


@njit(cache=_CACHE, nogil=True)
def forward(order, dur, dem, base, release, fixed, in_ptr, in_src, in_d, start):  # noqa: ANN001, ANN201
    """Serial SGS: each task of `order` (predecessors first) as early as its links and capacity allow.
    Fills `start`, returns the finish."""
    free = base.copy()
    n, nr = dem.shape
    uses = np.empty(nr, np.int64)
    horizon = free.shape[0]
    finish = 0
    for i in range(n):
        start[i] = release[i]
    for k in range(n):
        i = order[k]
        if fixed[i]:
            f = start[i] + dur[i]
            finish = max(finish, f)
            continue
        t0 = release[i]
        for e in range(in_ptr[i], in_ptr[i + 1]):
            t0 = max(t0, start[in_src[e]] + in_d[e])
        d = dur[i]
        nu = _uses(dem, i, uses)
        t = t0
        if d > 0 and nu > 0:
            u = uses[:nu]
            while True:
                if t + d > horizon:  # demand above a capacity: leave it at its earliest start
                    t = t0
                    break
                bad = _fits(free, dem, i, t, d, u)
                if bad < 0:
                    break
                t = bad + 1
            for p in range(t, min(t + d, horizon)):
                for r in u:
                    free[p, r] -= dem[i, r]
        start[i] = t
        finish = max(finish, t + d)
    return finish


@njit(cache=_CACHE, nogil=True)
def _before(hk, hr, hv, a, b):  # noqa: ANN001, ANN202
    if hk[a] != hk[b]:
        return hk[a] < hk[b]
    if hr[a] != hr[b]:
        return hr[a] < hr[b]
    return hv[a] < hv[b]


@njit(cache=_CACHE, nogil=True)
def _swap(hk, hr, hv, a, b):  # noqa: ANN001, ANN202
    hk[a], hk[b] = hk[b], hk[a]
    hr[a], hr[b] = hr[b], hr[a]
    hv[a], hv[b] = hv[b], hv[a]


@njit(cache=_CACHE, nogil=True)
def _heap_push(hk, hr, hv, size, key, rank, val):  # noqa: ANN001, ANN202
    j = size
    hk[j], hr[j], hv[j] = key, rank, val
    while j > 0:
        parent = (j - 1) // 2
        if not _before(hk, hr, hv, j, parent):
            break
        _swap(hk, hr, hv, j, parent)
        j = parent
    return size + 1


@njit(cache=_CACHE, nogil=True)
def _heap_pop(hk, hr, hv, size):  # noqa: ANN001, ANN202
    val = hv[0]
    size -= 1
    _swap(hk, hr, hv, 0, size)
    j = 0
    while True:
        a, b, m = 2 * j + 1, 2 * j + 2, j
        if a < size and _before(hk, hr, hv, a, m):
            m = a
        if b < size and _before(hk, hr, hv, b, m):
            m = b
        if m == j:
            break
        _swap(hk, hr, hv, j, m)
        j = m
    return val, size


@njit(cache=_CACHE, nogil=True)
def ordered(key, rank, ptr_in, ptr_out, dst_out, out):  # noqa: ANN001, ANN201
    """Tasks by (key, rank, index), each after every task linked into it (Kahn's algorithm on a heap)."""
    n = key.shape[0]
    waiting = np.empty(n, np.int64)
    hk = np.empty(n, np.int64)
    hr = np.empty(n, np.int64)
    hv = np.empty(n, np.int64)
    size = 0
    for i in range(n):
        waiting[i] = ptr_in[i + 1] - ptr_in[i]
        if waiting[i] == 0:
            size = _heap_push(hk, hr, hv, size, key[i], rank[i], i)
    k = 0
    while size > 0:
        i, size = _heap_pop(hk, hr, hv, size)
        out[k] = i
        k += 1
        for e in range(ptr_out[i], ptr_out[i + 1]):
            j = dst_out[e]
            waiting[j] -= 1
            if waiting[j] == 0:
                size = _heap_push(hk, hr, hv, size, key[j], rank[j], j)
    return k


@njit(cache=_CACHE, nogil=True)
def backward(start, dur, dem, base, fixed, rank, out_ptr, out_dst, out_d, in_ptr, in_src, order_buf, new):  # noqa: ANN001, ANN201
    """Right justification: by latest finish first, each task as late as it fits before the finish and its
    successors; never earlier than it was. Fills `new`."""
    n, nr = dem.shape
    free = base.copy()
    finish = 0
    for i in range(n):
        finish = max(finish, start[i] + dur[i])
    key = np.empty(n, np.int64)
    for i in range(n):
        key[i] = -(start[i] + dur[i])
    # reversed links: a task comes after all its successors
    ordered(key, rank, out_ptr, in_ptr, in_src, order_buf)
    uses = np.empty(nr, np.int64)
    for k in range(n):
        i = order_buf[k]
        if fixed[i]:
            new[i] = start[i]
            continue
        d = dur[i]
        latest = finish - d
        for e in range(out_ptr[i], out_ptr[i + 1]):
            latest = min(latest, new[out_dst[e]] - out_d[e])
        nu = _uses(dem, i, uses)
        t = latest
        if d > 0 and nu > 0:
            u = uses[:nu]
            t = start[i]
            cand = latest
            while cand > start[i]:
                bad = -1
                for p in range(cand, cand + d):  # the first failing period, scanning up
                    for r in u:
                        if free[p, r] < dem[i, r]:
                            bad = p
                            break
                    if bad >= 0:
                        break
                if bad < 0:
                    t = cand
                    break
                cand = bad - d
            for p in range(t, t + d):
                for r in u:
                    free[p, r] -= dem[i, r]
        elif t < start[i]:
            t = start[i]
        new[i] = t
    return finish


@njit(cache=_CACHE, nogil=True)
def justify(
    order, dur, dem, base, release, fixed, rank, in_ptr, in_src, in_d, out_ptr, out_dst, out_d, start
):  # noqa: ANN001, ANN201, E501
    """Forward SGS of `order`, then double justification repeated while it shortens the schedule. Leaves
    the best schedule in `start` and its start order (predecessors first) in `order`; returns its finish."""
    n = dur.shape[0]
    best = forward(order, dur, dem, base, release, fixed, in_ptr, in_src, in_d, start)
    back = np.empty(n, np.int64)
    fwd = np.empty(n, np.int64)
    buf = np.empty(n, np.int64)
    lst = np.empty(n, np.int64)
    while True:
        backward(start, dur, dem, base, fixed, rank, out_ptr, out_dst, out_d, in_ptr, in_src, buf, back)
        ordered(back, rank, in_ptr, out_ptr, out_dst, lst)
        ms = forward(lst, dur, dem, base, release, fixed, in_ptr, in_src, in_d, fwd)
        if ms >= best:
            break
        best = ms
        start[:] = fwd
    ordered(start, rank, in_ptr, out_ptr, out_dst, order)
    return best


@njit(cache=_CACHE, nogil=True)
def evolve(
    pop,
    fit,
    starts,
    generations,
    seed,
    dur,
    dem,
    base,
    release,
    fixed,
    rank,
    in_ptr,
    in_src,
    in_d,
    out_ptr,
    out_dst,
    out_d,
    lower,
):  # noqa: ANN001, ANN201, E501
    """`generations` rounds of the genetic algorithm on population `pop` (activity lists, rows) with
    finishes `fit` and schedules `starts`, in place.
    Stops early at the lower bound; returns the number of schedules evaluated."""
    np.random.seed(seed)
    size, n = pop.shape
    child = np.empty((2, n), np.int64)
    cstart = np.empty((2, n), np.int64)
    taken = np.zeros(n, np.bool_)
    weights = np.random.randint(1, 2**31 - 1, n).astype(np.int64)  # schedule signatures
    evaluated = 0
    for _ in range(generations):
        perm = np.random.permutation(size)
        kids = np.empty((size, n), np.int64)
        kfit = np.empty(size, np.int64)
        kstart = np.empty((size, n), np.int64)
        nk = 0
        for pair in range(size // 2):
            mother, father = pop[perm[2 * pair]], pop[perm[2 * pair + 1]]
            q1 = np.random.randint(0, n)
            q2 = np.random.randint(q1, n + 1)
            for c in range(2):
                a, b = (mother, father) if c == 0 else (father, mother)
                taken[:] = False
                k = 0
                for x in range(q1):
                    child[c, k] = a[x]
                    taken[a[x]] = True
                    k += 1
                for x in range(n):
                    if k >= q2:
                        break
                    if not taken[b[x]]:
                        child[c, k] = b[x]
                        taken[b[x]] = True
                        k += 1
                for x in range(n):
                    if not taken[a[x]]:
                        child[c, k] = a[x]
                        taken[a[x]] = True
                        k += 1
                for x in range(n - 1):  # mutation: swap neighbours that are not linked
                    if np.random.random() < 0.05:
                        linked = False
                        for e in range(out_ptr[child[c, x]], out_ptr[child[c, x] + 1]):
                            linked = linked or out_dst[e] == child[c, x + 1]
                        if not linked:
                            child[c, x], child[c, x + 1] = child[c, x + 1], child[c, x]
                ms = justify(
                    child[c], dur, dem, base, release, fixed, rank, in_ptr, in_src, in_d, out_ptr, out_dst,
                    out_d, cstart[c],
                )  # fmt: skip
                evaluated += 1
                kids[nk] = child[c]
                kfit[nk] = ms
                kstart[nk] = cstart[c]
                nk += 1
        # survival of the fittest among parents and children (children win ties: drift), each schedule
        # once while there are enough different ones (copies would take over the population)
        allfit = np.concatenate((kfit[:nk], fit))
        byfit = np.argsort(allfit, kind="mergesort")
        sig = np.empty(nk + size, np.int64)
        for o in range(nk + size):
            row = kstart[o] if o < nk else starts[o - nk]
            sig[o] = np.sum(row * weights)
        order = np.empty(size, np.int64)
        kept = np.zeros(nk + size, np.bool_)
        m = 0
        for o in byfit:
            if m == size:
                break
            twin = False
            for j in range(m):
                if sig[order[j]] == sig[o] and allfit[order[j]] == allfit[o]:
                    twin = True
                    break
            if not twin:
                order[m] = o
                kept[o] = True
                m += 1
        for o in byfit:
            if m == size:
                break
            if not kept[o]:
                order[m] = o
                m += 1
        newpop = np.empty_like(pop)
        newstart = np.empty_like(starts)
        newfit = np.empty_like(fit)
        for j in range(size):
            o = order[j]
            if o < nk:
                newpop[j] = kids[o]
                newstart[j] = kstart[o]
                newfit[j] = kfit[o]
            else:
                newpop[j] = pop[o - nk]
                newstart[j] = starts[o - nk]
                newfit[j] = fit[o - nk]
        pop[:] = newpop
        starts[:] = newstart
        fit[:] = newfit
        if fit[0] <= lower:
            break
    return evaluated
