"""Files as Microsoft Project saves them, built in MPXJ and written as MSPDI by MPXJ's writer (calendars with
weekday hours, recurring and working exceptions and work weeks, 24 hours; the project's start time;
resources on their own calendars, night shifts, holidays; units and task types; elapsed durations and lags;
manual tasks; progress; constraints; summaries; task calendars; leveling delays, in random combinations),
read and scheduled as `prometheus schedule FILE` and the import API do: every task starts and finishes when
MPXJ's MicrosoftScheduler says. tests/mspdi_files.py leaves out, and says why, what MPXJ schedules otherwise
than Project."""

from __future__ import annotations

import pytest

from tests import mpxj_oracle

if not mpxj_oracle.available():
    pytest.skip("MPXJ oracle not installed (pip install -e '.[oracle]')", allow_module_level=True)

from tests.mspdi_files import FEATURES, Made, build, disagreements  # noqa: E402

SEEDS = range(40)


@pytest.fixture(scope="module")
def files() -> dict[int, Made]:
    made = {seed: build(seed) for seed in SEEDS}
    return {seed: m for seed, m in made.items() if m.expected}  # a loop through a summary: no schedule


@pytest.mark.parametrize("block", range(4))
def test_files_schedule_as_microsoft_project(files: dict[int, Made], block: int) -> None:
    bad = [(seed, *d) for seed in SEEDS[block::4] if seed in files for d in disagreements(files[seed])]
    assert bad == []


def test_the_files_hold_every_feature(files: dict[int, Made]) -> None:
    assert len(files) >= 35
    assert set().union(*(m.features for m in files.values())) == set(FEATURES)


def test_the_comparison_sees_a_changed_duration(files: dict[int, Made]) -> None:
    """Guard against a vacuous comparison: a file whose tasks last longer disagrees."""
    day = b"<Duration>PT8H0M0S</Duration>"
    made = next(m for m in files.values() if day in m.xml)
    longer = Made(made.xml.replace(day, b"<Duration>PT16H0M0S</Duration>"), made.expected, made.features)
    assert disagreements(made) == [] and disagreements(longer) != []
