"""A CSV as Microsoft Project's export and spreadsheets write it: its rows (`spreadsheet_rows`: encodings and
separators), money (`money`) and dates (`iso_dates`, made ISO 8601 for the reader).

Money: a currency sign or code and grouping are dropped (`$1,200.50`, `1.200,50 €`, `CHF 1'200.50`,
`(50.00)` is -50); the decimal mark is the last `.` or `,` when both are there, else a `,` followed by
other than three digits.

ISO dates (`2026-12-01`, `2026-12-01T08:00`) are kept as they are. Otherwise a cell is read as Project's
short date formats write it: a weekday or not, the day, month and year by numbers (`Mon 12/1/26`,
`12/1/2026 8:00 AM`, `01.12.2026 08:00`, `2026/12/01`) or with the month's name (`December 1, 2026`).
Whether `1/12/26` is the 1st of December or the 12th of January is decided once for the whole file, as the
computer that wrote it had one order: a number over 12 in the first place means day first, in the second
month first; else a weekday that fits only one reading decides; else month first (Project's U.S.
format). A file whose cells say both is refused, naming two of them. A cell that reads as no date is left
as it is, for the reader to refuse with its line."""

from __future__ import annotations

import codecs
import csv
import io
import re
from datetime import date, datetime

from dateutil import parser as dates

from prometheus.errors import ValidationFailed

DATE_COLUMNS = ("Start", "Finish", "Constraint Date", "Deadline", "Actual Start", "Actual Finish",
                "Status Date", "Resume")  # fmt: skip
_NUMERIC = re.compile(r"^(?:([A-Za-z]+)\.?,?\s+)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[\sT]+(.+))?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[\sT]+(.+))?$")  # East Asian short dates
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")  # ISO 8601's start: left for the reader to check whole


def _orders(m: re.Match) -> set[bool]:
    """The readings of a numeric date (True: day first) that give a real date, and fit its weekday."""
    weekday, a, b, year = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
    year += 2000 if year < 100 else 0
    fits = set()
    for day_first, (d, mo) in ((True, (a, b)), (False, (b, a))):
        try:
            when = date(year, mo, d)
        except ValueError:
            continue
        named = (weekday or "")[:3].lower()
        if named not in _WEEKDAYS or _WEEKDAYS.index(named) == when.weekday():
            fits.add(day_first)
    return fits


def _reading(cell: str, day_first: bool) -> str:
    """The cell in ISO 8601 (a time only when the cell has one), or the cell itself when it is no date."""
    if len(cell) > _LONGEST:
        return cell
    m, ymd = _NUMERIC.match(cell), _YEAR_FIRST.match(cell)
    try:
        if m or ymd:  # numbers in the order decided (the weekday was only evidence)
            if ymd:
                year, mo, d, clock = int(ymd[1]), int(ymd[2]), int(ymd[3]), ymd[4]
            else:
                a, b, year, clock = int(m[2]), int(m[3]), int(m[4]), m[5]
                d, mo = (a, b) if day_first else (b, a)
            when = datetime(year + (2000 if year < 100 else 0), mo, d)
            if clock:
                t = dates.parse(clock, default=when)
                return t.replace(microsecond=0).isoformat(timespec="minutes")
            return when.date().isoformat()
        if not re.search(r"[A-Za-z]{3}", cell):  # a month's name is needed from here on
            return cell
        parsed = dates.parse(cell, dayfirst=day_first, default=datetime(2000, 1, 1))
        if parsed != dates.parse(cell, dayfirst=day_first, default=datetime(2001, 2, 2)):
            return cell  # no year or no day: not a date to guess
    except (ValueError, OverflowError):
        return cell
    timed = re.search(r"\d:\d\d|\d\s*[AaPp]\.?[Mm]\b", cell)
    return parsed.isoformat(timespec="minutes") if timed else parsed.date().isoformat()


def iso_dates(rows: list[dict], first_line: int = 2) -> None:
    """Each date column's cells of `rows` rewritten in ISO 8601, in place (the file's order decided once)."""
    cells = [(line, col, text) for line, row in enumerate(rows, start=first_line) for col in DATE_COLUMNS
             if (text := (row.get(col) or "").strip()) not in ("", "NA")
             and not ISO_DATE.match(text)]  # fmt: skip
    if not cells:
        return
    evidence: dict[bool, tuple[int, str, str]] = {}
    for line, col, text in cells:
        m = _NUMERIC.match(text)
        fits = _orders(m) if m else set()
        if len(fits) == 1:
            evidence.setdefault(fits.pop(), (line, col, text))
    if len(evidence) == 2:
        (l1, c1, t1), (l2, c2, t2) = evidence[True], evidence[False]
        raise ValidationFailed(
            f"the dates mix day-first and month-first: line {l1} {c1} {t1!r} is day first, "
            f"line {l2} {c2} {t2!r} month first"
        )
    day_first = next(iter(evidence), False)
    for line, col, text in cells:
        rows[line - first_line][col] = _reading(text, day_first)


_AMOUNT = re.compile(r"\d[\d.,' \u00a0\u202f]*")  # digits with their grouping and decimal marks
_LONGEST = 100  # characters: no date or amount is longer (a longer cell is refused, never parsed at length)


def money(cell: str) -> float | None:
    """An amount as Project or a spreadsheet writes it (None for an empty cell); ValueError if none."""
    text = cell.strip()
    if not text or text == "NA":
        return None
    m = _AMOUNT.search(text) if len(text) <= _LONGEST else None
    if not m or re.search(r"\d", text[m.end() :]):
        raise ValueError(f"cannot read the amount {cell[:_LONGEST]!r}")
    digits = re.sub(r"['\s\u00a0\u202f]", "", m.group()).rstrip(".,")
    dot, comma = digits.rfind("."), digits.rfind(",")
    grouped = re.search(r",\d{3}$", digits) and not digits.startswith("0,")  # 1,200 but not 0,500
    if comma > dot and (dot >= 0 or not grouped):  # the comma is the decimal mark
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    value = float(digits)
    return -value if re.search(r"[-(]", text[: m.start()]) else value


def spreadsheet_rows(data: bytes) -> list[dict]:
    """The rows as a spreadsheet saves them: UTF-8 (a byte order mark or none), UTF-16 with its mark (Excel's
    "Unicode Text"), else the Windows code page of Excel's "CSV (Comma delimited)"; cells separated by `,`,
    or by the `;` (where `,` is the decimal comma) or tab that splits the header into more cells."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    header = text.partition("\n")[0]
    sep = max(",;\t", key=lambda d: len(next(csv.reader([header], delimiter=d), [])))
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def blank(row: dict) -> bool:
    """A row of empty cells (a spreadsheet saves the rows it showed, to the widest)."""
    return not any(isinstance(v, str) and v.strip() for v in row.values())
