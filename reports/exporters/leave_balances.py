"""Leave balances on a date (date_to), per employee and leave type, with the value of the unused days.

The balances are the leave app's (`leave.selectors.balances_for_employees`: accrued, used, pending,
available). The value of the unused days is the leave reserve: the days earned month by month and not used
(`earned_unused` = accrued − used − pending, not the working-year `available`, which grants a year's whole leave
when it opens — docs/decisions/leave-rules.md) × the employee's average daily earnings by art. 139 and
Regulation No. 922 (`leave.calc.vacation_pay`, the 12 months before the month of date_to), rounded half-up to
kopecks; only for leave paid by average earnings, and only for a positive figure. These two money columns exist
only in a report for a requester who may see everyone's pay (HR; `base.shows_money`): for a manager or a deputy
they are left out and no pay is read.

Employees employed on date_to are listed; they are read in batches of `BATCH` through a server-side cursor,
and each batch costs a fixed number of queries (balances: four; pay rates and absences: one each).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leave import calc
from leave import selectors as leave_selectors
from leave.calc import round_money as money
from leave.calc.dates import add_months, first_of_month
from leave.models import Absence
from reports import conf
from reports.exporters.base import Column, ReportParams, make_report, scope_q, shows_money
from reports.xlsx import MONEY, Report, SummaryRow
from staff.models import Employee
from staff.selectors import current_rates

BATCH = 500
ZERO = Decimal("0.00")
COLUMNS = (
    Column(gettext_lazy("Department")),
    Column(gettext_lazy("Personnel number")),
    Column(gettext_lazy("Employee")),
    Column(gettext_lazy("Leave type")),
    Column(gettext_lazy("Accrued")),
    Column(gettext_lazy("Used")),
    Column(gettext_lazy("Pending")),
    Column(gettext_lazy("Available")),
    Column(gettext_lazy("Average daily earnings, RUB"), MONEY),
    Column(gettext_lazy("Value of unused days, RUB"), MONEY),
)


def employees(params: ReportParams) -> QuerySet[Employee]:
    """Employees in scope employed on date_to, in the order of the report."""
    on = params.date_to
    return (
        Employee.objects.filter(scope_q(params, prefix=""), hire_date__lte=on)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=on))
        .select_related("department", "position")
        .order_by("department__path", "last_name", "first_name", "patronymic", "pk")
    )


def build(params: ReportParams) -> Report:
    types = leave_selectors.balance_types()
    qs = employees(params)
    total = qs.count() * len(types)
    return make_report(
        kind="leave_balances",
        title=_("Leave balances"),
        columns=COLUMNS,
        rows=rows(params, qs, types),
        total=total,
        params=params,
    )


def _batches(qs: QuerySet[Employee]) -> Iterator[list[Employee]]:
    stream = qs.iterator(chunk_size=min(conf.chunk_size(), BATCH))
    while batch := list(islice(stream, BATCH)):
        yield batch


def rows(params: ReportParams, qs: QuerySet[Employee], types: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Every column; for a requester who may not see pay the money cells are None, neither pay rates nor
    absences are read, and nothing is valued (make_report drops the columns)."""
    with_pay = shows_money(params.user)
    on = params.date_to
    month = first_of_month(on)
    period_start = add_months(month, -24)  # the 12 months before, and the 12 before those (item 6)
    calendar = leave_selectors.production_calendar(start=period_start, end=on) if with_pay else None
    type_by_code = {t.code: t for t in types}
    total_value = ZERO
    rates: dict[int, list[calc.Rate]] = {}
    excluded: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for batch in _batches(qs):
        balances = leave_selectors.balances_for_employees(employees=batch, on=on)
        if with_pay:
            rates, excluded = _earnings_inputs([e.pk for e in batch], on=on, since=period_start)
        for employee in batch:
            average: Decimal | None = None
            for balance in balances.get(employee.pk, []):
                leave_type = type_by_code[balance.leave_type]
                value: Decimal | None = None
                daily: Decimal | None = None
                if calendar is not None and leave_type.paid and leave_type.keeps_average_earnings:
                    if average is None:
                        average = calc.vacation_pay(
                            calendar=calendar,
                            start_date=on,
                            days_charged=0,
                            hire_date=employee.hire_date,
                            termination_date=employee.termination_date,
                            rates=rates.get(employee.pk, []),
                            excluded_periods=excluded.get(employee.pk, []),
                        ).average_daily
                    daily = average
                    # The reserve is the month-by-month figure (issue 16), not the working-year entitlement.
                    value = money(daily * balance.earned_unused) if balance.earned_unused > 0 else ZERO
                    total_value += value
                yield (
                    employee.department.name,
                    employee.personnel_number,
                    employee.full_name,
                    leave_type.name_for(params.lang),
                    balance.accrued,
                    balance.used,
                    balance.pending,
                    balance.available,
                    daily,
                    value,
                )
    yield SummaryRow((_("Total for the report"), "", "", "", None, None, None, None, None, total_value))


def _earnings_inputs(
    ids: list[int], *, on: dt.date, since: dt.date
) -> tuple[dict[int, list[calc.Rate]], dict[int, list[tuple[dt.date, dt.date]]]]:
    """The pay rates and the absences (excluded from the average) of a batch of employees: one query each."""
    rates: dict[int, list[calc.Rate]] = defaultdict(list)
    for employee_id, effective_date, fte, salary in (
        current_rates()
        .filter(employee_id__in=ids)
        .order_by("employee_id", "effective_date")
        .values_list("employee_id", "effective_date", "fte", "salary")
    ):
        rates[employee_id].append(calc.Rate(effective_date=effective_date, fte=fte, salary=salary))
    excluded: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for employee_id, start, end in Absence.objects.filter(
        employee_id__in=ids, cancelled_at__isnull=True, start_date__lte=on, end_date__gte=since
    ).values_list("employee_id", "start_date", "end_date"):
        excluded[employee_id].append((start, end))
    return rates, excluded
