"""Choices the API's query parameters offer, shared by the routes that take them."""

from enum import StrEnum


class Solver(StrEnum):
    heuristic = "heuristic"
    cpsat = "cpsat"


class TimelineFormat(StrEnum):
    default = "default"
    gantt = "gantt"


class Period(StrEnum):
    day = "day"
    week = "week"
