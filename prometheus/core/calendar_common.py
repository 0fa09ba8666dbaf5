"""The working time two calendars have in common: Microsoft Project schedules a task that has a calendar of
its own and work resources in the time both its calendar and each resource's calendar work (unless the task
ignores its resources' calendars)."""

from __future__ import annotations

from datetime import date, time

from prometheus.core.model import Calendar, CalendarException

Periods = list[tuple[time, time]]


def _spans(periods: Periods) -> list[tuple[int, int]]:
    """Periods as minutes of the day, an end at 00:00 being midnight at the end of the day."""
    return [(a.hour * 60 + a.minute, b.hour * 60 + b.minute or 1440) for a, b in periods]


def _both(a: Periods, b: Periods) -> Periods:
    """The times of day in both lists of periods."""
    out = []
    for x0, x1 in _spans(a):
        for y0, y1 in _spans(b):
            lo, hi = max(x0, y0), min(x1, y1)
            if lo < hi:
                out.append((time(lo // 60, lo % 60), time(hi // 60 % 24, hi % 60)))
    return sorted(out)


def dated_hours(cal: Calendar) -> dict[date, Periods]:
    """A calendar's dated working periods: its holidays (none), then its exceptions, which win over them (the
    last one of a date, as the calendar's tables take it)."""
    return {day: [] for day in cal.holidays} | {e.date: e.working_hours for e in cal.exceptions}


def common_time(a: Calendar, b: Calendar) -> Calendar | None:
    """The calendar of the time both work (None when they never work at the same time of a weekday)."""
    week = {d: _both(a.hours_of(d), b.hours_of(d)) for d in range(7)}
    worked = [d for d in range(7) if week[d]]
    if not worked:
        return None
    usual = max((week[d] for d in worked), key=lambda p: sum(week[d] == p for d in worked))
    holidays, exceptions = [], []
    on_a, on_b = dated_hours(a), dated_hours(b)  # a search of the lists for each date took minutes
    for day in sorted(on_a.keys() | on_b.keys()):
        hours = _both(on_a.get(day, a.hours_of(day.weekday())), on_b.get(day, b.hours_of(day.weekday())))
        if hours != week[day.weekday()]:
            if hours:
                exceptions.append(CalendarException(date=day, working_hours=hours))
            else:
                holidays.append(day)
    return a.model_copy(
        update={
            "name": f"{a.name} & {b.name}",
            "working_days": worked,
            "working_hours": usual,
            "weekday_hours": {d: week[d] for d in worked if week[d] != usual},
            "holidays": holidays,
            "exceptions": exceptions,
        }
    )
