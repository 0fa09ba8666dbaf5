"""Text similarity without a service: TF-IDF vectors and cosine similarity."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def similarities(query: list[str], docs: list[list[str]]) -> np.ndarray:
    """Cosine similarity of the query's TF-IDF vector to each document's (0 when nothing is shared)."""
    if not docs:
        return np.zeros(0)
    df = Counter(w for d in [*docs, query] for w in set(d))
    vocab = {w: i for i, w in enumerate(df)}
    idf = np.array([math.log((2 + len(docs)) / (1 + df[w])) + 1 for w in vocab])

    def vector(tokens: list[str]) -> np.ndarray:
        v = np.zeros(len(vocab))
        for w, c in Counter(tokens).items():
            v[vocab[w]] = c
        v *= idf
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    q = vector(query)
    return np.array([vector(d) @ q for d in docs])
