"""History-based estimation: similar finished tasks (TF-IDF over their words), what they really took, and
a calibration factor learned from estimate/actual ratios. Runs locally, no service needed."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

import numpy as np

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Calendar, EstimateRequest, Task
from prometheus.core.text import similarities, words

_DAYS = {"hours": 1 / 8, "days": 1.0, "weeks": 5.0}


def _tokens(name: str, description: str, tags: list[str]) -> list[str]:
    tokens = words(f"{name} {name} {description}")  # the name counts twice
    return tokens + [f"tag:{t.lower()}" for t in tags for _ in range(2)]


def actual_days(task: Task, calendar: Calendar | None) -> float:
    start, finish = task.actual_start.replace(tzinfo=None), task.actual_finish.replace(tzinfo=None)
    wc = WorkCalendar(
        calendar or Calendar(), start.date() - timedelta(days=7), days=max(14, (finish - start).days + 14)
    )
    work = int(wc.index_of(wc.minutes(finish))) - int(wc.index_of(wc.minutes(start)))
    return round(work / wc.minutes_per_day, 4)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cum, q)), v.size - 1)])


def estimate(request: EstimateRequest, history: list[tuple[Task, Calendar | None]], *, k: int = 5) -> dict:
    done = [(t, actual_days(t, c)) for t, c in history]
    done = [(t, a) for t, a in done if a > 0]
    docs = [_tokens(t.name, t.description, t.tags) for t, _ in done]
    query = _tokens(request.name, request.description, request.tags)
    ratios_all = [a / (t.duration * _DAYS[t.duration_unit.value]) for t, a in done if t.duration > 0]
    result: dict = {
        "method": "local text similarity (TF-IDF over name, description and tags)",
        "history_size": len(done),
        "precedents": [],
        "proposed_duration_days": None,
        "range_days": None,
        "calibration_factor": round(median(ratios_all), 4) if ratios_all else None,
        "calibrated_estimate_days": None,
    }
    if done:
        sims = similarities(query, docs)
        best = [i for i in np.argsort(-sims)[:k].tolist() if sims[i] > 0.05]
        if best:
            actual = np.array([done[i][1] for i in best])
            weight = sims[best]
            ratios = [
                done[i][1] / (done[i][0].duration * _DAYS[done[i][0].duration_unit.value])
                for i in best
                if done[i][0].duration > 0
            ]
            if ratios:
                result["calibration_factor"] = round(median(ratios), 4)
            result["proposed_duration_days"] = round(_weighted_quantile(actual, weight, 0.5), 2)
            result["range_days"] = {
                "low": round(float(actual.min()), 2),
                "high": round(float(actual.max()), 2),
            }
            result["precedents"] = [
                {
                    "task_id": done[i][0].id,
                    "plan_id": done[i][0].plan_id,
                    "name": done[i][0].name,
                    "similarity": round(float(sims[i]), 4),
                    "estimate_days": round(done[i][0].duration * _DAYS[done[i][0].duration_unit.value], 4),
                    "actual_days": done[i][1],
                }
                for i in best
            ]
    if request.duration is not None and result["calibration_factor"] is not None:
        result["calibrated_estimate_days"] = round(request.duration * result["calibration_factor"], 2)
    if result["proposed_duration_days"] is None:
        result["proposed_duration_days"] = result["calibrated_estimate_days"] or request.duration
    return result
