"""Microsoft Project's task fields, honoured as Project does: manually scheduled tasks keep their dates (links
still drive their successors, and a link that would move one is reported), leveling delay, task calendars,
the project's default start time; checked against MPXJ where its scheduler covers them, else by hand."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from prometheus.core.model import Calendar, Dependency, Task
from prometheus.core.scheduler import schedule
from tests import mpxj_oracle


def task(i: str, d: float, **k) -> Task:  # noqa: ANN003
    return Task(id=i, plan_id="p", name=i, duration=d, **k)


def links(*pairs: tuple[str, str]) -> list[Dependency]:
    return [
        Dependency(id=str(n), plan_id="p", predecessor_id=a, successor_id=b) for n, (a, b) in enumerate(pairs)
    ]


EARLY = {"manual": True, "manual_start": datetime(2026, 12, 1, 8), "manual_finish": datetime(2026, 12, 1, 17)}
LATE = {"manual": True, "manual_start": datetime(2026, 12, 7, 8), "manual_finish": datetime(2026, 12, 8, 17)}


def _manual_plan(fields: dict) -> tuple[list[Task], list[Dependency]]:
    span = 1 if fields is EARLY else 2  # Project keeps a manual task's duration equal to its span
    tasks = [task("A", 2), task("M", span, **fields), task("C", 1), task("X", 6)]
    return tasks, links(("A", "M"), ("M", "C"))


@pytest.mark.parametrize("fields", [EARLY, LATE])
def test_a_manual_task_keeps_its_dates_and_drives_its_successors(fields: dict) -> None:
    s = schedule(*_manual_plan(fields), start=date(2026, 12, 1))
    m, c = s.tasks["M"], s.tasks["C"]
    assert (m.start, m.finish) == (fields["manual_start"], fields["manual_finish"])
    assert c.start == datetime.combine(fields["manual_finish"].date(), time(8)).replace(day=m.finish.day + 1)
    moved = [x for x in s.conflicts if x.kind == "manual"]
    if fields is EARLY:  # A finishes on Dec 2: its link would move M to Dec 3, M stays and it is said
        assert [x.task_id for x in moved] == ["M"] and "2026-12-03 08:00" in moved[0].message
        assert m.total_slack_minutes == 4 * 480 and not m.critical
    else:
        assert moved == [] and m.critical and s.tasks["X"].total_slack_minutes == 480


@pytest.mark.skipif(not mpxj_oracle.available(), reason="needs mpxj and Java")
@pytest.mark.parametrize("fields", [EARLY, LATE])
def test_manual_tasks_against_mpxj(fields: dict) -> None:
    tasks, deps = _manual_plan(fields)
    ours = schedule(tasks, deps, start=datetime(2026, 12, 1, 8))
    for tid, dates in mpxj_oracle.schedule_with_mpxj(tasks, deps, datetime(2026, 12, 1, 8)).items():
        if tid == "A":  # MPXJ's late dates of a manual task's predecessor ignore the link; ours follow it
            dates = {k: v for k, v in dates.items() if not k.startswith("late")}
        assert {k: getattr(ours.tasks[tid], k) for k in dates} == dates, tid


def test_leveling_delay_waits_after_the_links() -> None:
    tasks = [
        task("A", 2),
        task("Elapsed", 1, leveling_delay=2),  # 2 elapsed days from Thu 08:00: Sat 08:00, so Mon 08:00
        task("Working", 1, leveling_delay=1.5, leveling_delay_unit="days"),  # Thu 08:00 + 1.5 d: Fri 13:00
        task("Alone", 1, leveling_delay=4, leveling_delay_unit="hours"),  # from the project start
    ]
    s = schedule(tasks, links(("A", "Elapsed"), ("A", "Working")), start=date(2026, 12, 1))
    assert s.tasks["Elapsed"].start == datetime(2026, 12, 7, 8)
    assert s.tasks["Working"].start == datetime(2026, 12, 4, 13)
    assert s.tasks["Alone"].start == datetime(2026, 12, 1, 13)


def test_a_task_calendar_and_the_default_start_time() -> None:
    weekend = Calendar(name="Weekend", working_days=[5, 6], working_hours=[(time(9), time(15))])
    tasks = [task("Prep", 1), task("Weekend job", 1, calendar=weekend), task("Review", 1)]
    deps = links(("Prep", "Weekend job"), ("Weekend job", "Review"))
    s = schedule(tasks, deps, start=datetime(2026, 12, 4, 9))  # Friday, the working day starts at 09:00
    assert (s.tasks["Prep"].start, s.tasks["Prep"].finish) == (
        datetime(2026, 12, 4, 9),
        datetime(2026, 12, 7, 9),
    )
    # the weekend job waits for the next weekend on its own calendar: 6 h Sat, 2 h Sun
    job = s.tasks["Weekend job"]
    assert (job.start, job.finish) == (datetime(2026, 12, 12, 9), datetime(2026, 12, 13, 11))
    assert s.tasks["Review"].start == datetime(2026, 12, 14, 8)


def test_leveling_never_moves_a_manual_task() -> None:
    from prometheus.core.analysis import leveled
    from prometheus.core.model import Assignment, Plan, Resource

    crew = Resource(id="r", plan_id="p", name="Crew")
    on_crew = [Assignment(resource_id="r")]
    fixed = {
        "manual": True,
        "manual_start": datetime(2026, 12, 1, 8),
        "manual_finish": datetime(2026, 12, 1, 17),
    }
    tasks = [
        task("Manual", 1, assignments=on_crew, priority="low", **fixed),
        task("Auto", 1, assignments=on_crew, priority="high"),
    ]
    plan = Plan(
        id="p", name="p", start_date=date(2026, 12, 1), tasks=tasks, dependencies=[], resources=[crew]
    )
    moved = {m["name"]: m for m in leveled(plan, date(2026, 11, 27))["moved"]}
    assert list(moved) == ["Auto"] and moved["Auto"]["start_after"] == datetime(2026, 12, 2, 8)


def test_the_work_left_starts_again_at_the_resume_date() -> None:
    started = {"actual_start": datetime(2026, 12, 1, 8), "percent_complete": 50, "status": "in_progress"}
    tasks = [task("A", 4, resume=datetime(2026, 12, 7, 8), **started), task("B", 1), task("C", 4, **started)]
    s = schedule(tasks, links(("A", "B")), start=date(2026, 12, 1))
    # 2 days done Tue-Wed, a stop, the 2 days left from Mon Dec 7: ends Tue Dec 8
    assert (s.tasks["A"].start, s.tasks["A"].finish) == (datetime(2026, 12, 1, 8), datetime(2026, 12, 8, 17))
    assert s.tasks["B"].start == datetime(2026, 12, 9, 8)
    assert s.tasks["C"].finish == datetime(2026, 12, 4, 17)  # without a resume date the work runs on
    with_left = [task("A", 4, resume=datetime(2026, 12, 7, 8), remaining_duration=3, **started)]
    assert schedule(with_left, [], start=date(2026, 12, 1)).tasks["A"].finish == datetime(2026, 12, 9, 17)


def test_explain_names_a_manual_schedule_and_a_leveling_delay() -> None:
    from prometheus.core.explain import explain

    tasks = [task("A", 2), task("M", 1, **EARLY), task("L", 1, leveling_delay=2)]
    deps = links(("A", "M"), ("A", "L"))
    s = schedule(tasks, deps, start=datetime(2026, 12, 1, 8))
    m = explain(tasks, deps, s, "M", start=datetime(2026, 12, 1, 8))
    assert "scheduled manually" in m["text"] and "overrides the links from 'A'" in m["text"]
    lv = explain(tasks, deps, s, "L", start=datetime(2026, 12, 1, 8))
    assert "leveling delay of 2 edays after the FS link from 'A'" in lv["text"]
