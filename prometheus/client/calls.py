"""One HTTP call described as data, and how an answer becomes a result.

Every client operation is written once, as a generator that yields `Call`s and receives their results
(errors are thrown into it): the async and the sync client only differ in how they send a call."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import httpx

from prometheus.client.errors import NotFoundError, PrometheusAPIError, raise_for
from prometheus.core.urls import segment

Op = Generator["Call", Any, Any]


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    content: bytes | None = None
    raw: bool = False  # the body itself (bytes), not the envelope's data
    envelope: bool = True  # False: the whole JSON body (e.g. /health)

    def result(self, response: httpx.Response) -> Any:
        raise_for(response)
        if self.raw:
            return response.content
        try:
            body = response.json()
        except ValueError:
            raise PrometheusAPIError(
                response.status_code, "BAD_RESPONSE", f"not a JSON answer: {response.text[:200]!r}"
            ) from None
        if not self.envelope:
            return body
        if not isinstance(body, dict) or "data" not in body:
            raise PrometheusAPIError(response.status_code, "BAD_RESPONSE", "the answer has no data envelope")
        return body["data"]


def seg(value: object) -> str:
    """An id as one segment of an API path (`core/urls.segment`: `../` or `?` in it cannot reach another
    route, a NUL gets the API's own 404); an empty id is a NotFoundError."""
    try:
        return segment(value)
    except ValueError as exc:
        raise NotFoundError(404, "NOT_FOUND", str(exc)) from None


def single(call: Call) -> Op:
    """An operation of one call."""
    return (yield call)


def params(**values: Any) -> dict:
    """Query parameters without the ones left out (None)."""
    return {k: v for k, v in values.items() if v is not None}


def if_match(version: int | None) -> dict:
    return {"If-Match": f'"{version}"'} if version is not None else {}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out
