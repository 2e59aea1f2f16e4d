"""Timesheet import from CSV: validate every row first, then import all of them in one transaction, or none.

The format (docs/decisions/reports-timesheet-csv.md):

    personnel_number,date,kind,hours,day_off_instead
    P00017,2025-01-01,holiday,8,0
    P00017,2025-01-04,weekend,"7,5",yes

- UTF-8 (a BOM is fine), comma-separated, a header row with exactly these five column names, in any order;
- `personnel_number` — an existing employee's personnel number;
- `date` — YYYY-MM-DD (or DD.MM.YYYY), within the employee's employment;
- `kind` — regular, overtime, weekend or holiday;
- `hours` — 0 to 24, at most two decimals, "." or "," as the decimal mark (quote a value with a comma);
- `day_off_instead` — 1/0, true/false, yes/no, да/нет, or empty (= no): the employee chose another day off
  instead of increased pay (art. 152, 153): allowed for overtime, weekend and holiday work only.

One row per (employee, date, kind); a second row for the same triple in the file is an error, and the hours of
one employee on one date (all kinds) cannot exceed 24. Importing is idempotent: a row for a triple already in
the database replaces its hours and day_off_instead (bulk "upsert" on the unique constraint).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from django.db import transaction

from staff.models import Employee, TimesheetEntry

COLUMNS = ("personnel_number", "date", "kind", "hours", "day_off_instead")
KINDS = tuple(TimesheetEntry.Kind.values)
DAY_OFF_ALLOWED = (TimesheetEntry.Kind.OVERTIME, TimesheetEntry.Kind.WEEKEND, TimesheetEntry.Kind.HOLIDAY)
TRUE_WORDS = {"1", "true", "yes", "y", "да", "д"}
FALSE_WORDS = {"", "0", "false", "no", "n", "нет", "н"}
MAX_HOURS = Decimal(24)
BATCH = 2000


@dataclass(frozen=True)
class ParsedRow:
    line: int
    employee_id: int
    date: dt.date
    kind: str
    hours: Decimal
    day_off_instead: bool


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {text!r} is not YYYY-MM-DD or DD.MM.YYYY")


def _parse_hours(text: str) -> Decimal:
    cleaned = text.strip().replace(",", ".")
    try:
        hours = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"hours {text!r} is not a number") from None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise ValueError(f"hours {text!r} must be between 0 and 24")
    if hours != hours.quantize(Decimal("0.01")):
        raise ValueError(f"hours {text!r} has more than two decimals")
    return hours.quantize(Decimal("0.01"))


def _parse_flag(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"day_off_instead {text!r} is not one of 1/0, true/false, yes/no")


def _records(stream: TextIO) -> Iterator[tuple[int, dict[str, str] | None, str]]:
    """(first line number of the record, the record or None, an error) — line numbers count physical lines,
    so a quoted field spanning lines still points at the line the record starts on."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        yield 1, None, "the file is empty: the header row is missing"
        return
    except csv.Error as exc:
        yield 1, None, f"unreadable CSV: {exc}"
        return
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    if sorted(names) != sorted(COLUMNS):
        yield 1, None, f"the header must name the columns {','.join(COLUMNS)}; found {','.join(names)}"
        return
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"unreadable CSV: {exc}"
            return
        previous_end = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue  # blank lines are allowed
        if len(values) != len(names):
            yield start, None, f"expected {len(names)} values, found {len(values)}"
            continue
        yield start, dict(zip(names, values, strict=True)), ""


def parse_timesheet_csv(stream: TextIO) -> ParseResult:
    """Validate every row; the result holds either all rows or the errors with their line numbers."""
    result = ParseResult()
    raw: list[tuple[int, dict[str, str]]] = []
    for line, record, error in _records(stream):
        if record is None:
            result.errors.append((line, error))
        else:
            raw.append((line, record))
    numbers = {r["personnel_number"].strip() for _, r in raw}
    employees = {
        number: (pk, hire, termination)
        for number, pk, hire, termination in Employee.objects.filter(personnel_number__in=numbers).values_list(
            "personnel_number", "pk", "hire_date", "termination_date"
        )
    }
    seen: dict[tuple[int, dt.date, str], int] = {}
    day_hours: dict[tuple[int, dt.date], Decimal] = {}
    for line, record in raw:
        problems: list[str] = []
        number = record["personnel_number"].strip()
        employee = employees.get(number)
        if employee is None:
            problems.append(f"unknown personnel number {number!r}")
        kind = record["kind"].strip().lower()
        if kind not in KINDS:
            problems.append(f"kind {record['kind']!r} is not one of {', '.join(KINDS)}")
        values: dict[str, object] = {}
        for name, parse in (("date", _parse_date), ("hours", _parse_hours), ("day_off_instead", _parse_flag)):
            try:
                values[name] = parse(record[name])
            except ValueError as exc:
                problems.append(str(exc))
        if values.get("day_off_instead") and kind in KINDS and kind not in DAY_OFF_ALLOWED:
            problems.append("day_off_instead applies to overtime, weekend and holiday work only")
        date = values.get("date")
        if employee is not None and isinstance(date, dt.date):
            _pk, hire, termination = employee
            if date < hire or (termination is not None and date > termination):
                problems.append(f"{number} was not employed on {date.isoformat()}")
        if not problems and employee is not None and isinstance(date, dt.date):
            key = (employee[0], date, kind)
            if key in seen:
                problems.append(f"duplicates line {seen[key]} (same employee, date and kind)")
            else:
                seen[key] = line
                total = day_hours.get(key[:2], Decimal(0)) + values["hours"]  # type: ignore[operator]
                if total > MAX_HOURS:
                    problems.append(f"{number} has more than 24 hours on {date.isoformat()} in this file")
                day_hours[key[:2]] = total
        if problems:
            result.errors.append((line, "; ".join(problems)))
            continue
        result.rows.append(
            ParsedRow(
                line=line,
                employee_id=employee[0],  # type: ignore[index]
                date=date,  # type: ignore[arg-type]
                kind=kind,
                hours=values["hours"],  # type: ignore[arg-type]
                day_off_instead=bool(values["day_off_instead"]),
            )
        )
    result.errors.sort()
    return result


@transaction.atomic
def timesheets_import(*, rows: Iterable[ParsedRow]) -> int:
    """Insert or update the rows in one transaction (all or nothing); return how many were written."""
    entries = [
        TimesheetEntry(
            employee_id=row.employee_id,
            date=row.date,
            kind=row.kind,
            hours=row.hours,
            day_off_instead=row.day_off_instead,
        )
        for row in rows
    ]
    TimesheetEntry.objects.bulk_create(
        entries,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["employee", "date", "kind"],
        update_fields=["hours", "day_off_instead"],
    )
    return len(entries)
