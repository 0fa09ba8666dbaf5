"""History-based estimation: similar finished tasks (TF-IDF over their words), what they really took, and
a calibration factor learned from estimate/actual ratios. Runs locally, no service needed."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from prometheus.core.calendar import DAYS_PER_UNIT, WorkCalendar
from prometheus.core.inputs import EstimateRequest
from prometheus.core.model import Calendar, Task
from prometheus.core.text import similarities, words

MIN_SIMILARITY = 0.2  # below it a finished task says nothing about this one
PIECE_DAYS = 50 * 366  # the actual span of a task is counted in pieces of at most this many days


def _tokens(name: str, description: str, tags: list[str]) -> list[str]:
    tokens = words(f"{name} {name} {description}")  # the name counts twice
    return tokens + [f"tag:{t.lower()}" for t in tags for _ in range(2)]


def actual_days(task: Task, calendar: Calendar | None) -> float:
    """The working days between a finished task's actual start and finish, counted in pieces of at most
    PIECE_DAYS (a calendar's table spans at most 200 years: a task worked from 1900 to 2200, a valid
    progress report, made every estimate of every plan a 422, and its own report a 422 after it was kept)."""
    start, finish = task.actual_start.replace(tzinfo=None), task.actual_finish.replace(tzinfo=None)
    work, at, wc = 0, start, None
    while at < finish or wc is None:
        end = min(finish, at + timedelta(days=PIECE_DAYS))
        days = (end - at).days + 28  # from a week before `at` to two after `end`: no table grows
        wc = WorkCalendar(calendar or Calendar(), at.date() - timedelta(days=7), days=days)
        work += int(wc.index_of(wc.minutes(end))) - int(wc.index_of(wc.minutes(at)))
        at = end
    return round(work / wc.minutes_per_day, 4)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cum, q)), v.size - 1)])


def _days(task: Task) -> float:
    return task.duration * DAYS_PER_UNIT[task.duration_unit.value]


def estimate(request: EstimateRequest, history: list[tuple[Task, Calendar | None]], *, k: int = 5) -> dict:
    """The `k` finished tasks most like the request (similarity at least MIN_SIMILARITY), and from them:

    - `proposed_duration_days`: what they took, the similarity-weighted median of their actual days;
    - `calibration_factor`: how they overran their estimates, the similarity-weighted mean of their
      actual/estimate ratios (sum of similarity x ratio over sum of similarity);
    - `calibrated_estimate_days`: the request's own `duration` times that factor;
    - `recommended_duration_days` and `use` (calibrated, proposed or yours) with the reason: the calibrated
      estimate when there is one (it keeps your sizing of this task and corrects it by how similar work
      overran), else the proposed duration, else your own."""
    done = [(t, actual_days(t, c)) for t, c in history]
    done = [(t, a) for t, a in done if a > 0]
    docs = [_tokens(t.name, t.description, t.tags) for t, _ in done]
    query = _tokens(request.name, request.description, request.tags)
    result: dict = {
        "method": "local text similarity (TF-IDF over name, description and tags)",
        "history_size": len(done),
        "min_similarity": MIN_SIMILARITY,
        "precedents": [],
        "proposed_duration_days": None,
        "range_days": None,
        "calibration_factor": None,
        "calibrated_estimate_days": None,
    }
    sims = similarities(query, docs) if done else np.zeros(0)
    best = [i for i in np.argsort(-sims, kind="stable")[:k].tolist() if sims[i] >= MIN_SIMILARITY]
    if best:
        actual = np.array([done[i][1] for i in best])
        weight = sims[best]
        result["proposed_duration_days"] = round(_weighted_quantile(actual, weight, 0.5), 2)
        result["range_days"] = {"low": round(float(actual.min()), 2), "high": round(float(actual.max()), 2)}
        sized = [i for i in best if done[i][0].duration > 0]
        if sized:
            ratio = np.array([done[i][1] / _days(done[i][0]) for i in sized])
            w = sims[sized]
            result["calibration_factor"] = round(float((w * ratio).sum() / w.sum()), 4)
        result["precedents"] = [
            {
                "task_id": done[i][0].id,
                "plan_id": done[i][0].plan_id,
                "name": done[i][0].name,
                "similarity": round(float(sims[i]), 4),
                "estimate_days": round(_days(done[i][0]), 4),
                "actual_days": done[i][1],
                "ratio": round(done[i][1] / _days(done[i][0]), 4) if done[i][0].duration > 0 else None,
            }
            for i in best
        ]
    if request.duration is not None and result["calibration_factor"] is not None:
        result["calibrated_estimate_days"] = round(request.duration * result["calibration_factor"], 2)
    if result["calibrated_estimate_days"] is not None:
        use, days = "calibrated", result["calibrated_estimate_days"]
        why = (
            f"your estimate x {result['calibration_factor']:g}, how much similar tasks overran theirs; "
            "the proposed duration is what those tasks took, whatever their size"
        )
    elif result["proposed_duration_days"] is not None:
        use, days = "proposed", result["proposed_duration_days"]
        why = "what similar finished tasks took; give your own estimate to have it calibrated"
    elif request.duration is not None:
        use, days = "yours", request.duration
        why = f"no finished task is similar enough (similarity {MIN_SIMILARITY:g} or more) to correct it"
    else:
        use, days, why = None, None, "no similar finished task and no estimate of yours"
    return result | {"recommended_duration_days": days, "use": use, "reason": why}
