"""Topological levels and edge groupings of a compiled network (CSR form), with NumPy."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


def levels(n: int, pred: np.ndarray, succ: np.ndarray) -> np.ndarray | None:
    """Topological level of every node (longest edge count from a source), or None on a cycle."""
    level = np.full(n, -1, dtype=np.int64)
    indeg = np.bincount(succ, minlength=n)
    order = np.argsort(pred, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(pred, minlength=n))
    out_succ = succ[order]
    frontier = np.flatnonzero(indeg == 0)
    lvl = 0
    while frontier.size:
        level[frontier] = lvl
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        targets = out_succ[offsets]
        np.subtract.at(indeg, targets, 1)
        frontier = np.unique(targets[indeg[targets] == 0])
        lvl += 1
    return None if (level < 0).any() else level


def groups(keys: np.ndarray, nlevels: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(nlevels + 1))
    return order, bounds


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge numbers grouped by key (a task), and where each task's group starts."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(keys, minlength=n))
    return order, ptr


def gather(order: np.ndarray, ptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The edges of the given tasks from a CSR grouping."""
    starts = ptr[nodes]
    counts = ptr[nodes + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return order[np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)]


@contextmanager
def no_gc() -> Iterator[None]:
    """Compiling a big plan allocates many small objects; cyclic GC passes over the plan objects only cost."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
