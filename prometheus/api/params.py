"""Choices the API's query parameters offer, shared by the routes that take them."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

from prometheus.core.bounds import check_year


class Solver(StrEnum):
    heuristic = "heuristic"
    cpsat = "cpsat"


class TimelineFormat(StrEnum):
    default = "default"
    gantt = "gantt"


class Period(StrEnum):
    day = "day"
    week = "week"


def _in_years(value: date) -> date:
    check_year(value, "date")
    return value


# a date in a query (`?status_date=`): the years a body's dates may have (core/bounds.py), else 422
QueryDate = Annotated[date, AfterValidator(_in_years)]
