"""Split tasks (Microsoft Project): a task whose work pauses. Its pauses are measured in working time of the
task's calendar from its start, so a task moved by its links keeps its parts; its span is its work plus
every pause that begins before the work is done."""

from __future__ import annotations

from prometheus.core.model import TaskSplit


def pauses(splits: list[TaskSplit]) -> list[tuple[int, int]]:
    """A task's pauses as (working minutes from its start, working minutes long)."""
    return [(round(s.at * 60), round(s.hours * 60)) for s in splits]


def split_span(work: int, gaps: list[tuple[int, int]]) -> int:
    """Working minutes from the start to the finish of `work` minutes of work paused by `gaps` (in order):
    a pause that begins once the work is done is no pause."""
    end = work
    for at, length in gaps:
        if at >= end:
            break
        end += length
    return end


def parts(span: int, gaps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The worked parts of a split task spanning `span` working minutes, as (start, end) working-minute
    offsets from its start."""
    out, begin = [], 0
    for at, length in gaps:
        if at >= span or at + length >= span:
            break
        out.append((begin, at))
        begin = at + length
    out.append((begin, span))
    return out
