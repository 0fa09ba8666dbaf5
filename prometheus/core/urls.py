"""An id put into a URL path stays one segment of it, whatever it holds."""

from __future__ import annotations

from urllib.parse import quote


def segment(value: object) -> str:
    """`value` percent-encoded as one path segment: a `/`, `?`, `#` or `%` it holds is encoded, and so are
    the dots of `.` and `..` (which clients resolve away), so an id cannot reach another path or route;
    a NUL goes as `%00`, which the API answers by its own rule. Empty: ValueError (it names nothing)."""
    text = str(value)
    if not text:
        raise ValueError("an empty id names nothing")
    encoded = quote(text, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded
