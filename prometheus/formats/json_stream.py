"""The JSON plan document, parsed as a stream (ijson): its size and nesting are checked before anything is
built, each task is validated as it is read, and NaN/Infinity (not JSON) are refused."""

from __future__ import annotations

import codecs

import ijson
from pydantic import BaseModel, ValidationError

from prometheus.core.documents import DocLink, DocResource, DocTask, PlanDocument
from prometheus.core.portable import check_size
from prometheus.errors import ValidationFailed
from prometheus.formats.document import refused

MAX_DEPTH = 64  # nesting of the document (a plan needs about 6; metadata has its own, lower bound)
_LISTS = {"tasks": DocTask, "dependencies": DocLink, "resources": DocResource}


def _scan(data: bytes) -> tuple[set[str], dict[str, int]]:
    """One pass over the events, building nothing: the top-level keys and how many items each list has.
    `basic_parse` builds no prefixes: a prefix is as long as the nesting is deep, and the parser makes the
    events of a whole buffer before the first is seen, so prefixes made a hostile nesting cost O(depth²)."""
    depth, keys, counts = 0, set(), dict.fromkeys(_LISTS, 0)
    key, listed = None, None  # the top-level key being read; the list of items it opened
    for event, value in ijson.basic_parse(data, use_float=True):  # ints: C longs (a longer one is an error)
        if event in ("start_map", "start_array"):
            if event == "start_map" and depth == 2 and listed is not None:
                counts[listed] += 1
            elif event == "start_array" and depth == 1 and key in counts:
                listed = key
            depth += 1
            if depth > MAX_DEPTH:
                raise ValidationFailed(f"the document is nested deeper than {MAX_DEPTH} levels")
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 1:
                listed = None
        elif event == "map_key" and depth == 1:
            keys.add(value)
            key = value
    return keys, counts


def _items(data: bytes, key: str, model: type[BaseModel]) -> list[BaseModel]:
    out = []
    for i, raw in enumerate(ijson.items(data, f"{key}.item", use_float=True)):
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            why = refused(exc, at=f"{key}[{i}]")
            raise ValidationFailed(f"not a Prometheus plan document: {why}") from None
    return out


# the marks of UTF-32 first: UTF-32LE's begins as UTF-16LE's does
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def _utf8(data: bytes) -> bytes:
    """The document as UTF-8: a UTF-8 byte order mark taken off (RFC 8259 lets a reader ignore it; Notepad
    writes one), a text marked UTF-16 or UTF-32 (Windows PowerShell's `>` writes UTF-16) in UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    for mark, codec in _MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec).encode()
            except UnicodeError as exc:
                raise ValidationFailed(f"not valid JSON: {exc}", http_status=400) from None
    return data


def read_json_document(data: bytes) -> PlanDocument:
    data = _utf8(data)
    try:
        keys, counts = _scan(data)
        if not keys and not data.lstrip().startswith(b"{"):
            raise ValidationFailed("not a Prometheus plan document: the JSON is not an object")
        check_size(counts["tasks"], counts["dependencies"], counts["resources"])
        fields: dict = {k: next(ijson.items(data, k, use_float=True)) for k in keys - set(_LISTS)}
        for key, model in _LISTS.items():
            if key in keys:
                fields[key] = _items(data, key, model)
    except ijson.JSONError as exc:
        raise ValidationFailed(f"not valid JSON: {exc}", http_status=400) from None
    try:
        return PlanDocument.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailed(f"not a Prometheus plan document: {refused(exc)}") from None
