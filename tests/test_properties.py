"""Property tests of the scheduling core (hypothesis): it never crashes on a valid plan, slack is never
negative without constraints or deadlines, critical tasks have zero total slack, and every link holds."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prometheus.core.calendar import WorkCalendar
from prometheus.core.model import Calendar, Dependency, Task
from prometheus.core.scheduler import schedule

START = datetime(2026, 11, 30, 8)


@st.composite
def plans(draw):  # noqa: ANN001, ANN201
    n = draw(st.integers(1, 25))
    tasks = [
        Task(
            id=f"t{i}",
            plan_id="p",
            name=f"T{i}",
            duration=draw(st.sampled_from([0, 0.5, 1, 2, 3, 5, 8])),
            duration_unit=draw(st.sampled_from(["hours", "days", "weeks"])),
        )
        for i in range(n)
    ]
    deps = []
    for k in range(draw(st.integers(0, 2 * n)) if n > 1 else 0):
        a, b = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
        deps.append(
            Dependency(
                id=f"d{k}",
                plan_id="p",
                predecessor_id=f"t{a}",
                successor_id=f"t{b}",
                type=draw(st.sampled_from(["FS", "SS", "FF", "SF"])),
                lag=draw(st.sampled_from([0, 0, 1, 2, 0.5])),
                lag_unit=draw(st.sampled_from(["days", "hours"])),
            )
        )
    return tasks, deps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_schedules_are_consistent(plan) -> None:  # noqa: ANN001
    tasks, deps = plan
    s = schedule(tasks, deps, start=START)
    for t in s.tasks.values():
        assert t.total_slack_minutes >= 0, t
        assert 0 <= t.free_slack_minutes <= t.total_slack_minutes, t
        if (
            t.duration_minutes
        ):  # (a milestone's late date reads as the previous finish: Fri 17:00 = Mon 08:00)
            assert t.early_start <= t.late_start and t.early_finish <= t.late_finish
        assert t.critical == (t.total_slack_minutes <= 0)
        if t.critical:
            assert t.total_slack_minutes == 0
    assert s.project_finish == max(t.early_finish for t in s.tasks.values())
    assert all(s.tasks[x].critical for path in s.critical_paths for x in path)
    wc = WorkCalendar(Calendar(), date(2026, 6, 1))
    index = lambda when: int(wc.index_of(wc.minutes(when)))  # noqa: E731  (Fri 17:00 and Mon 08:00 are one)
    at = {t.id: (index(s.tasks[t.id].early_start), index(s.tasks[t.id].early_finish)) for t in tasks}
    for d in deps:  # every link holds (lags here are not negative: a successor never comes before its source)
        (ps, pf), (ss, sf) = at[d.predecessor_id], at[d.successor_id]
        source = {"FS": pf, "SS": ps, "FF": pf, "SF": ps}[d.type.value]
        target = {"FS": ss, "SS": ss, "FF": sf, "SF": sf}[d.type.value]
        assert target >= source, (d, source, target)
