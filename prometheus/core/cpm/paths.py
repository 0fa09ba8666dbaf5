"""Critical paths: every chain of critical tasks joined by driving links, found depth-first by a compiled
(numba) walk, so that a long chain of critical tasks costs microseconds."""

from __future__ import annotations

import numpy as np
from numba import njit

MAX_PATHS = 100


@njit(cache=True, nogil=True)
def _walk(n, ptr, nbr, roots, max_paths):  # noqa: ANN001, ANN202
    """Depth-first from each root along the edges in CSR form (ptr, nbr); every path to a task without
    successors, at most `max_paths`. Returns the paths end to end, where each ends, and whether cut short."""
    flat = np.empty(1024, dtype=np.int64)
    used = 0
    ends = np.empty(max_paths + 1, dtype=np.int64)
    count = 0
    path = np.empty(n + 1, dtype=np.int64)
    pos = np.empty(n + 1, dtype=np.int64)  # the next edge to follow at each depth
    for root in roots:
        depth = 0
        path[0] = root
        pos[0] = ptr[root]
        if ptr[root] == ptr[root + 1]:
            if used + 1 > flat.size:
                flat = np.concatenate((flat, np.empty(flat.size, dtype=np.int64)))
            flat[used] = root
            used += 1
            ends[count] = used
            count += 1
        while depth >= 0:
            node = path[depth]
            if pos[depth] == ptr[node + 1]:
                depth -= 1
                continue
            step = nbr[pos[depth]]
            pos[depth] += 1
            depth += 1
            path[depth] = step
            pos[depth] = ptr[step]
            if ptr[step] == ptr[step + 1]:  # an end: keep the path
                while used + depth + 1 > flat.size:
                    flat = np.concatenate((flat, np.empty(flat.size, dtype=np.int64)))
                flat[used : used + depth + 1] = path[: depth + 1]
                used += depth + 1
                ends[count] = used
                count += 1
                depth -= 1
                if count >= max_paths:
                    return flat[:used], ends[:count], True
        if count >= max_paths:
            return flat[:used], ends[:count], True
    return flat[:used], ends[:count], False


def critical_paths(
    n: int, pred: np.ndarray, succ: np.ndarray, tight: np.ndarray, critical: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Every chain of critical tasks joined by driving links, from a critical start to a critical end (the
    successors of a task in link order), at most MAX_PATHS: their task numbers end to end and where each
    path ends; True when there were more."""
    crit_edge = tight & critical[pred] & critical[succ] if pred.size else np.zeros(0, dtype=bool)
    p, s = pred[crit_edge].astype(np.int64), succ[crit_edge].astype(np.int64)
    order = np.argsort(p, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(p, minlength=n))
    has_in = np.zeros(n, dtype=bool)
    has_in[s] = True
    roots = np.flatnonzero(critical & ~has_in).astype(np.int64)
    flat, ends, truncated = _walk(n, ptr, s[order], roots, MAX_PATHS)
    return flat, ends, bool(truncated)
