"""Critical path scheduling, one home for its rules.

- `rules`: what a link, a lag and a date constraint mean (the passes, risk, leveling and RCPSP call it);
- `order`: topological levels and edge groupings;
- `compile` / `compiled`: a plan to arrays, and the frozen `CompiledNetwork` others read;
- `task_times`: task and resource calendars, elapsed durations, leveling delays;
- `passes`: the forward and backward passes (and their incremental versions);
- `reporting` / `results` / `paths`: the `Schedule`, summary roll-up, conflicts and critical paths;
- `network`: `Network` and `schedule()`, which tie them together.
"""

from prometheus.core.cpm.compile import CycleError
from prometheus.core.cpm.compiled import CompiledNetwork
from prometheus.core.cpm.network import Network, schedule
from prometheus.core.cpm.paths import MAX_PATHS
from prometheus.core.cpm.results import Conflict, Schedule, ScheduledTask
from prometheus.core.cpm.rules import ALAP, ASAP, FF, FNET, FNLT, FS, MFO, MSO, SF, SNET, SNLT, SS

__all__ = [
    "ALAP",
    "ASAP",
    "FF",
    "FNET",
    "FNLT",
    "FS",
    "MAX_PATHS",
    "MFO",
    "MSO",
    "SF",
    "SNET",
    "SNLT",
    "SS",
    "CompiledNetwork",
    "Conflict",
    "CycleError",
    "Network",
    "Schedule",
    "ScheduledTask",
    "schedule",
]
