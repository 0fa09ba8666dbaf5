"""The MSPDI writer writes its XML as text (formats.mspdi_values.XmlOut): the file must be what lxml writes
for the same tree (declaration, indentation, escaping, empty elements), stay valid XML whatever the plan's
texts hold, and come back as the plan it was written from."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from lxml import etree

from bench.plans import shaped_plan
from prometheus.core.analysis import schedule_plan
from prometheus.core.documents import PlanDocument
from prometheus.core.model import Plan
from prometheus.formats.document import to_document
from prometheus.formats.mspdi import read_mspdi, write_mspdi
from tests.conftest import add_task, link
from tests.varied_plan import scheduled, varied

NS = {"p": "http://schemas.microsoft.com/project"}
# XML's markup characters, quotes, a CDATA end, line breaks of every kind, tabs, characters XML 1.0 cannot
# hold (C0 controls, U+FFFE, a lone surrogate), others it can (DEL, NEL, line separator, BOM, emoji)
HOSTILE = "a<b>&c;&amp; \"q\" 's' ]]> <!-- x --> one\rtwo\r\nthree\n\tend"
HOSTILE += "\x01\x08\x0b\x1f\ufffe\ud800 \x7f\x85\u2028\ufeff🚀"
KEPT = HOSTILE.translate({c: None for c in (0x01, 0x08, 0x0B, 0x1F, 0xFFFE, 0xD800)})  # what XML holds


def _generated(n: int, with_resources: bool) -> tuple[PlanDocument, object]:
    """bench/plans.py's plan of n tasks (all link types, working and elapsed lags; with resources on
    calendars of their own, assignments and plan holidays) as a document, and its schedule."""
    tasks, deps, kw = shaped_plan(n, "calendars" if with_resources else "elapsed")
    tasks = [t.model_copy(update={"position": i}) for i, t in enumerate(tasks)]
    plan = Plan(id="p", name="Generated", start_date=date(2026, 11, 30), calendar=kw.get("calendar"),
                tasks=tasks, dependencies=deps, resources=kw.get("resources", []))  # fmt: skip
    return to_document(plan), schedule_plan(plan, date(2026, 11, 30))


def _as_lxml_writes(data: bytes) -> bytes:
    """The file parsed (its indentation dropped) and written again by lxml, pretty-printed."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


@pytest.mark.parametrize("which", ["varied", "varied unscheduled", "resources", "no resources"])
def test_the_file_is_what_lxml_writes_for_its_tree(which: str) -> None:
    if which.startswith("varied"):
        doc = varied()
        s = None if "unscheduled" in which else scheduled(doc)
    else:
        doc, s = _generated(60, with_resources=which == "resources")
    data = write_mspdi(doc, s)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<Project xmlns=")
    assert data == _as_lxml_writes(data)
    if which == "no resources":
        assert b"\n  <Resources/>\n  <Assignments/>\n</Project>\n" in data


def test_hostile_texts_make_valid_xml_and_come_back() -> None:
    doc = varied(long_names=False)
    doc.plan.name = "Plan " + HOSTILE
    for t in doc.tasks:
        t.name, t.notes = f"{t.key} {HOSTILE}", HOSTILE
    doc.resources[0].name = "R " + HOSTILE
    doc.resources[0].calendar.name = "C <&> \r\x01"  # (a lone surrogate there: no schedule)
    data = write_mspdi(doc, scheduled(doc))
    root = etree.fromstring(data)  # a strict parser: any character XML cannot hold would fail here
    assert root.findtext("p:Title", namespaces=NS) == "Plan " + KEPT
    assert b"one&#13;two&#13;\ntwo" not in data and b"one&#13;two&#13;\nthree" in data  # \r kept as \r
    assert b"a&lt;b&gt;&amp;c;&amp;amp; \"q\" 's' ]]&gt; &lt;!-- x --&gt;" in data
    again = read_mspdi(data)
    assert again.plan.name == "Plan " + KEPT.strip()
    assert [(t.name, t.notes) for t in again.tasks] == [(f"{t.key} {KEPT}".strip(), KEPT) for t in doc.tasks]
    assert again.resources[0].name == "R " + KEPT.strip()
    assert data == _as_lxml_writes(data)


def test_a_generated_plan_comes_back_with_its_links_assignments_and_dates() -> None:
    doc, s = _generated(300, with_resources=True)
    data = write_mspdi(doc, s)
    again = read_mspdi(data)
    key = {f"t{i + 1}": t.key for i, t in enumerate(doc.tasks)}  # no summaries: UIDs in plan order
    assert [(t.name, t.duration, t.duration_unit) for t in again.tasks] == [
        (t.name, t.duration, t.duration_unit) for t in doc.tasks
    ]
    links = sorted(
        (key[d.predecessor], key[d.successor], d.type, d.lag, d.lag_unit) for d in again.dependencies
    )
    assert links == sorted((d.predecessor, d.successor, d.type, d.lag, d.lag_unit) for d in doc.dependencies)
    names = {r.key: r.name for r in doc.resources}
    names_again = {r.key: r.name for r in again.resources}
    assert [[names_again[a.resource] for a in t.assignments] for t in again.tasks] == [
        [names[a.resource] for a in t.assignments] for t in doc.tasks
    ]
    root = etree.fromstring(data)
    dates = {
        el.findtext("p:Name", namespaces=NS): (
            el.findtext("p:Start", namespaces=NS),
            el.findtext("p:Finish", namespaces=NS),
        )
        for el in root.iterfind("p:Tasks/p:Task", NS)
    }
    by_name = {t.name: s.tasks[t.key] for t in doc.tasks}
    assert dates == {n: (st.start.isoformat(), st.finish.isoformat()) for n, st in by_name.items()}


def test_export_over_http_of_hostile_names_is_valid_xml(api: httpx.Client, plan: dict) -> None:
    pid = plan["id"]
    name = 'a<b>&c "q" ]]> one\rtwo\r\nthree\ttab\x01 🚀'
    first = add_task(api, pid, name, duration=2, notes=name)
    second = add_task(api, pid, "B & <b>", duration=1)
    assert link(api, pid, first["id"], second["id"], type="SS", lag=1).status_code == 201
    r = api.get(f"/plans/{pid}/export", params={"format": "mspdi"})
    assert r.status_code == 200, r.text
    etree.fromstring(r.content)
    back = api.post("/plans/import", params={"format": "mspdi", "include": "plan"}, content=r.content)
    assert back.status_code == 201, back.text
    tasks = sorted(back.json()["data"]["tasks"], key=lambda t: t["position"])
    stored = {t["id"]: t for t in api.get(f"/plans/{pid}/tasks").json()["data"]}[first["id"]]
    assert stored["name"] == name and stored["notes"] == name  # the plan takes \x01, XML 1.0 cannot hold it
    kept = name.replace("\x01", "")
    assert [(t["name"], t["notes"]) for t in tasks] == [(kept, kept), ("B & <b>", "")]
    assert [(d["type"], d["lag"]) for d in back.json()["data"]["dependencies"]] == [("SS", 1.0)]
