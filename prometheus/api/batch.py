"""Request bodies that are one object or a list of them (bulk writes)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from prometheus.store.bulk import MAX_BATCH

M = TypeVar("M", bound=BaseModel)


@cache
def _many(model: type[BaseModel]) -> TypeAdapter:
    return TypeAdapter(Annotated[list[model], Field(min_length=1, max_length=MAX_BATCH)])  # type: ignore[valid-type]


def parse_one_or_many(model: type[M], body: Any) -> M | list[M]:
    """A JSON object as one `model`, a JSON list as many; errors as FastAPI gives them (loc from "body",
    with the index of each bad row in a list)."""
    try:
        if isinstance(body, list):
            return _many(model).validate_python(body)
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=body) from None


def one_or_many(schema: str) -> dict[str, Any]:
    """The OpenAPI request body of a route taking one `schema` object or a list of them."""
    ref = {"$ref": f"#/components/schemas/{schema}"}
    many = {"type": "array", "items": ref, "minItems": 1, "maxItems": MAX_BATCH}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": [ref, many]}}},
        }
    }
