"""Calendars in Microsoft Project XML (MSPDI): weekdays with their own hours, derived (resource) calendars
over their base calendar, exceptions (holidays and worked dates) with their recurrences expanded."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from dateutil import rrule
from lxml import etree

from prometheus.core.model import Calendar, CalendarException
from prometheus.errors import ValidationFailed
from prometheus.formats.mspdi_values import NS, XmlOut

Periods = list[tuple[time, time]]
_RR_DAYS = (rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA)  # MSPDI counts from Sunday
_POSITION = (1, 2, 3, 4, -1)  # MonthPosition: first .. fourth, last
_MONTH_ITEM = {0: _RR_DAYS, 1: _RR_DAYS[1:6], 2: (rrule.SA, rrule.SU)}  # day, weekday, weekend day


def _t(el: etree._Element | None, tag: str) -> str | None:
    found = None if el is None else el.find(f"{{{NS}}}{tag}")
    return found.text if found is not None and found.text is not None else None


def _int(el: etree._Element, tag: str, default: int) -> int:
    return int(_t(el, tag) or default)


def _periods(el: etree._Element) -> Periods:
    return [
        (time.fromisoformat(_t(w, "FromTime")), time.fromisoformat(_t(w, "ToTime")))
        for w in el.iter(f"{{{NS}}}WorkingTime")
        if _t(w, "FromTime") and _t(w, "ToTime")
    ]


def _day(text: str | None) -> date | None:
    return datetime.fromisoformat(text).date() if text else None


def occurrences(e: etree._Element) -> list[date]:
    """The dates an exception covers: each day of its range, or the days its recurrence picks in it."""
    period = e.find(f"{{{NS}}}TimePeriod")
    first, last = _day(_t(period, "FromDate")), _day(_t(period, "ToDate"))
    if first is None or last is None or last < first:
        return []
    kind, every = _int(e, "Type", 1), max(1, _int(e, "Period", 1))
    month, month_day = _int(e, "Month", 0) + 1, _int(e, "MonthDay", 1)
    item, position = _int(e, "MonthItem", 0), _POSITION[min(4, max(0, _int(e, "MonthPosition", 0)))]
    by_position = {
        "byweekday": _MONTH_ITEM.get(item) or (_RR_DAYS[(item - 3) % 7],),
        "bysetpos": position,
    }
    rules = {
        1: {"freq": rrule.DAILY, "interval": every},
        2: {"freq": rrule.YEARLY, "bymonth": month, "bymonthday": month_day},
        3: {"freq": rrule.YEARLY, "bymonth": month, **by_position},
        4: {"freq": rrule.MONTHLY, "interval": every, "bymonthday": month_day},
        5: {"freq": rrule.MONTHLY, "interval": every, **by_position},
        6: {
            "freq": rrule.WEEKLY,
            "interval": every,
            "wkst": rrule.SU,
            "byweekday": [d for b, d in enumerate(_RR_DAYS) if _int(e, "DaysOfWeek", 0) >> b & 1] or None,
        },
    }
    rule = rules.get(kind, rules[1])
    return [d.date() for d in rrule.rrule(dtstart=first, until=last, **rule)]


class _Week:
    """A calendar being read: the hours of each weekday ([] not worked), days off, worked dates, and the
    hours of dates in its work weeks (Project 2007+: other hours over a range of dates; a derived calendar
    keeps its base calendar's work weeks over its own weekdays, as MPXJ reads them)."""

    def __init__(self, base: _Week | None = None):
        self.hours: dict[int, Periods] = dict(base.hours) if base else {d: [] for d in range(7)}
        self.off: set[date] = set(base.off) if base else set()
        self.worked: dict[date, Periods] = dict(base.worked) if base else {}
        self.weekly: dict[date, Periods] = dict(base.weekly) if base else {}

    def work_week(self, ww: etree._Element) -> None:
        period = ww.find(f"{{{NS}}}TimePeriod")
        first, last = _day(_t(period, "FromDate")), _day(_t(period, "ToDate"))
        if first is None or last is None or last < first or (last - first).days > 100 * 366:
            return
        listed: dict[int, Periods] = {}
        for d in ww.iterfind(f"{{{NS}}}WeekDays/{{{NS}}}WeekDay"):
            kind = _int(d, "DayType", -1)
            if 1 <= kind <= 7:
                day = (kind - 2) % 7
                working = _t(d, "DayWorking") == "1"
                listed[day] = (_periods(d) or self.hours[day] or Calendar().working_hours) if working else []
        for day in rrule.rrule(rrule.DAILY, dtstart=first, until=last):
            if day.weekday() in listed:
                self.weekly[day.date()] = listed[day.weekday()]

    def exception(self, days: list[date], working: bool, periods: Periods) -> None:
        for d in days:
            if working and periods:
                self.worked[d] = periods
                self.off.discard(d)
            else:
                self.off.add(d)
                self.worked.pop(d, None)

    def calendar(self, name: str) -> Calendar | None:
        off, dated = set(self.off), dict(self.worked)
        for day, hours in self.weekly.items():  # exceptions win over work weeks
            if day not in off and day not in dated and hours != self.hours[day.weekday()]:
                if hours:
                    dated[day] = hours
                else:
                    off.add(day)
        worked = [d for d in range(7) if self.hours[d]]
        if not worked:
            return None
        usual = Counter(tuple(self.hours[d]) for d in worked).most_common(1)[0][0]
        return Calendar(
            name=name,
            working_days=worked,
            working_hours=list(usual),
            weekday_hours={d: self.hours[d] for d in worked if tuple(self.hours[d]) != usual},
            holidays=sorted(off),
            exceptions=[CalendarException(date=d, working_hours=p) for d, p in sorted(dated.items())],
        )


def read_calendars(root: etree._Element) -> dict[str, Calendar | None]:
    """Every calendar of the file by UID, a derived calendar laid over its base calendar."""
    elements = {_t(c, "UID"): c for c in root.iter(f"{{{NS}}}Calendar") if _t(c, "UID") is not None}
    weeks: dict[str, _Week] = {}

    def week(uid: str, seen: tuple[str, ...] = ()) -> _Week:
        if uid in weeks:
            return weeks[uid]
        el = elements[uid]
        base_uid = _t(el, "BaseCalendarUID")
        base = week(base_uid, (*seen, uid)) if base_uid in elements and base_uid not in seen else None
        w = _Week(base)
        old_style = []
        for d in el.iterfind(f"{{{NS}}}WeekDays/{{{NS}}}WeekDay"):
            kind, working = _int(d, "DayType", -1), _t(d, "DayWorking") == "1"
            if 1 <= kind <= 7:
                day = (kind - 2) % 7
                w.hours[day] = _periods(d) if working else []
                if working and not w.hours[day]:  # worked on the base calendar's hours, or the default ones
                    w.hours[day] = (base.hours[day] if base else []) or Calendar().working_hours
            elif kind == 0:  # Project 2003's exceptions: a date range, worked or not
                old_style.append(d)
        for ww in el.iterfind(f"{{{NS}}}WorkWeeks/{{{NS}}}WorkWeek"):
            w.work_week(ww)
        exceptions = list(el.iterfind(f"{{{NS}}}Exceptions/{{{NS}}}Exception"))
        dated = [  # newer files carry both forms of the same exceptions
            (e, occurrences(e) if e.tag.endswith("Exception") else occurrences_of_range(e))
            for e in exceptions or old_style
        ]
        for e, days in sorted(dated, key=_precedence):  # the one that decides a date comes last
            w.exception(days, _t(e, "DayWorking") == "1", _periods(e))
        weeks[uid] = w
        return w

    return {uid: week(uid).calendar(_t(el, "Name") or "Standard") for uid, el in elements.items()}


_RECURRENCE_RANK = {6: 0, 4: 1, 5: 1, 2: 2, 3: 2, 1: 3}  # weekly < monthly < yearly < daily


def _precedence(exception: tuple[etree._Element, list[date]]) -> int:
    """Which exception decides a date several cover (Project: a one-day exception, then a daily, yearly,
    monthly and last a weekly recurrence; MPXJ's calendar-exception-precedence-*.mpp files)."""
    e, days = exception
    if len(days) == 1 or not e.tag.endswith("Exception"):
        return 4
    return _RECURRENCE_RANK.get(_int(e, "Type", 1), 3)


def occurrences_of_range(d: etree._Element) -> list[date]:
    """Every day of an old-style exception's range."""
    period = d.find(f"{{{NS}}}TimePeriod")
    first, last = _day(_t(period, "FromDate")), _day(_t(period, "ToDate"))
    if first is None or last is None or last < first:
        return []
    return [x.date() for x in rrule.rrule(rrule.DAILY, dtstart=first, until=last)]


def write_calendar(out: XmlOut, parent: int, uid: int, name: str, cal: Calendar) -> None:
    """One calendar as MSPDI: its weekdays with their hours, each holiday and worked date an exception."""
    sub = out.sub
    c = sub(parent, "Calendar")
    sub(c, "UID", uid)
    sub(c, "Name", name[:512])  # the most the schema's Name holds
    sub(c, "IsBaseCalendar", 1)
    sub(c, "BaseCalendarUID", -1)
    days = sub(c, "WeekDays")
    for ms_day in range(1, 8):  # 1 = Sunday
        hours = cal.hours_of((ms_day - 2) % 7)
        d = sub(days, "WeekDay")
        sub(d, "DayType", ms_day)
        sub(d, "DayWorking", int(bool(hours)))
        _write_periods(out, d, hours, cal.name)
    if not (cal.holidays or cal.exceptions):
        return
    ex = sub(c, "Exceptions")
    dated = [(h, []) for h in cal.holidays] + [(e.date, e.working_hours) for e in cal.exceptions]
    for day, hours in sorted(dated):
        e = sub(ex, "Exception")
        sub(e, "EnteredByOccurrences", 0)
        period = sub(e, "TimePeriod")
        sub(period, "FromDate", datetime.combine(day, time(0)).isoformat())
        sub(period, "ToDate", datetime.combine(day, time(23, 59)).isoformat())
        sub(e, "Occurrences", 1)
        sub(e, "Name", "Working time" if hours else "Holiday")
        sub(e, "Type", 1)
        sub(e, "DayWorking", int(bool(hours)))
        _write_periods(out, e, hours, cal.name)


def _write_periods(out: XmlOut, parent: int, hours: Periods, name: str) -> None:
    """A day's working periods, those that touch joined: Project holds at most 5 a day (more are a
    ValidationFailed naming the calendar)."""
    joined: Periods = []
    for a, b in hours:
        if joined and joined[-1][1] == a:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    if len(joined) > 5:
        raise ValidationFailed(
            f"the calendar {name!r} has {len(joined)} working periods in a day; Microsoft Project holds "
            "at most 5: join some to export the plan as MSPDI"
        )
    if joined:
        sub = out.sub
        times = sub(parent, "WorkingTimes")
        for a, b in joined:
            w = sub(times, "WorkingTime")
            sub(w, "FromTime", a.strftime("%H:%M:%S"))
            sub(w, "ToTime", b.strftime("%H:%M:%S"))
