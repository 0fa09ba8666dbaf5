"""Working-time arithmetic, vectorized.

Time is measured in whole minutes since an epoch (midnight of a date). A *working index* counts the working
minutes between the epoch and a moment, so durations and working-time lags become plain integer sums.
One index has two readings, exactly as Microsoft Project shows dates: as a start it is the moment the next
working minute begins (Monday 08:00), as a finish it is the moment the previous working minute ends
(Friday 17:00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np

from prometheus.core import calendar_kernels as kernels
from prometheus.core.calendar_tables import TABLES
from prometheus.core.model import Calendar

MINUTES_PER_DAY = 1440
MAX_SPAN_DAYS = 200 * 366  # the most days a schedule's calendar tables span (past them: a SchedulingError)
TOO_LONG = "the schedule would span more than 200 years; check durations and lags"
# days x working periods a day, over all the calendars one schedule lays out (about 66 bytes each over their
# tables: about 1 GB); 400 resource calendars on a plan of 96 years took 2.6 GB, and a plan may have 10,000
MAX_TABLE_CELLS = 16_000_000
# minutes of the clock in one elapsed unit (1 edays = 24 hours, nights, weekends and holidays included)
ELAPSED_MINUTES = {"eminutes": 1, "ehours": 60, "edays": MINUTES_PER_DAY, "eweeks": 7 * MINUTES_PER_DAY}
# a duration unit in days of 8 working hours, for estimates (an elapsed day is one day of the calendar)
DAYS_PER_UNIT = {"hours": 1 / 8, "days": 1.0, "weeks": 5.0, "ehours": 1 / 24, "edays": 1.0, "eweeks": 7.0}


def unit_minutes(minutes_per_day: int, minutes_per_week: int) -> dict[str, int]:
    """The one time-unit table: minutes in one unit of every duration and lag unit, working minutes for
    the working units (a day is the calendar's hours per day, a week its hours per week), minutes of the
    clock for the elapsed ones. Keys are the unit names (`DurationUnit` and `LagUnit` members match)."""
    working = {"minutes": 1, "hours": 60, "days": minutes_per_day, "weeks": minutes_per_week}
    return working | ELAPSED_MINUTES


class SchedulingError(ValueError):
    """A plan that cannot be scheduled as given (too long, nothing to schedule...)."""


def check_cells(calendars: int, days: int, periods: int) -> None:
    """Tables of `calendars` calendars over `days` days of `periods` working periods stay within
    MAX_TABLE_CELLS."""
    if calendars * days * periods > MAX_TABLE_CELLS:
        raise SchedulingError(
            f"the schedule would lay out {calendars:,} calendars of up to {periods} working periods a day "
            f"over {days:,} days, more than {MAX_TABLE_CELLS:,} in all: shorten the plan, or give its "
            "tasks and resources fewer distinct calendars"
        )


class WorkCalendar:
    """A Calendar laid out over a range of days from `epoch`, grown on demand."""

    def __init__(self, calendar: Calendar, epoch: date, days: int = 366):
        self.calendar = calendar
        self.epoch = epoch
        self.epoch_dt = datetime.combine(epoch, datetime.min.time())
        self._epoch64 = np.datetime64(self.epoch_dt, "m")
        self.key = self._definition()  # what the tables depend on, besides their days
        self.minutes_per_day = int(round(calendar.hours_per_day * 60))
        self.minutes_per_week = int(round(calendar.hours_per_week * 60))
        self.days = 0
        self.back = 0  # the table starts `back` days before the epoch, so moments before it work too
        self._build(max(days, 14), 14)

    def _definition(self) -> tuple:
        return (self.calendar.model_dump_json(),)

    @cached_property
    def _layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The working periods of each kind of day (K, P, 2 minute-of-day: the seven weekdays, a holiday,
        then each distinct set of exception hours), the exception dates and the kind of each, the holidays:
        of the calendar as its key says it was (a calendar changed in place since must not lay out tables
        kept under its former key). Each kind is found by its hours in a dict: a list's search made 100,000
        exceptions of distinct hours take hours."""
        calendar = Calendar.model_validate_json(self.key[0])
        kinds = [calendar.hours_of(d) for d in range(7)] + [[]]
        number = {tuple(hours): k for k, hours in reversed(list(enumerate(kinds)))}
        exception_kind: dict[date, int] = {}
        for e in calendar.exceptions:
            hours = tuple(e.working_hours)
            if hours not in number:
                number[hours] = len(kinds)
                kinds.append(list(hours))
            exception_kind[e.date] = number[hours]
        width = max(1, *map(len, kinds))
        table = np.full((len(kinds), width, 2), MINUTES_PER_DAY, dtype=np.int64)  # unused: empty at midnight
        for k, hours in enumerate(kinds):
            for j, (a, b) in enumerate(hours):
                table[k, j] = (a.hour * 60 + a.minute, b.hour * 60 + b.minute or MINUTES_PER_DAY)
        dated = np.array(list(exception_kind), dtype="datetime64[D]")
        dated_kind = np.array(list(exception_kind.values()), dtype=np.int64)
        return table, dated, dated_kind, np.array(sorted(calendar.holidays), dtype="datetime64[D]")

    def _day_kinds(self, days: int, back: int) -> np.ndarray:
        """The kind of each day (a row of `_layout`'s table), from `back` days before the epoch."""
        dates = np.datetime64(self.epoch - timedelta(days=back), "D") + np.arange(days)
        _, dated, dated_kind, holidays = self._layout
        kind = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        kind[np.isin(dates, holidays)] = 7
        if dated.size:
            at = (dated - dates[0]).astype(np.int64)
            inside = (at >= 0) & (at < days)
            kind[at[inside]] = dated_kind[inside]
        return kind

    def _day_periods(self, days: int, back: int) -> tuple[np.ndarray, np.ndarray]:
        """Start and end minute of each working period of each day, (days, P) each, from `back` days
        before the epoch (unused periods: empty at midnight)."""
        kinds, kind = self._layout[0], self._day_kinds(days, back)
        return kinds[kind, :, 0], kinds[kind, :, 1]

    @property
    def width(self) -> int:
        """The most working periods a day of the calendar has."""
        return int(self._layout[0].shape[1])

    def _build(self, days: int, back: int) -> None:
        check_cells(1, days, self.width)
        tables = TABLES.get((*self.key, self.epoch, days, back), self._tables, days, back)
        self._ps, self._pe, self._pl_start, self._pl_end, self._cum = tables
        self.days = days
        self.back = back
        self._zero = int(self._cum[back])  # working minutes in the table before the epoch

    def _tables(self, days: int, back: int) -> tuple[np.ndarray, ...]:
        """Period starts and ends (D, P), the working minutes of the day before each period starts and ends,
        and the working minutes before each midnight (D + 1)."""
        ps, pe = self._day_periods(days, back)
        lengths = pe - ps
        pl_end = np.cumsum(lengths, axis=1)  # working minutes in the day up to each period's end
        cum = np.zeros(days + 1, dtype=np.int64)
        cum[1:] = np.cumsum(lengths.sum(axis=1))
        if cum[-1] == 0 and ps.shape[1]:
            raise SchedulingError("the calendar has no working time")
        return ps, pe, pl_end - lengths, pl_end, cum

    def _ensure_days(self, first_day: int, last_day: int) -> None:
        """Make the table cover days first_day..last_day, counted from the epoch."""
        if first_day < -self.back or last_day >= self.days - self.back:
            back = max(self.back, -first_day + 1)
            ahead = max(self.days - self.back, last_day + 1)
            if back + ahead > MAX_SPAN_DAYS:
                raise SchedulingError(TOO_LONG)
            # doubling where they grow, as far as the span allows
            if back > self.back:
                back = max(back, min(2 * self.back, MAX_SPAN_DAYS - ahead))
            if ahead > self.days - self.back:
                ahead = max(ahead, min(2 * (self.days - self.back), MAX_SPAN_DAYS - back))
            self._build(back + ahead, back)

    def _ensure_index(self, lo: int, hi: int) -> None:
        while lo + self._zero < 0:  # twice as far back, as far as the span allows
            first = -min(2 * self.back, MAX_SPAN_DAYS - (self.days - self.back))
            if -first <= self.back:
                raise SchedulingError(TOO_LONG)
            self._ensure_days(first, 0)
        while hi + self._zero >= self._cum[-1]:  # at least twice as far, or as far as the average day says
            ahead, per_day = self.days - self.back, max(1.0, float(self._cum[-1]) / self.days)
            reach = ahead + int(1.25 * (hi + self._zero - self._cum[-1]) / per_day) + 14
            last = min(max(2 * ahead, reach), MAX_SPAN_DAYS - self.back) - 1
            if last < ahead:
                raise SchedulingError(TOO_LONG)
            self._ensure_days(0, last)

    def tables(self) -> tuple:
        """The arrays the compiled kernels read (calendar_kernels.py), as they stand now."""
        return self._ps, self._pe, self._pl_start, self._pl_end, self._cum, self.back, self._zero

    # -- minutes <-> datetimes ----------------------------------------------------------------------------

    def minutes(self, moment: datetime) -> int:
        if moment.tzinfo is not None:
            moment = moment.replace(tzinfo=None)  # all scheduling is in the plan's wall-clock time
        return int((moment - self.epoch_dt).total_seconds() // 60)

    def datetimes(self, minutes: np.ndarray) -> np.ndarray:
        return self._epoch64 + np.asarray(minutes, dtype=np.int64).astype("timedelta64[m]")

    # -- working index ------------------------------------------------------------------------------------

    def index_of(self, minutes: np.ndarray | int) -> np.ndarray:
        """Working minutes from the epoch to each moment (negative before the epoch)."""
        m = np.asarray(minutes, dtype=np.int64)
        if not m.size:
            return m.copy()
        self._ensure_days(int(m.min()) // MINUTES_PER_DAY, int(m.max()) // MINUTES_PER_DAY + 1)
        flat = kernels.index_of(m.ravel(), self._ps, self._pe, self._cum, self.back, self._zero)
        return flat.reshape(m.shape)

    def start_of(self, index: np.ndarray | int) -> np.ndarray:
        """Minutes since epoch at which working minute `index` begins."""
        idx = np.asarray(index, dtype=np.int64)
        if not idx.size:
            return idx.copy()
        self._ensure_index(int(idx.min()), int(idx.max()))
        flat = kernels.start_of(
            idx.ravel(), self._ps, self._pl_start, self._pl_end, self._cum, self.back, self._zero
        )
        return flat.reshape(idx.shape)

    def finish_of(self, index: np.ndarray | int) -> np.ndarray:
        """Minutes since epoch at which working minute `index - 1` ends (a finish reading of the index)."""
        return self.start_of(np.asarray(index, dtype=np.int64) - 1) + 1

    def day_starts(self, first: date, days: int) -> np.ndarray:
        """The working index at the start of each of `days` days from `first` (one more: the end)."""
        offset = (first - self.epoch).days
        self._ensure_days(offset, offset + days + 1)
        i = offset + self.back
        return self._cum[i : i + days + 1] - self._zero

    def elapsed_shift(self, index: np.ndarray, minutes: np.ndarray, finish: np.ndarray) -> np.ndarray:
        """Index reached by moving elapsed (calendar) minutes from an index read as finish or start."""
        at = np.where(finish, self.finish_of(index), self.start_of(index))
        return self.index_of(at + minutes)

    def duration_minutes(self, value: float, unit: str) -> int:
        """Working minutes of a duration or lag (Microsoft Project: 8 h a day, 40 h a week by default)."""
        factor = unit_minutes(self.minutes_per_day, self.minutes_per_week)[unit.removeprefix("e")]
        return int(round(value * factor))

    @staticmethod
    def elapsed_minutes(value: float, unit: str) -> int:
        return int(round(value * ELAPSED_MINUTES[unit]))


class UnionCalendar(WorkCalendar):
    """Working whenever any of several calendars works: the span of a task whose resources keep different
    hours (each works the task's duration on its own calendar)."""

    def __init__(self, calendars: list[Calendar], epoch: date, days: int = 366):
        self.members = [WorkCalendar(c, epoch, days) for c in calendars]
        super().__init__(calendars[0], epoch, days)

    def _definition(self) -> tuple:
        return ("union", *(m.key[0] for m in self.members))

    @property
    def width(self) -> int:
        """At most the members' periods, and a minute's work and a minute's pause at a time."""
        return min(MINUTES_PER_DAY // 2, sum(m.width for m in self.members))

    def _day_periods(self, days: int, back: int) -> tuple[np.ndarray, np.ndarray]:
        """The periods of each day in which any member works, found once for each distinct combination of
        the members' kinds of day (few: weekdays, holidays, exceptions): a table of every minute of every day
        for each member's period took minutes over 200 years."""
        combo = np.zeros(days, dtype=np.int64)  # the combination of the members' kinds, numbered
        day_kinds = []
        for m in self.members:
            kind = m._day_kinds(days, back)
            combo = np.unique(combo * len(m._layout[0]) + kind, return_inverse=True)[1].reshape(-1)
            day_kinds.append(kind)
        _, first = np.unique(combo, return_index=True)  # a day of each combination
        rows = np.arange(first.size)[:, None]
        working = np.zeros((first.size, MINUTES_PER_DAY + 1), dtype=np.int16)  # members working: changes
        for m, kind in zip(self.members, day_kinds, strict=True):
            periods = m._layout[0][kind[first]]  # (combinations, P, 2); unused periods: empty at midnight
            np.add.at(working, (rows, periods[:, :, 0]), 1)
            np.add.at(working, (rows, periods[:, :, 1]), -1)
        works = np.cumsum(working, axis=1)[:, :MINUTES_PER_DAY] > 0  # (combinations, minutes)
        edges = np.diff(np.pad(works, ((0, 0), (1, 1))).astype(np.int8), axis=1)  # +1 starts, -1 ends
        row_s, at_s = np.nonzero(edges == 1)
        row_e, at_e = np.nonzero(edges == -1)
        counts = np.bincount(row_s, minlength=first.size)
        rank = np.arange(row_s.size) - np.repeat(np.cumsum(counts) - counts, counts)
        width = max(1, int(counts.max()) if first.size else 1)
        ps = np.full((first.size, width), MINUTES_PER_DAY, dtype=np.int64)
        pe = np.full((first.size, width), MINUTES_PER_DAY, dtype=np.int64)
        ps[row_s, rank] = at_s
        pe[row_e, rank] = at_e
        return ps[combo], pe[combo]


class Calendars:
    """Several WorkCalendars on one epoch; operations take, per value, the number of its calendar."""

    def __init__(self, calendars: list[WorkCalendar]):
        self.cals = calendars
        self.single = len(calendars) == 1
        self._stack: tuple | None = None
        self._back = self._ahead = 0

    def _restack(self, back: int, ahead: int) -> None:
        """Lay every calendar out over the same days (`back` before the epoch, `ahead` after) and stack
        their tables (padded with empty periods) for the mixed kernels."""
        if back + ahead > MAX_SPAN_DAYS:
            raise SchedulingError(TOO_LONG)
        check_cells(len(self.cals), back + ahead, max(c.width for c in self.cals))
        for c in self.cals:
            if (c.back, c.days) != (back, back + ahead):
                c._build(back + ahead, back)
        key = ("stacked", *(c.key for c in self.cals), self.cals[0].epoch, back, ahead)
        self._stack = TABLES.get(key, self._stacked_tables)
        self._back, self._ahead = back, ahead

    def _stacked_tables(self) -> tuple[np.ndarray, ...]:
        width = max(c._ps.shape[1] for c in self.cals)

        def stacked(name: str, pad: int | None) -> np.ndarray:
            out = []
            for c in self.cals:
                a = getattr(c, name)
                fill = a[:, -1:] if pad is None else np.full((a.shape[0], 1), pad, dtype=np.int64)
                out.append(np.hstack([a] + [fill] * (width - a.shape[1])))
            return np.stack(out)

        return (
            stacked("_ps", MINUTES_PER_DAY),
            stacked("_pe", MINUTES_PER_DAY),
            stacked("_pl_start", None),
            stacked("_pl_end", None),
            np.stack([c._cum for c in self.cals]),
            np.array([c._zero for c in self.cals], dtype=np.int64),
        )

    def stacked(self) -> tuple:
        """Every calendar's tables on one day range, for the compiled kernels: period starts, ends, the
        working minutes before each period starts and ends, the cumulative minutes (each stacked by
        calendar), the days before the epoch, and each calendar's working minutes before the epoch."""
        if self._stack is None:
            self._restack(max(c.back for c in self.cals), max(c.days - c.back for c in self.cals))
        starts, ends, pstart, pend, cum, zero = self._stack
        return starts, ends, pstart, pend, cum, self._back, zero

    def grow(self) -> bool:
        """Double the days the stacked tables cover before the epoch, and after it while that stays within
        200 years (a compiled pass ran off them); False where they cannot grow."""
        self.stacked()
        back, ahead = 2 * self._back, self._ahead
        if back + 2 * ahead <= MAX_SPAN_DAYS:
            ahead *= 2
        if back + ahead > MAX_SPAN_DAYS:
            return False
        self._restack(back, ahead)
        return True

    def cover(self, days: int) -> None:
        """Stack the tables over at least `days` days after the epoch (up to 200 years in all)."""
        self.stacked()
        ahead = min(days, MAX_SPAN_DAYS - self._back)
        if ahead > self._ahead:
            self._restack(self._back, ahead)

    def day_minutes(self) -> np.ndarray:
        """The average working minutes of a day of each calendar, over its table."""
        return np.array([max(1, int(c._cum[-1])) / c.days for c in self.cals], dtype=np.float64)

    def _mixed(self, name: str, k: np.ndarray, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.int64)
        if self.single:
            return getattr(self.cals[0], name)(values)
        if not values.size:
            return values.copy()
        k = np.ascontiguousarray(np.broadcast_to(k, values.shape), dtype=np.int64).ravel()
        flat = values.ravel()
        if name == "finish_of":
            flat = flat - 1
        while True:
            starts, ends, pstart, pend, cum, _, zero = self.stacked()
            if name == "index_of":
                out, ok = kernels.index_of_mixed(k, flat, starts, ends, cum, self._back, zero)
            else:
                out, ok = kernels.start_of_mixed(k, flat, starts, pstart, pend, cum, self._back, zero)
            if ok:
                break
            if name == "index_of":
                low = bool(flat.min() // MINUTES_PER_DAY < -self._back)
                high = bool(flat.max() // MINUTES_PER_DAY >= self._ahead)
            else:
                at = flat + zero[k]
                low, high = bool((at < 0).any()), bool((at >= cum[k, -1]).any())
            # grown where needed, doubling as each calendar grows, as far as the span allows
            back = min(2 * self._back, MAX_SPAN_DAYS - self._ahead) if low else self._back
            ahead = min(2 * self._ahead, MAX_SPAN_DAYS - back) if high else self._ahead
            if (back, ahead) == (self._back, self._ahead):
                raise SchedulingError(TOO_LONG)
            self._restack(back, ahead)
        if name == "finish_of":
            out += 1
        return out.reshape(values.shape)

    def index_of(self, k: np.ndarray, minutes: np.ndarray) -> np.ndarray:
        return self._mixed("index_of", k, minutes)

    def start_of(self, k: np.ndarray, index: np.ndarray) -> np.ndarray:
        return self._mixed("start_of", k, index)

    def finish_of(self, k: np.ndarray, index: np.ndarray) -> np.ndarray:
        return self._mixed("finish_of", k, index)

    def moment(self, k: np.ndarray, index: np.ndarray, finish: np.ndarray) -> np.ndarray:
        """Minutes since epoch of each index, read as a finish where `finish`, else as a start (a finish
        is the end of the working minute before the index: one conversion for both readings)."""
        back = np.asarray(finish, dtype=np.int64)
        return self.start_of(k, np.asarray(index, dtype=np.int64) - back) + back
