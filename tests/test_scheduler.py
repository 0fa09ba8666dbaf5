"""The scheduling core on hand-checked examples (Microsoft Project's behaviour)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Calendar, Dependency, Task
from prometheus.core.scheduler import CycleError, schedule


def T(tid: str, duration: float, **kw) -> Task:  # noqa: N802
    return Task(id=tid, plan_id="p", name=tid.upper(), duration=duration, **kw)


def L(a: str, b: str, **kw) -> Dependency:  # noqa: N802
    return Dependency(id=f"{a}-{b}", plan_id="p", predecessor_id=a, successor_id=b, **kw)


FRI = datetime(2026, 11, 27, 8)


def test_one_day_task_on_friday_finishes_friday_and_successor_starts_monday() -> None:
    s = schedule([T("a", 1), T("b", 1)], [L("a", "b")], start=FRI)
    a, b = s.tasks["a"], s.tasks["b"]
    assert (a.early_start, a.early_finish) == (FRI, datetime(2026, 11, 27, 17))
    assert (b.early_start, b.early_finish) == (datetime(2026, 11, 30, 8), datetime(2026, 11, 30, 17))
    assert s.project_finish == datetime(2026, 11, 30, 17)


def test_lunch_break_hours_and_link_types() -> None:
    tasks = [T("a", 1), T("c", 4, duration_unit="hours"), T("d", 1), T("m", 0, milestone=True)]
    deps = [
        L("a", "c", type="SS", lag=2, lag_unit="hours"),
        L("c", "d", lag=1, lag_unit="edays"),
        L("a", "m"),
    ]
    s = schedule(tasks, deps, start=FRI)
    c = s.tasks["c"]
    assert (c.early_start, c.early_finish) == (datetime(2026, 11, 27, 10), datetime(2026, 11, 27, 15))
    assert s.tasks["d"].early_start == datetime(2026, 11, 30, 8)  # Fri 15:00 + 24 h = Sat 15:00 -> Monday
    assert s.tasks["m"].early_start == datetime(
        2026, 11, 27, 17
    )  # a milestone sits at its predecessor's finish
    assert c.total_slack_minutes == 120 and not c.critical


def test_slack_and_all_critical_paths() -> None:
    tasks = [T("s", 1), T("x", 3), T("y", 3), T("z", 1), T("e", 1)]
    deps = [L("s", "x"), L("s", "y"), L("s", "z"), L("x", "e"), L("y", "e"), L("z", "e")]
    sch = schedule(tasks, deps, start=date(2026, 11, 30))
    assert sorted(sch.critical_paths) == [["s", "x", "e"], ["s", "y", "e"]]
    z = sch.tasks["z"]
    assert z.total_slack_minutes == 2 * 480 and z.free_slack_minutes == 2 * 480 and not z.critical
    assert sorted(sch.critical_tasks) == ["e", "s", "x", "y"]


def test_constraints_are_honoured_and_conflicts_reported() -> None:
    tasks = [
        T("a", 3),
        T("b", 1, constraint_type="SNLT", constraint_date=datetime(2026, 12, 1, 8)),
        T("c", 1, constraint_type="SNET", constraint_date=datetime(2026, 12, 9, 8)),
    ]
    s = schedule(tasks, [L("a", "b"), L("a", "c")], start=date(2026, 11, 30))
    assert s.tasks["b"].early_start == datetime(2026, 12, 1, 8)  # before a finishes: the link is violated
    assert s.tasks["c"].early_start == datetime(2026, 12, 9, 8)
    assert [c.task_id for c in s.conflicts] == ["b"] and "SNLT" in s.conflicts[0].message
    assert s.tasks["a"].total_slack_minutes == -2 * 480  # the violated link shows as negative slack on a


def test_project_deadline_gives_negative_slack() -> None:
    s = schedule([T("a", 5)], [], start=date(2026, 11, 30), deadline=date(2026, 12, 2))
    assert s.tasks["a"].total_slack_minutes == -2 * 480
    assert [c.kind for c in s.conflicts] == ["project_deadline"]


def test_summary_tasks_roll_up_and_links_on_summaries_reach_subtasks() -> None:
    tasks = [T("p", 0), T("p1", 2, parent_id="p"), T("p2", 3, parent_id="p"), T("q", 1)]
    s = schedule(tasks, [L("p", "q")], start=date(2026, 11, 30))
    assert s.tasks["p"].summary and s.tasks["p"].start == datetime(2026, 11, 30, 8)
    assert s.tasks["p"].finish == datetime(2026, 12, 2, 17) and s.tasks["p"].duration_minutes == 3 * 480
    assert s.tasks["q"].early_start == datetime(2026, 12, 3, 8)


def test_cycles_name_their_tasks() -> None:
    with pytest.raises(CycleError) as err:
        schedule([T("a", 1), T("b", 1), T("c", 1)], [L("a", "b"), L("b", "c"), L("c", "a")], start=FRI)
    assert set(err.value.cycle) == {"a", "b", "c"} and "'A'" in str(err.value)


def test_calendar_index_round_trip_with_holidays() -> None:
    cal = Calendar(holidays=[date(2026, 12, 25)], working_hours=[(time(9), time(13)), (time(14), time(18))])
    wc = WorkCalendar(cal, date(2026, 12, 1))
    thu = wc.index_of(wc.minutes(datetime(2026, 12, 24, 18)))
    assert wc.datetimes(wc.finish_of(thu)).astype(datetime) == datetime(2026, 12, 24, 18)
    assert wc.datetimes(wc.start_of(thu)).astype(datetime) == datetime(
        2026, 12, 28, 9
    )  # Fri holiday, weekend
    before = wc.index_of(wc.minutes(datetime(2026, 11, 20, 10)))  # before the epoch: negative, still exact
    assert before < 0 and wc.datetimes(wc.start_of(before)).astype(datetime) == datetime(2026, 11, 20, 10)


@pytest.mark.parametrize("seed", range(60))
def test_incremental_duration_change_equals_a_full_reschedule(seed: int) -> None:
    import random

    from prometheus.core.scheduler import Network
    from tests.plan_generator import Features, random_plan_with_resources

    plan = random_plan_with_resources(seed, n=40, features=Features(deadlines=True))
    tasks, deps, start, cal, resources = plan
    net = Network(tasks, deps, start=start, calendar=cal, resources=resources)
    net.solve()
    rng = random.Random(seed)
    for _ in range(3):
        leaves = net.leaves
        victim = rng.choice(leaves)
        new = rng.choice([0, 0.5, 1, 2, 4, 9])
        got = net.set_duration(victim.id, new)
        tasks = [t.model_copy(update={"duration": new}) if t.id == victim.id else t for t in tasks]
        want = schedule(tasks, deps, start=start, calendar=cal, resources=resources)
        assert got.tasks == want.tasks
        assert got.critical_paths == want.critical_paths and got.project_finish == want.project_finish


def test_a_deep_outline_rolls_up_and_a_link_from_its_top_summary_start_is_followed() -> None:
    """3,000 levels of summary tasks (past Python's recursion limit): every summary spans the two tasks
    under it, with their duration-weighted progress; an SS link from the top summary starts its successor
    with the earliest subtask, as Project does."""
    depth = 3000
    tasks = [T(f"s{i}", 1, parent_id=f"s{i - 1}" if i else None) for i in range(depth)]
    tasks += [T("early", 2, parent_id=f"s{depth - 1}", percent_complete=50)]
    tasks += [
        T(
            "late",
            1,
            parent_id=f"s{depth - 1}",
            constraint_type="SNET",
            constraint_date=datetime(2026, 12, 1, 8),
        )
    ]
    tasks += [T("after", 1)]
    s = schedule(tasks, [L("s0", "after", type="SS")], start=FRI)
    early, late = s.tasks["early"], s.tasks["late"]
    for i in (0, depth // 2, depth - 1):
        top = s.tasks[f"s{i}"]
        assert (top.start, top.finish) == (early.start, late.finish)
        assert top.percent_complete == round(50 * 2 / 3, 2)  # 2 days at 50 %, 1 day at 0 %
    assert s.tasks["after"].start == early.start
