"""Split tasks (Microsoft Project): a task whose work pauses. Its pauses are measured in working time of the
task's calendar from its start, so a task moved by its links keeps its parts; its span is its work plus
every pause that begins before the work is done."""

from __future__ import annotations

from datetime import datetime, timedelta

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Calendar, Resource, Task, TaskSplit


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


def part_dates(
    start: datetime,
    finish: datetime,
    splits: list[TaskSplit],
    cal: Calendar,
    laid_out: dict[int, WorkCalendar] | None = None,
) -> list[tuple[datetime, datetime]]:
    """The start and finish of each worked part of a split task scheduled from `start` to `finish` on its
    calendar `cal` (`laid_out` keeps calendars laid out between calls)."""
    laid_out = {} if laid_out is None else laid_out
    if id(cal) not in laid_out:
        laid_out[id(cal)] = WorkCalendar(cal, start.date() - timedelta(days=7))
    wc = laid_out[id(cal)]
    first, last = (int(wc.index_of(wc.minutes(m.replace(tzinfo=None)))) for m in (start, finish))
    moment = lambda minute: wc.epoch_dt + timedelta(minutes=int(minute))  # noqa: E731
    return [
        (moment(wc.start_of(first + a)), moment(wc.finish_of(first + b)))
        for a, b in parts(last - first, pauses(splits))
    ]


def task_calendar(task: Task, resources: list[Resource], plan_calendar: Calendar | None) -> Calendar:
    """The calendar a task works on: its own, else its first resource's, else the plan's."""
    if task.calendar is not None:
        return task.calendar
    own = {r.id: r.calendar for r in resources if r.calendar is not None}
    first = next((own[a.resource_id] for a in task.assignments if a.resource_id in own), None)
    return first or plan_calendar or Calendar()
