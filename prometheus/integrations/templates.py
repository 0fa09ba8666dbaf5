"""Prompt templates shipped as files (`prompts/*.json`): each declares its inputs and the shape of the
answer it asks for, which is validated before anyone sees it. Values are inserted as JSON text, never
evaluated, so nothing in a plan can change the template."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel, ValidationError

FOLDER = Path(__file__).resolve().parent / "prompts"
_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")
Level = Literal["high", "medium", "low"]


class Finding(BaseModel):
    title: str
    detail: str = ""
    task_ids: list[str] = Field(default_factory=list)
    severity: Level = "medium"


class AnalysisByType(RootModel[dict[str, list[Finding]]]):
    pass


class BrokenDownTask(BaseModel):
    name: str = Field(min_length=1)
    description: str = ""
    priority: Level = "medium"
    estimated_effort: float = Field(ge=0)
    dependencies: list[str] = Field(default_factory=list)
    requirement_id: str | None = None


class Risk(BaseModel):
    name: str
    description: str = ""
    impact: Level
    probability: Level
    mitigation: str = ""


class RetrospectiveSummary(BaseModel):
    summary: str
    themes: list[str] = Field(default_factory=list)
    root_causes: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)


OUTPUTS: dict[str, type[BaseModel]] = {
    "analysis_by_type": AnalysisByType,
    "task_list": RootModel[list[BrokenDownTask]],
    "risk_list": RootModel[list[Risk]],
    "retrospective_summary": RetrospectiveSummary,
}


class Template(BaseModel):
    name: str
    version: str
    description: str
    inputs: list[str]
    template: str
    output_format: Literal["json", "text"]
    output: str | None = None

    def render(self, **values: Any) -> str:
        missing = set(self.inputs) - set(values)
        extra = set(values) - set(self.inputs)
        if missing or extra:
            raise ValueError(f"template {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        text = {
            k: v if isinstance(v, str) else json.dumps(v, default=str, indent=1) for k, v in values.items()
        }
        return _SLOT.sub(lambda m: text[m.group(1)], self.template)

    def parse(self, answer: str) -> Any:
        """The answer checked against the declared output (JSON templates); ValueError when it is not."""
        if self.output_format == "text":
            return answer
        body = answer.strip()
        fenced = re.search(r"```(?:json)?\s*(.*?)```", body, re.S)  # models like to fence their JSON
        if fenced:
            body = fenced.group(1)
        try:
            return OUTPUTS[self.output].model_validate_json(body).model_dump()
        except ValidationError as exc:
            raise ValueError(f"the answer is not a valid {self.output}: {exc.errors()[:3]}") from None


@cache
def template(name: str) -> Template:
    t = Template.model_validate_json((FOLDER / f"{name}.json").read_text())
    used = set(_SLOT.findall(t.template))
    if used != set(t.inputs) or (t.output_format == "json") != (t.output in OUTPUTS):
        raise ValueError(
            f"template {name}: slots {sorted(used)} do not match inputs {t.inputs}, or bad output"
        )
    return t


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.json"))
