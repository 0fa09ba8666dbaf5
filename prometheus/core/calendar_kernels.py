"""Compiled (numba) kernels of the working-time conversions in calendar.py: one loop over the values
instead of a dozen NumPy operations, so that converting the few dates of one topological level costs
microseconds (elapsed lags and several calendars convert at every level). The tables are a
`WorkCalendar`'s: working periods per day (`starts`, `ends`, minute of the day), the working minutes of
the day before each period starts and ends, and the cumulative working minutes at each midnight."""

from __future__ import annotations

import numpy as np
from numba import njit

MINUTES_PER_DAY = 1440


@njit(cache=True, nogil=True, inline="always")
def index_at(m, starts, ends, cum, back, zero):  # noqa: ANN001, ANN201
    """Working minutes from the epoch to moment m (minutes since the epoch); the day must be in the table."""
    day = m // MINUTES_PER_DAY + back
    mod = m % MINUTES_PER_DAY
    within = 0
    for j in range(starts.shape[1]):
        a = starts[day, j]
        if mod > a:
            within += min(mod, ends[day, j]) - a
    return cum[day] + within - zero


@njit(cache=True, nogil=True, inline="always")
def _day_of(cum, idx):  # noqa: ANN001, ANN202
    """The last day whose cumulative working minutes are at most idx (`searchsorted(..., "right") - 1`):
    guessed from the average working minutes of a day, then a few steps either way (the working time of
    most calendars grows evenly), a binary search where that does not find it."""
    last = cum.size - 1
    day = min(max(idx * last // max(cum[last], 1), 0), last - 1)
    for _ in range(8):
        if cum[day] > idx:
            day -= 1
        elif cum[day + 1] <= idx:
            day += 1
        else:
            return day
        if day < 0 or day >= last:
            break
    return np.searchsorted(cum, idx, side="right") - 1


@njit(cache=True, nogil=True, inline="always")
def start_at(index, starts, period_start, period_end, cum, back, zero):  # noqa: ANN001, ANN201
    """Minutes since the epoch at which working minute `index` begins; it must be in the table."""
    idx = index + zero
    day = _day_of(cum, idx)
    off = idx - cum[day]
    p = 0
    while p < starts.shape[1] - 1 and off >= period_end[day, p]:
        p += 1
    return (day - back) * MINUTES_PER_DAY + starts[day, p] + off - period_start[day, p]


@njit(cache=True, nogil=True)
def index_of(minutes, starts, ends, cum, back, zero):  # noqa: ANN001, ANN201
    """`index_at` of each moment, 1-D."""
    out = np.empty(minutes.size, dtype=np.int64)
    for i in range(minutes.size):
        out[i] = index_at(minutes[i], starts, ends, cum, back, zero)
    return out


@njit(cache=True, nogil=True)
def start_of(index, starts, period_start, period_end, cum, back, zero):  # noqa: ANN001, ANN201
    """`start_at` of each working index, 1-D."""
    out = np.empty(index.size, dtype=np.int64)
    for i in range(index.size):
        out[i] = start_at(index[i], starts, period_start, period_end, cum, back, zero)
    return out


@njit(cache=True, nogil=True)
def index_of_mixed(k, minutes, starts, ends, cum, back, zero):  # noqa: ANN001, ANN201
    """`index_at` of each moment in the calendar k names (tables stacked by calendar, one day range);
    ok is False when a moment falls outside the tables."""
    out = np.empty(minutes.size, dtype=np.int64)
    for i in range(minutes.size):
        day = minutes[i] // MINUTES_PER_DAY + back
        if day < 0 or day >= starts.shape[1]:
            return out, False
        c = k[i]
        out[i] = index_at(minutes[i], starts[c], ends[c], cum[c], back, zero[c])
    return out, True


@njit(cache=True, nogil=True)
def start_of_mixed(k, index, starts, period_start, period_end, cum, back, zero):  # noqa: ANN001, ANN201
    """`start_at` of each working index in the calendar k names; ok is False outside the tables."""
    out = np.empty(index.size, dtype=np.int64)
    last = cum.shape[1] - 1
    for i in range(index.size):
        c = k[i]
        at = index[i] + zero[c]
        if at < 0 or at >= cum[c, last]:
            return out, False
        out[i] = start_at(index[i], starts[c], period_start[c], period_end[c], cum[c], back, zero[c])
    return out, True
