"""How often Prometheus gives a task the start and finish that Microsoft Project stored in the file, next to
MPXJ's MicrosoftScheduler on the same files: point it at real Project files (.mpp, MSPDI .xml, .mpx, .mpd).

    python bench/fidelity.py DIR_OR_FILE... [--jsonl out.jsonl] [--show 5] [--api] [--roundtrip] [--calendars]

Each file is read as `prometheus schedule FILE` reads it (the reader the import API uses too) and scheduled;
the dates Project stored come from MPXJ's reader. With --api each file also goes through
`POST /api/plans/import` and `GET /api/plans/{id}/timeline` (in process, on a new SQLite file), which
must give the same dates. A file Prometheus cannot read or schedule counts its tasks as
disagreeing and is listed. Needs the `oracle` extra and Java 17+."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

SUFFIXES = {".mpp", ".xml", ".mpx", ".mpd", ".mpt"}
PROJECT_TYPES = {"MPP", "MSPDI", "MPX", "MPD"}  # files Microsoft Project wrote (not Primavera, Planner...)


def _py(value) -> datetime | None:  # noqa: ANN001 - a java.time.LocalDateTime
    if value is None:
        return None
    return datetime(
        value.getYear(), value.getMonthValue(), value.getDayOfMonth(), value.getHour(), value.getMinute()
    )


def _features(project) -> set[str]:  # noqa: ANN001
    """What a file holds that Project's scheduling depends on (to split the agreement by kind of file)."""
    out: set[str] = set()
    props = project.getProjectProperties()
    if props.getScheduleFrom() is not None and str(props.getScheduleFrom()) == "FINISH":
        out.add("from finish")
    for t in project.getTasks():
        if t.getNull():
            continue
        if t.getTaskMode() is not None and str(t.getTaskMode()) == "MANUALLY_SCHEDULED":
            out.add("manual")
        if t.getActualStart() is not None:
            out.add("progress")
        lag = t.getLevelingDelay()
        if lag is not None and lag.getDuration() != 0:
            out.add("leveling delay")
        if t.getCalendar() is not None:
            out.add("task calendar")
        if t.getDuration() is not None and "ELAPSED" in str(t.getDuration().getUnits()):
            out.add("elapsed")
    own = any(
        r.getCalendar() is not None and r.getCalendar().getParent() is not None
        for r in project.getResources()
    )
    if own and any(a.getResource() is not None for a in project.getResourceAssignments()):
        out.add("resource calendars")
    return out


def stored(path: Path):  # noqa: ANN201
    """MPXJ's project for a file, and each task's stored (start, finish) by our task id."""
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(str(path))
    if project is None:
        return None, {}
    dates = {}
    for t in project.getTasks():
        if t.getNull() or t.getUniqueID() is None or t.getStart() is None or t.getFinish() is None:
            continue
        if t.getUniqueID().intValue() == 0:  # the project summary task
            continue
        dates[f"t{t.getUniqueID().intValue()}"] = (_py(t.getStart()), _py(t.getFinish()))
    return project, dates


def mpxj_dates(project) -> dict[str, tuple[datetime, datetime]]:  # noqa: ANN001
    from org.mpxj.cpm import MicrosoftScheduler

    MicrosoftScheduler().schedule(project, project.getProjectProperties().getStartDate())
    return {
        f"t{t.getUniqueID().intValue()}": (_py(t.getStart()), _py(t.getFinish()))
        for t in project.getTasks()
        if not t.getNull() and t.getUniqueID() is not None and t.getStart() is not None
    }


def our_dates(path: Path, again: bool = False) -> tuple[dict[str, tuple[datetime, datetime]], dict[str, str]]:
    """Each task's dates as `prometheus schedule FILE` gives them, and its name, by task id (`again`: after
    writing the plan as MSPDI, with its schedule, and reading that back)."""
    from prometheus.core.analysis import schedule_plan
    from prometheus.formats.document import to_document, wbs_order
    from prometheus.formats.mspdi import write_mspdi
    from prometheus.formats.registry import read_plan

    plan = read_plan(path.read_bytes(), path.name)
    s = schedule_plan(plan, date.today())
    names = {t.id: t.name for t in plan.tasks or []}
    was = {}
    if again:  # the writer numbers the tasks 1, 2, ... in outline order: t1, t2, ... when read back
        doc = to_document(plan)
        was = {f"t{i + 1}": t.key for i, (t, _) in enumerate(wbs_order(doc))}
        plan = read_plan(write_mspdi(doc, s), path.name, "mspdi")
        s = schedule_plan(plan, date.today())
    dates = {
        was.get(k, k): (v.start.replace(tzinfo=None), v.finish.replace(tzinfo=None))
        for k, v in s.tasks.items()
    }
    return dates, names


class Api:
    """The service in process (FastAPI's TestClient) on a throwaway SQLite database."""

    def __init__(self) -> None:
        import os
        import tempfile

        from fastapi.testclient import TestClient

        self.tmp = tempfile.TemporaryDirectory()
        os.environ["PROMETHEUS_DATABASE_URL"] = f"sqlite:///{self.tmp.name}/fidelity.db"
        from prometheus.api.app import create_app
        from prometheus.config import Settings

        self.http = TestClient(create_app(Settings()))
        self.http.__enter__()

    def dates(self, path: Path, ours: dict) -> dict[str, tuple[datetime, datetime]]:
        """The timeline's dates after importing the file, by our task ids (matched on name and order)."""
        r = self.http.post("/api/plans/import", params={"filename": path.name}, content=path.read_bytes())
        if r.status_code != 201:
            raise RuntimeError(f"import answered {r.status_code}: {r.text[:200]}")
        rows = self.http.get(f"/api/plans/{r.json()['data']['id']}/timeline").json()["data"]["tasks"]
        dates = {
            i: tuple(datetime.fromisoformat(row[f]).replace(tzinfo=None) for f in ("start", "finish"))
            for i, row in enumerate(rows)
        }
        return matched(dates, {i: row["name"] for i, row in enumerate(rows)}, ours)


def calendars_differing(path: Path, project, days: int = 730) -> list[str]:  # noqa: ANN001
    """The imported calendars (the project's, each resource's) whose working minutes differ from MPXJ's
    reading of the file on a day of the `days` from the project start: 'name date ours theirs'."""
    from datetime import timedelta

    from java.time import LocalDate
    from jpype import JInt
    from org.mpxj import TimeUnit

    from prometheus.core.calendar import WorkCalendar
    from prometheus.formats.registry import detect, import_bytes

    data = path.read_bytes()
    doc = import_bytes(data, detect(path.name, None, data), name=path.stem)
    at = project.getProjectProperties().getStartDate()
    first = date(at.getYear(), at.getMonthValue(), at.getDayOfMonth())
    pairs = [("project", doc.plan.calendar, project.getDefaultCalendar())]
    for r in doc.resources:
        mine = project.getResourceByUniqueID(JInt(int(r.key[1:])))
        pairs.append((r.name, r.calendar, mine.getCalendar() if mine is not None else None))
    out = []
    for name, ours, theirs in pairs:
        if ours is None or theirs is None:
            continue
        starts = WorkCalendar(ours, first).day_starts(first, days)
        for k in range(days):
            day = first + timedelta(days=k)
            want = round(
                float(
                    theirs.getWork(LocalDate.of(day.year, day.month, day.day), TimeUnit.MINUTES).getDuration()
                )
            )
            if int(starts[k + 1] - starts[k]) != want:
                out.append(f"{name} {day} {int(starts[k + 1] - starts[k])} {want}")
                break
    return out


def matched(dates: dict, names: dict[str, str], ours: dict[str, str]) -> dict:
    """`dates` (by their tasks' ids, named by `names`) under our task ids, matched on name and order."""
    by_name: dict[str, list] = {}
    for k, at in dates.items():
        by_name.setdefault(names.get(k), []).append(at)
    return {k: by_name[n].pop(0) for k, n in ours.items() if by_name.get(n)}


def agree(want: dict, got: dict) -> list[str]:
    return [k for k, v in want.items() if got.get(k) == v]


def dates_only(dates: dict) -> dict:
    """The days alone: an MPX file (Project 98) keeps its dates without their times."""
    return {k: tuple(d.date() if d else None for d in v) for k, v in dates.items()}


def files(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args:
        p = Path(a)
        out += sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES) if p.is_dir() else [p]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--jsonl", help="one line per file: its tasks, which agree, and why not")
    ap.add_argument("--show", type=int, default=0, help="print this many disagreeing tasks per file")
    ap.add_argument("--api", action="store_true", help="also import each file through the API")
    ap.add_argument("--calendars", action="store_true", help="also compare every calendar day by day")
    ap.add_argument("--roundtrip", action="store_true", help="also write each plan as MSPDI and read it back")
    a = ap.parse_args()
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM("-Xmx2g")
    totals: Counter = Counter()
    by_feature: dict[str, Counter] = {}
    out = open(a.jsonl, "w") if a.jsonl else None  # noqa: SIM115
    api = Api() if a.api else None
    for path in files(a.paths):
        try:
            project, want = stored(path)
        except Exception:  # noqa: BLE001 - MPXJ cannot read it: not a Project file we can judge
            continue
        if (
            project is None
            or not want
            or str(project.getProjectProperties().getFileType()) not in PROJECT_TYPES
        ):
            continue
        feats = _features(project) or {"plain"}
        t0 = time.perf_counter()
        error = None
        try:
            ours, names = our_dates(path)
        except Exception as exc:  # noqa: BLE001 - counted and listed, never hidden
            ours, names, error = {}, {}, f"{type(exc).__name__}: {exc}"[:300]
        took = time.perf_counter() - t0
        served = {}
        if api is not None and not error:
            try:
                served = api.dates(path, names)
            except Exception as exc:  # noqa: BLE001
                error = f"API: {type(exc).__name__}: {exc}"[:300]
        try:
            theirs = mpxj_dates(project)
        except Exception:  # noqa: BLE001 - MPXJ's scheduler refuses some files (loops, ...)
            theirs = {}
        if a.roundtrip and not error:
            back = our_dates(path, again=True)[0]
            totals["roundtrip_same"] += sum(back.get(k) == v for k, v in ours.items())
            totals["roundtrip_tasks"] += len(ours)
        if a.calendars and not error and project.getProjectProperties().getStartDate() is not None:
            off = calendars_differing(path, project)
            totals["calendars_differing"] += len(off)
            for line in off:
                print(f"{path}: calendar {line}")
        if path.suffix.lower() == ".mpx" and all(
            d.time() == datetime.min.time() for v in want.values() for d in v
        ):
            want, ours, theirs, served = (
                dates_only(want),
                dates_only(ours),
                dates_only(theirs),
                dates_only(served),
            )
        row = Counter(tasks=len(want), ours=len(agree(want, ours)), mpxj=len(agree(want, theirs)), files=1)
        if api is not None:
            row["same_api"] = sum(served.get(k) == v for k, v in ours.items())
            row["ours_tasks"] = len(ours)
        row["whole_ours"] = int(row["ours"] == row["tasks"])
        row["whole_mpxj"] = int(row["mpxj"] == row["tasks"])
        totals += row
        for f in feats:
            by_feature.setdefault(f, Counter()).update(row)
        bad = [k for k in want if ours.get(k) != want[k]]
        if error or bad:
            print(f"{path}: {row['ours']}/{row['tasks']} (MPXJ {row['mpxj']}) {sorted(feats)} {error or ''}")
            for k in bad[: a.show]:
                print(f"    {k}: ours {ours.get(k)} stored {want[k]} mpxj {theirs.get(k)}")
        if out:
            line = {"file": str(path), "features": sorted(feats), "error": error, "seconds": round(took, 3)}
            line |= {"tasks": row["tasks"], "ours": row["ours"], "mpxj": row["mpxj"]}
            line["bad"] = {k: [str(ours.get(k)), str(want[k]), str(theirs.get(k))] for k in bad}
            out.write(json.dumps(line) + "\n")
    print(f"\n{'files':<20}{'n':>6}{'tasks':>8}{'ours':>8}{'MPXJ':>8}{'whole ours':>12}{'whole MPXJ':>12}")
    for name, c in [("all", totals), *sorted(by_feature.items())]:
        t = max(c["tasks"], 1)
        print(
            f"{name:<20}{c['files']:>6}{c['tasks']:>8}{100 * c['ours'] / t:>7.1f}%"
            f"{100 * c['mpxj'] / t:>7.1f}%{c['whole_ours']:>12}{c['whole_mpxj']:>12}"
        )
    if a.roundtrip:
        print(
            f"\nwritten as MSPDI and read back: {totals['roundtrip_same']} of {totals['roundtrip_tasks']}"
            " tasks with the same dates"
        )
    if a.calendars:
        print(f"\ncalendars with a day unlike MPXJ's reading: {totals['calendars_differing']}")
    if api is not None:
        print(
            f"\nthrough the API: {totals['same_api']} of {totals['ours_tasks']} tasks"
            " as `prometheus schedule FILE` gives them"
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
