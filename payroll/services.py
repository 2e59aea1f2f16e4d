"""The one writer of payroll accruals: the import of a payroll file (CONTRACT.md `import_payroll`), used by the
management command and the admin's upload form alike.

Two passes over the file: the first checks every row and lists every error; the second, only when there is none
(or with `partial`, for the good rows only), writes in batches inside one transaction. A row's key is (employee,
month, kind, document): importing it again updates its amount and period and keeps HR's `counts` choice, so a
file imported twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payroll import kinds
from payroll.importer import FileError, Row, RowError, parse_row, read_rows
from payroll.models import PayrollAccrual
from staff.models import Employee

Progress = Callable[[str, int], None]  # (phase "checked" | "written", rows so far)


@dataclass
class ImportResult:
    rows: int = 0  # data rows read
    written: int = 0  # rows inserted or updated
    errors: list[RowError] = field(default_factory=list)
    partial: bool = False

    @property
    def skipped(self) -> int:
        return len({e.line for e in self.errors})


def _each(
    file: IO[bytes], name: str, employees: dict[str, int], on_error: Callable[[RowError], None]
) -> Iterator[tuple[int, Row | None]]:
    """Every good row in order; every error to `on_error`. A FileError becomes an error of its line and ends
    the reading."""
    seen: dict[int, int] = {}
    try:
        for line, raw in read_rows(file, name):
            row, row_errors = parse_row(line, raw, employees=employees, seen=seen)
            for error in row_errors:
                on_error(error)
            yield line, row
    except FileError as exc:
        on_error(RowError(exc.line, "file", str(exc)))


def _write(batch: list[Row]) -> int:
    now = timezone.now()
    PayrollAccrual.objects.bulk_create(
        [
            PayrollAccrual(
                employee_id=row.employee_id,
                month=row.month,
                kind=row.kind,
                amount=row.amount,
                period_start=row.period_start,
                period_end=row.period_end,
                document=row.document,
                counts=kinds.COUNTS_BY_DEFAULT[row.kind],
                imported_at=now,
                updated_at=now,
            )
            for row in batch
        ],
        update_conflicts=True,
        unique_fields=["employee", "month", "kind", "document"],
        update_fields=["amount", "period_start", "period_end", "updated_at"],
    )
    return len(batch)


def payroll_import(
    *, file: IO[bytes], name: str, partial: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Import a payroll file (`name` tells CSV from XLSX). Nothing is written when any row is bad, unless
    `partial`: then the good rows are written and the result lists the bad ones. `file` is read twice."""
    every = settings.HRPORTAL["PAYROLL_IMPORT_BATCH"]
    employees = dict(Employee.objects.values_list("personnel_number", "pk"))
    result = ImportResult(partial=partial)
    for _line, _row in _each(file, name, employees, result.errors.append):
        result.rows += 1
        if progress and result.rows % every == 0:
            progress("checked", result.rows)
    if progress:
        progress("checked", result.rows)
    if result.errors and (not partial or any(e.field == "file" for e in result.errors)):
        return result  # nothing written (a file that cannot be read to its end is never imported in part)
    file.seek(0)
    with transaction.atomic():
        batch: list[Row] = []
        for _line, row in _each(file, name, employees, lambda error: None):
            if row is None:
                continue
            batch.append(row)
            if len(batch) == every:
                result.written += _write(batch)
                batch = []
                if progress:
                    progress("written", result.written)
        if batch:
            result.written += _write(batch)
    if progress:
        progress("written", result.written)
    return result
