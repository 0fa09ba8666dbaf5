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


def hours_on(cal: Calendar, day: date) -> Periods:
    """A calendar's working periods on a date (its exceptions and holidays first, then its weekday)."""
    for e in cal.exceptions:
        if e.date == day:
            return e.working_hours
    return [] if day in cal.holidays else cal.hours_of(day.weekday())


def common_time(a: Calendar, b: Calendar) -> Calendar | None:
    """The calendar of the time both work (None when they never work at the same time of a weekday)."""
    week = {d: _both(a.hours_of(d), b.hours_of(d)) for d in range(7)}
    worked = [d for d in range(7) if week[d]]
    if not worked:
        return None
    usual = max((week[d] for d in worked), key=lambda p: sum(week[d] == p for d in worked))
    holidays, exceptions = [], []
    dated = {e.date for e in (*a.exceptions, *b.exceptions)} | set(a.holidays) | set(b.holidays)
    for day in sorted(dated):
        hours = _both(hours_on(a, day), hours_on(b, day))
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
