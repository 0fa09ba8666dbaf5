"""A plan with a bit of everything the file formats carry: a summary, a milestone, links of every type with
lags in every unit, elapsed durations, every constraint, deadlines, progress, a manual task, a split task,
resources with calendars, assignments with their own work, a calendar with holidays and worked dates, notes
with characters files escape, and names at the longest a plan takes."""

from __future__ import annotations

from datetime import date

from prometheus.core.analysis import schedule_plan
from prometheus.core.documents import PlanDocument
from prometheus.core.model import WorkContour
from prometheus.core.scheduler import Schedule
from prometheus.formats.document import to_plan

ODD = "a & b < c > d \"q\" 's' ; , \\ \ttab\nnew\r\nline ☃ 日本 🚀 ]]> --> <![CDATA[ =1+1"
UNITS = ("hours", "days", "weeks", "ehours", "edays", "eweeks")
TYPES = ("FS", "SS", "FF", "SF")
CHAIN = ("a", "b", "c", "d", "e", "f", "g", "h", "ms", "work", "fd")


def varied(long_names: bool = True, calendars: bool = True) -> PlanDocument:
    """The plan; without `calendars`, what a CSV carries: no calendars (the standard one), no splits, no
    assignments' own work, delay, contour or remaining work."""
    calendar = {
        "name": "Cal & <Co>", "weekday_hours": {4: [["08:00", "12:00"]]},
        "holidays": ["2026-12-25", "2027-01-01"],
        "exceptions": [{"date": "2026-12-26", "working_hours": [["09:00", "13:00"]]}],
    }  # fmt: skip
    part_time = {"name": "Part time", "working_days": [0, 2, 4], "holidays": ["2026-12-09"]}
    tail = "X" * 490 if long_names else ""
    tasks = [
        {"key": "sum", "name": "Phase " + tail},
        {"key": "a", "parent": "sum", "name": "=cmd|' /C calc'!A0", "duration": 3, "notes": ODD,
         "assignments": [{"resource": "r1"}, {"resource": "r2", "units": 0.5}]},
        {"key": "b", "parent": "sum", "name": "+b", "duration": 2, "duration_unit": "weeks",
         "constraint_type": "SNET", "constraint_date": "2026-12-03T08:00:00",
         "deadline": "2027-01-20T17:00:00", "actual_start": "2026-12-02T08:00:00", "percent_complete": 25,
         "status": "in_progress"},
        {"key": "c", "parent": "sum", "name": "-c", "duration": 36, "duration_unit": "ehours",
         "constraint_type": "FNLT", "constraint_date": "2027-01-14T17:00:00"},
        {"key": "d", "name": "@d", "duration": 2, "duration_unit": "edays", "constraint_type": "MSO",
         "constraint_date": "2026-12-14T08:00:00"},
        {"key": "e", "name": "e", "duration": 1, "duration_unit": "eweeks", "constraint_type": "MFO",
         "constraint_date": "2027-01-29T17:00:00"},
        {"key": "f", "name": "f", "duration": 4, "duration_unit": "hours", "constraint_type": "SNLT",
         "constraint_date": "2027-02-01T08:00:00"},
        {"key": "g", "name": "g", "constraint_type": "FNET", "constraint_date": "2027-02-02T17:00:00"},
        {"key": "h", "name": "h", "constraint_type": "ALAP"},
        {"key": "ms", "name": "Milestone ◆", "duration": 0, "milestone": True,
         "deadline": "2027-03-01T17:00:00"},
        {"key": "done", "name": "Done", "duration": 2, "actual_start": "2026-12-01T08:00:00",
         "actual_finish": "2026-12-02T17:00:00", "percent_complete": 100, "status": "completed",
         "assignments": [{"resource": "r1"}]},
        {"key": "man", "name": "Manual", "duration": 2, "manual": True,
         "manual_start": "2026-12-07T08:00:00", "manual_finish": "2026-12-08T17:00:00"},
        {"key": "split", "name": "Split", "duration": 4, "splits": [{"at": 8, "hours": 16}],
         "assignments": [{"resource": "r2"}]},
        {"key": "work", "name": "Work", "duration": 2, "work": 24, "effort_driven": True,
         "task_type": "fixed_work",
         "assignments": [{"resource": "r1", "work": 16, "contour": "back_loaded"},
                         {"resource": "r3", "work": 8, "delay": 4}]},
        {"key": "own", "name": "Own calendar", "duration": 2, "calendar": part_time,
         "ignore_resource_calendar": True, "leveling_delay": 2, "leveling_delay_unit": "days"},
        {"key": "cx", "name": "Cancelled", "status": "cancelled", "priority": "critical"},
        {"key": "fd", "name": "Fixed duration", "task_type": "fixed_duration", "priority": "low"},
        {"key": "resumed", "name": "Resumed", "duration": 5, "actual_start": "2026-12-01T08:00:00",
         "percent_complete": 20, "resume": "2026-12-07T08:00:00", "status": "in_progress",
         "remaining_duration": 4, "assignments": [{"resource": "r1", "remaining_work": 0},
                                                  {"resource": "r3", "remaining_work": 32}]},
    ]  # fmt: skip
    links = [
        {"predecessor": p, "successor": s, "type": TYPES[i % 4], "lag": (-1) ** i * (i + 0.5),
         "lag_unit": UNITS[i % 6]}
        for i, (p, s) in enumerate(zip(CHAIN, CHAIN[1:], strict=False))
    ] + [{"predecessor": "sum", "successor": "ms"}]  # fmt: skip
    plan = {
        "name": "Varied & <plan> ☃ " + ("Y" * 480 if long_names else ""), "start_date": "2026-12-01",
        "status_date": "2026-12-03", "end_date": "2027-06-30", "calendar": calendar, "description": ODD,
    }  # fmt: skip
    resources = [
        {"key": "r1", "name": "Ana & Co", "cost_rate": 1234567.25, "calendar": part_time},
        {"key": "r2", "name": "Bo;Smith, J", "availability": 0.5},
        {"key": "r3", "name": "=C"},
    ]
    doc = PlanDocument.model_validate(
        {"plan": plan, "resources": resources, "tasks": tasks, "dependencies": links}
    )
    if not calendars:
        doc.plan.calendar = None
        for r in doc.resources:
            r.calendar = None
        for t in doc.tasks:
            t.calendar, t.splits, t.ignore_resource_calendar = None, [], False
            plain = {"work": None, "delay": 0.0, "contour": WorkContour.flat, "remaining_work": None}
            t.assignments = [a.model_copy(update=plain) for a in t.assignments]
    return doc


def scheduled(doc: PlanDocument) -> Schedule:
    return schedule_plan(to_plan(doc), date(2026, 12, 3))
