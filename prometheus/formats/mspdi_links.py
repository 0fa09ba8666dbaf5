"""Links as Microsoft Project XML (MSPDI) holds them: each task's PredecessorLink elements."""

from __future__ import annotations

from typing import Any

from lxml import etree

from prometheus.formats.mspdi_values import NS, UNIT_OF_FORMAT, children

# LagFormat 19 (%) and 20 (e%): LinkLag is a percentage of the predecessor's duration, not tenths of minutes
_PERCENT = {19: "percent", 20: "epercent"}


def read_links(
    task: etree._Element, key: str, per: dict[str, float], types: dict[int, str]
) -> list[dict[str, Any]]:
    """The links to the task `key` (element `task`) from its predecessors, as DocLink's fields (a percent
    lag as its percentage, until `percent_lags` makes it a duration)."""
    links = []
    for link in task.iterchildren(f"{{{NS}}}PredecessorLink"):
        get = children(link).get
        fmt = int(get("LagFormat") or 7)
        lag = float(get("LinkLag") or 0)
        unit = _PERCENT.get(fmt) or UNIT_OF_FORMAT.get(fmt, "days")
        links.append(
            dict(
                predecessor=f"t{get('PredecessorUID')}",
                successor=key,
                type=types.get(int(get("Type") or 1), "FS"),
                lag=lag if fmt in _PERCENT else round(lag / 10 / per[unit], 6),
                lag_unit=unit,
            )
        )
    return links


def percent_lag(percent: float, elapsed: bool, duration: float, unit: str) -> tuple[float, str]:
    """A lag of `percent` of its predecessor's duration (`duration` in `unit`), in the predecessor's duration
    unit (elapsed for e%, `elapsed`), as Microsoft Project measures it: -75% after a 15-day task is -11.25
    days."""
    if elapsed and not unit.startswith("e"):
        unit = f"e{unit}"
    return round(duration * percent / 100, 6), unit


def percent_lags(links: list[dict[str, Any]], tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`links` with each percent lag made that part of its predecessor's duration (`percent_lag`)."""
    duration = {t["key"]: (t["duration"], t["duration_unit"]) for t in tasks}
    for link in links:
        if link["lag_unit"] in _PERCENT.values():
            days, unit = duration.get(link["predecessor"], (0.0, "days"))
            elapsed = link["lag_unit"] == "epercent"
            link["lag"], link["lag_unit"] = percent_lag(link["lag"], elapsed, days, unit)
    return links
