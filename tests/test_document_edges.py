"""Every text, list and date field of the portable form is held to the edges of any input (no NUL, dates
within 1900..2200), whether a part is made alone or in a whole document (as the file readers make them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from prometheus.core.documents import DocAssignment, DocLink, DocPlan, DocResource, DocTask, PlanDocument

VALID: dict[type[BaseModel], dict[str, Any]] = {
    DocTask: {"key": "t1", "name": "A"},
    DocLink: {"predecessor": "t1", "successor": "t2"},
    DocResource: {"key": "r1", "name": "R"},
    DocPlan: {"name": "P"},
    DocAssignment: {"resource": "r1"},
}
TEXTS = {
    DocTask: ["key", "parent", "name", "description", "notes"],
    DocLink: ["predecessor", "successor"],
    DocResource: ["key", "name"],
    DocPlan: ["name", "description"],
    DocAssignment: ["resource"],
}
LISTS = {DocTask: ["tags", "required_skills"], DocResource: ["skills"], DocPlan: ["tags"]}
DATES = {
    DocTask: ["deadline", "actual_start", "actual_finish", "manual_start", "manual_finish", "resume"],
    DocPlan: ["start_date", "end_date", "status_date"],
}

CASES = (
    [(m, f, "a\x00b", "NUL") for m, fields in TEXTS.items() for f in fields]
    + [(m, f, ["ok", "a\x00"], "NUL") for m, fields in LISTS.items() for f in fields]
    + [(m, f, {"k": ["\x00"]}, "NUL") for m in (DocTask, DocResource, DocPlan) for f in ["metadata"]]
    + [(m, f, "9999-01-01T00:00:00", "2200") for m, fields in DATES.items() for f in fields]
    + [(m, f, "1899-12-31T00:00:00", "1900") for m, fields in DATES.items() for f in fields]
)


@pytest.mark.parametrize("model,field,value,needle", CASES)
def test_every_field_is_held_to_the_edges(
    model: type[BaseModel], field: str, value: Any, needle: str
) -> None:
    if model is DocPlan and field.endswith("date"):
        value = value[:10]
    with pytest.raises(ValidationError, match=needle):
        model.model_validate(VALID[model] | {field: value})


@pytest.mark.parametrize("part", ["tasks", "dependencies", "resources"])
def test_a_whole_document_holds_its_parts_to_the_edges(part: str) -> None:
    model = {"tasks": DocTask, "dependencies": DocLink, "resources": DocResource}[part]
    bad = VALID[model] | {TEXTS[model][-1]: "x\x00"}
    with pytest.raises(ValidationError, match="NUL") as caught:
        PlanDocument.model_validate({"plan": {"name": "P"}, part: [VALID[model], bad]})
    assert caught.value.errors()[0]["loc"][:2] == (part, 1)


def test_the_edges_themselves_are_accepted() -> None:
    task = DocTask.model_validate(
        VALID[DocTask] | {"deadline": datetime(2200, 12, 31), "actual_start": datetime(1900, 1, 1)}
    )
    assert task.deadline == datetime(2200, 12, 31)
    assert DocPlan.model_validate({"name": "P", "start_date": date(1900, 1, 1)}).start_date.year == 1900


def test_an_elements_fields_are_its_first_children_in_mspdis_namespace() -> None:
    from lxml import etree

    from prometheus.formats.mspdi_values import NS, children, forget_elements

    task = etree.fromstring(
        f'<Task xmlns="{NS}" xmlns:x="urn:other"><x:Name>other</x:Name><!-- a note --><Name>first</Name>'
        "<UID>7</UID><Name>second</Name></Task>"
    )
    try:
        fields = children(task)
        assert (fields.get("Name"), fields.get("UID"), fields.get("Notes")) == ("first", "7", None)
        assert set(fields) - {None} == {"Name", "UID"}  # not the other Name, nor the comment
    finally:
        forget_elements()
