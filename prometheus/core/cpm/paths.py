"""Critical paths: every chain of critical tasks joined by driving links."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

MAX_PATHS = 100


def critical_paths(
    n: int, pred: np.ndarray, succ: np.ndarray, tight: np.ndarray, critical: np.ndarray
) -> tuple[list[list[int]], bool]:
    """Every chain of critical tasks joined by driving links, from a critical start to a critical end."""
    crit_edge = tight & critical[pred] & critical[succ] if pred.size else np.zeros(0, dtype=bool)
    nxt: dict[int, list[int]] = defaultdict(list)
    for p, s in zip(pred[crit_edge].tolist(), succ[crit_edge].tolist(), strict=True):
        nxt[p].append(s)
    has_in = np.zeros(n, dtype=bool)
    has_in[succ[crit_edge]] = True
    paths: list[list[int]] = []
    for root in np.flatnonzero(critical & ~has_in).tolist():
        path = [root]
        branches = [iter(nxt.get(root, ()))]  # depth-first, one iterator of successors per path position
        if root not in nxt:
            paths.append([root])
        while branches:
            step = next(branches[-1], None)
            if step is None:
                branches.pop()
                path.pop()
                continue
            path.append(step)
            if step in nxt:
                branches.append(iter(nxt[step]))
            else:
                paths.append(path.copy())
                path.pop()
                if len(paths) >= MAX_PATHS:
                    return paths, True
        if len(paths) >= MAX_PATHS:
            return paths, True
    return paths, False
