"""Edge groupings of a compiled network (CSR form), with NumPy; a pause of the cyclic GC."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numba import njit


def groups(keys: np.ndarray, nlevels: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers grouped by level (stable), and where each level's group starts."""
    return _counting_sort(keys.astype(np.int64), nlevels)


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge numbers grouped by key (a task), and where each task's group starts."""
    return _counting_sort(keys.astype(np.int64), n)


@njit(cache=True, nogil=True)
def _counting_sort(keys, buckets):  # noqa: ANN001, ANN202
    """A stable sort of keys in [0, buckets): the order (as a stable argsort) and the group starts."""
    ptr = np.zeros(buckets + 1, dtype=np.int64)
    for k in keys:
        ptr[k + 1] += 1
    for b in range(buckets):
        ptr[b + 1] += ptr[b]
    fill = ptr[:-1].copy()
    order = np.empty(keys.size, dtype=np.int64)
    for e in range(keys.size):
        order[fill[keys[e]]] = e
        fill[keys[e]] += 1
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
