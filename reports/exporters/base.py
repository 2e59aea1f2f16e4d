"""What every report kind shares: its parameters, who may run reports, and the employee scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reports.xlsx import MONEY, Report, SummaryRow
from staff import access
from staff.models import Department


@dataclass(frozen=True)
class ReportParams:
    """`user` None means the operator's full view (the `export_report` command without --user)."""

    user: Any
    date_from: dt.date
    date_to: dt.date
    department_id: int | None = None
    language: str | None = None

    @property
    def lang(self) -> str:
        return self.language or settings.LANGUAGE_CODE


def may_run_reports(user: Any) -> bool:
    """HR, and managers (department heads, deputies while a delegation runs, override managers).

    An employee who manages nobody may not run reports (CONTRACT: an employee is refused)."""
    return access.is_active_user(user) and access.supervises(user)


def shows_money(user: Any) -> bool:
    """Whether a report ordered by `user` has its money columns (pay, hourly rates, average earnings and what
    follows from them): only when the requester may see the pay of every row (staff.access.can_see_salary —
    HR and the person themself). That is HR, and the operator's `export_report` without --user. A manager's or
    a deputy's report is about other people, so for them the columns are left out of the header and the rows
    (absent, not blank). A report holding only the requester's own rows could show them; not worth a rule of
    its own (docs/decisions/reports-pay-columns.md)."""
    return user is None or access.is_hr(user)


@dataclass(frozen=True)
class Column:
    title: Any  # a lazy translation, read when the report is built (in the requester's language)
    format: str | None = None  # reports.xlsx.DATE, DATETIME or MONEY; None: General

    @property
    def money(self) -> bool:
        return self.format == MONEY


def make_report(
    *,
    kind: str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    total: int,
    params: ReportParams,
) -> Report:
    """The report with every column, or, for a requester who may not see pay, without the money columns.

    The builder passes None in the money cells it did not compute for such a requester; they are dropped
    from every row here, so no exporter can forget one."""
    keep = [index for index, column in enumerate(columns) if shows_money(params.user) or not column.money]
    if len(keep) < len(columns):
        rows = _only(rows, keep)
    return Report(
        kind=kind,
        title=title,
        header=[str(columns[index].title) for index in keep],
        rows=rows,
        total=total,
        formats=[columns[index].format for index in keep],
    )


def _only(rows: Iterable[Sequence[Any]], keep: list[int]) -> Iterator[Sequence[Any]]:
    pick = itemgetter(*keep)  # at least two columns stay in every report, so it always returns a tuple
    for row in rows:
        yield SummaryRow(pick(row)) if type(row) is SummaryRow else pick(row)


def scope_q(params: ReportParams, prefix: str = "employee") -> Q:
    """Rows of the employees the report may show, over a model with an `employee` FK (or over Employee
    itself with prefix ""): HR everyone, anyone else the employees `staff.access.visible_employees` gives
    them — for a manager their subtree — narrowed to a department's subtree when one is given."""
    lookup = f"{prefix}__" if prefix else ""
    q = Q()
    user = params.user
    if user is not None and not access.is_hr(user):
        q &= Q(**{f"{lookup}pk__in": access.visible_employees(user).values("pk")})
    if params.department_id is not None:
        path = Department.objects.filter(pk=params.department_id).values_list("path", flat=True).first()
        q &= Q(**{f"{lookup}department__path__startswith": path}) if path else Q(pk__in=[])
    return q


def full_name(last: str, first: str, patronymic: str) -> str:
    return " ".join(p for p in (last, first, patronymic) if p)


def local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: aware datetimes are written as the portal's local wall time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)
