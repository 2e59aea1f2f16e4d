"""Reading a payroll file (CONTRACT.md `import_payroll`): CSV (UTF-8, `;`, header row) or XLSX, one row at a time,
each row checked on its own and against the rows before it. Reads only; `payroll.services` writes.

Streaming on purpose: the csv module and openpyxl's read-only mode hold one row, so a 50 000-row file takes the
memory of a 5 000-row one (bench/import_payroll.py). The only state that grows is one small integer per row for
the duplicate check.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from hrportal.dates import EARLIEST, LATEST
from payroll import kinds

COLUMNS = ("personnel_number", "month", "kind", "amount", "period_start", "period_end", "document")
REQUIRED = ("personnel_number", "month", "kind", "amount")
# Recalculations and reversals (сторно) of earlier months come as negative lines in a 1С export; a bonus or a
# holiday-work premium is never negative (a withdrawn one is re-imported with its document and 0).
NEGATIVE_ALLOWED = frozenset({kinds.SALARY, kinds.ALLOWANCE, kinds.SICK_PAY, kinds.VACATION_PAY, kinds.OTHER})
MAX_AMOUNT = Decimal("9999999999.99")  # the column's 12 digits
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class FileError(Exception):
    """The file as a whole cannot be read (format, header, encoding); `line` where it was found."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line %(line)s, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Row:
    line: int
    employee_id: int
    month: dt.date
    kind: str
    amount: Decimal
    period_start: dt.date | None
    period_end: dt.date | None
    document: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a personnel number typed as a number in Excel
    return str(value).strip()


def _header(cells: list[Any]) -> dict[str, int]:
    names = [_text(c).lower() for c in cells]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FileError(
            _("the header has no column %(columns)s; expected %(expected)s")
            % {"columns": ", ".join(missing), "expected": ";".join(COLUMNS)}
        )
    return {name: names.index(name) for name in COLUMNS if name in names}


def _csv_rows(file: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=";")
    try:
        try:
            header = _header(next(reader))
        except StopIteration:
            raise FileError(_("the file is empty")) from None
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            yield reader.line_num, {name: cells[i] if i < len(cells) else "" for name, i in header.items()}
    except UnicodeDecodeError:
        raise FileError(_("the file is not UTF-8 text (save the CSV as UTF-8)"), line=reader.line_num + 1) from None
    except csv.Error as exc:
        raise FileError(_("not a readable CSV: %(error)s") % {"error": exc}, line=reader.line_num) from None
    finally:
        text.detach()  # leave the caller's file open: it is read a second time


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError, XML errors… for anything not an xlsx
        raise FileError(_("not a readable XLSX file")) from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise FileError(_("the file is empty"))
        header = _header(list(first))
        for line, cells in enumerate(rows, start=2):
            if not any(_text(c) for c in cells):
                continue
            yield line, {name: cells[i] if i < len(cells) else None for name, i in header.items()}
    finally:
        book.close()


def read_rows(file: IO[bytes], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw cells by column) for each non-empty row after the header, streaming."""
    return _xlsx_rows(file) if name.lower().endswith(".xlsx") else _csv_rows(file)


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        month = dt.date(value.year, value.month, 1)
    else:
        match = MONTH_RE.match(_text(value))
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(_("expected YYYY-MM, got %(value)r") % {"value": _text(value)[:40]})
        month = dt.date(int(match[1]), int(match[2]), 1)
    if not EARLIEST <= month <= LATEST:
        raise ValueError(_("the month is outside %(first)s – %(last)s") % {"first": EARLIEST.year, "last": LATEST.year})
    return month


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if EARLIEST <= day <= LATEST:
            return day
    raise ValueError(_("expected YYYY-MM-DD or DD.MM.YYYY, got %(value)r") % {"value": text[:40]})


def _amount(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
    else:
        # "1 234,56" and "1234.56" alike; spaces (also non-breaking) group thousands in a 1С export.
        text = _text(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("not a number: %(value)r") % {"value": _text(value)[:40]}) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(_("at most two decimal places: %(value)r") % {"value": _text(value)[:40]})
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("too large"))
    return amount


def parse_row(
    line: int, raw: dict[str, Any], *, employees: dict[str, int], seen: dict[int, int]
) -> tuple[Row | None, list[RowError]]:
    """One row checked: every error of it, and against `seen` (key hash → line, updated) a duplicate."""
    errors: list[RowError] = []

    def check(field: str, parse: Any) -> Any:
        try:
            return parse(raw.get(field))
        except ValueError as exc:
            errors.append(RowError(line, field, str(exc)))
            return None

    number = _text(raw.get("personnel_number"))
    employee_id = employees.get(number)
    if employee_id is None:
        message = _("unknown personnel number %(value)r") % {"value": number[:40]} if number else _("required")
        errors.append(RowError(line, "personnel_number", message))
    month = check("month", _month)
    kind = _text(raw.get("kind")).lower()
    if kind not in kinds.KINDS:
        errors.append(
            RowError(
                line,
                "kind",
                _("unknown kind %(value)r; one of %(kinds)s") % {"value": kind[:40], "kinds": ", ".join(kinds.KINDS)},
            )
        )
    amount = check("amount", _amount)
    if amount is not None and amount < 0 and kind in kinds.KINDS and kind not in NEGATIVE_ALLOWED:
        errors.append(RowError(line, "amount", _("a %(kind)s cannot be negative") % {"kind": kind}))
    period_start = check("period_start", _date)
    period_end = check("period_end", _date)
    if (period_start is None) != (period_end is None) and not any(e.field.startswith("period") for e in errors):
        errors.append(RowError(line, "period_end", _("give both ends of the bonus period or neither")))
    elif period_start is not None and period_end is not None and period_end < period_start:
        errors.append(RowError(line, "period_end", _("the period ends before it starts")))
    if kind in kinds.BONUSES_WITH_PERIOD and period_start is None and not errors:
        errors.append(RowError(line, "period_start", _("a quarterly or annual bonus needs the period it is for")))
    if kind in kinds.KINDS and kind not in kinds.BONUSES_WITH_PERIOD | {kinds.BONUS_MONTH} and period_start:
        errors.append(RowError(line, "period_start", _("a bonus period is for bonuses only")))
    document = _text(raw.get("document"))
    if len(document) > 100:
        errors.append(RowError(line, "document", _("at most 100 characters")))
    if employee_id is not None and month is not None and kind in kinds.KINDS:
        key = hash((employee_id, month, kind, document))
        first = seen.setdefault(key, line)
        if first != line:
            errors.append(RowError(line, "document", _("duplicates line %(line)s") % {"line": first}))
    if errors:
        return None, errors
    return (
        Row(
            line=line,
            employee_id=employee_id,  # type: ignore[arg-type]
            month=month,
            kind=kind,
            amount=amount,
            period_start=period_start,
            period_end=period_end,
            document=document,
        ),
        [],
    )
