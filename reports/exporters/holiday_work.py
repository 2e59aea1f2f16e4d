"""Work on weekends and public holidays (art. 153 of the Labour Code), per employee and date.

Which entries count. The production calendar decides which dates are days off: public holidays, transferred
days off (a `day_off` on a weekday), and Saturdays/Sundays the calendar does not make working. A Saturday
made working by decree (`working_weekend`) is an ordinary working day: work on it is not holiday work, even
when the timesheet calls it "weekend". An entry of kind `weekend`/`holiday` on an ordinary weekday is
counted too: the timesheet says the employee worked on their own rest day (an individual schedule).

The hourly rate. Art. 153 pays a salaried employee a daily or hourly part of the salary; the usual practice
(Rostrud letters; the rate of the month of the work) divides the monthly salary by the hour norm of that
month from the production calendar: weekly hours / 5 a working day, an hour less on a shortened
pre-holiday day (art. 95), i.e. 8 h and 7 h on a 40-hour week. For a part-time employee the earned salary
(salary × FTE) and the hour norm (norm × FTE) shrink together, so the FTE cancels out and a part-timer's hour
costs what a full-timer's does:

    hourly rate = salary × FTE / (hour norm of the month at the employee's weekly hours × FTE)
                = salary / hour norm of the month,   rounded half-up to kopecks once.

The pay rate is the one in force on the date of the work (pay-rate history, corrections excluded).
Pay = hours × hourly rate × 2 (double pay), or × 1 when the employee chose another day off instead
(art. 153 part 4: single pay plus an unpaid day off), rounded half-up to kopecks. Totals per employee and
for the report sum the rounded amounts, so they add up in the spreadsheet. The rate and the pay exist only in a
report for a requester who may see everyone's pay (HR; `base.shows_money`): for a manager or a deputy both
columns are left out and no pay rate is read.

Queries: one COUNT, one calendar read, one read of all pay rates of the employees in scope, then the rows
through a server-side cursor (`values_list(...).iterator(chunk_size)`): memory does not grow with the rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leave import calc
from leave import selectors as leave_selectors
from leave.calc import round_money as money
from leave.calc.dates import date_range
from reports import conf
from reports.exporters.base import Column, ReportParams, full_name, make_report, scope_q, shows_money
from reports.xlsx import DATE, MONEY, Report, SummaryRow
from staff.models import TimesheetEntry
from staff.selectors import current_rates

DAY_OFF_KINDS = (TimesheetEntry.Kind.WEEKEND, TimesheetEntry.Kind.HOLIDAY)
DOUBLE = Decimal(2)
SINGLE = Decimal(1)
ZERO = Decimal("0.00")

FIELDS = (
    "employee_id",
    "employee__department__name",
    "employee__personnel_number",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
    "employee__weekly_hours",
    "date",
    "kind",
    "hours",
    "day_off_instead",
)
ORDER = (
    "employee__department__path",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
    "employee_id",
    "date",
    "kind",
)


COLUMNS = (
    Column(gettext_lazy("Department")),
    Column(gettext_lazy("Personnel number")),
    Column(gettext_lazy("Employee")),
    Column(gettext_lazy("Date"), DATE),
    Column(gettext_lazy("Kind of day")),
    Column(gettext_lazy("Holiday")),
    Column(gettext_lazy("Hours")),
    # The hourly rate × the month's hour norm is the salary: money, like the pay.
    Column(gettext_lazy("Hourly rate, RUB"), MONEY),
    Column(gettext_lazy("Compensation")),
    Column(gettext_lazy("Rate multiplier")),
    Column(gettext_lazy("Pay, RUB"), MONEY),
)


def header() -> list[str]:
    """Every column's title (HR's report)."""
    return [str(column.title) for column in COLUMNS]


def entries(params: ReportParams, calendar: calc.ProductionCalendar) -> QuerySet[TimesheetEntry]:
    """The timesheet entries the report shows (see the module docstring for the rule)."""
    days_off = [day for day in date_range(params.date_from, params.date_to) if not calendar.is_working_day(day)]
    decreed_working = [
        d.date for d in calendar.special_days(params.date_from, params.date_to) if d.kind == calc.WORKING_WEEKEND
    ]
    on_day_off = Q(date__in=days_off) if days_off else Q(pk__in=[])
    own_rest_day = Q(kind__in=DAY_OFF_KINDS) & ~Q(date__in=decreed_working)
    return TimesheetEntry.objects.filter(
        scope_q(params),
        on_day_off | own_rest_day,
        date__gte=params.date_from,
        date__lte=params.date_to,
        hours__gt=0,
    )


class RateBook:
    """Pay rates of the employees in scope (one query) and the hour norms of the months (memoised)."""

    def __init__(self, params: ReportParams, calendar: calc.ProductionCalendar) -> None:
        self.calendar = calendar
        self._dates: dict[int, list[dt.date]] = {}
        self._salaries: dict[int, list[Decimal]] = {}
        rows = (
            current_rates()
            .filter(scope_q(params))
            .order_by("employee_id", "effective_date")
            .values_list("employee_id", "effective_date", "salary")
        )
        for employee_id, effective_date, salary in rows:
            self._dates.setdefault(employee_id, []).append(effective_date)
            self._salaries.setdefault(employee_id, []).append(salary)
        self._norms: dict[tuple[int, int, int], Decimal] = {}
        self._hourly: dict[tuple[Decimal, int, int, int], Decimal | None] = {}

    def salary_on(self, employee_id: int, day: dt.date) -> Decimal | None:
        dates = self._dates.get(employee_id)
        if not dates:
            return None
        index = bisect.bisect_right(dates, day) - 1
        return self._salaries[employee_id][index] if index >= 0 else None

    def month_norm(self, year: int, month: int, weekly_hours: int) -> Decimal:
        key = (year, month, weekly_hours)
        norm = self._norms.get(key)
        if norm is None:
            norm = self.calendar.month(year, month, weekly_hours).hours
            self._norms[key] = norm
        return norm

    def hourly_rate(self, employee_id: int, day: dt.date, weekly_hours: int) -> Decimal | None:
        salary = self.salary_on(employee_id, day)
        if salary is None:
            return None  # no rate in force yet (work recorded before the hire): shown without pay
        key = (salary, weekly_hours, day.year, day.month)
        if key not in self._hourly:
            norm = self.month_norm(day.year, day.month, weekly_hours)
            self._hourly[key] = money(salary / norm) if norm else None
        return self._hourly[key]


def day_kind(calendar: calc.ProductionCalendar, day: dt.date, labels: dict[str, str]) -> tuple[str, str]:
    special = calendar.special(day)
    if special is not None and special.kind == calc.PUBLIC_HOLIDAY:
        return labels["holiday"], special.name
    if special is not None and special.kind == calc.DAY_OFF:
        return labels["transferred"], special.name
    if not calendar.is_working_day(day):
        return labels["weekend"], ""
    return labels["rest_day"], ""


def build(params: ReportParams) -> Report:
    calendar = leave_selectors.production_calendar(start=params.date_from, end=params.date_to)
    qs = entries(params, calendar)
    total = qs.count()
    rates = RateBook(params, calendar) if shows_money(params.user) else None  # no pay read for anyone else
    return make_report(
        kind="holiday_work",
        title=_("Holiday work"),
        columns=COLUMNS,
        rows=rows(qs, rates, calendar),
        total=total,
        params=params,
    )


def rows(
    qs: QuerySet[TimesheetEntry], rates: RateBook | None, calendar: calc.ProductionCalendar
) -> Iterator[Sequence[Any]]:
    """Every column; without `rates` the money cells are None (make_report drops them)."""
    labels = {
        "holiday": _("Public holiday"),
        "transferred": _("Transferred day off"),
        "weekend": _("Weekend"),
        "rest_day": _("Rest day by schedule"),
        "double": _("Double pay"),
        "day_off": _("Single pay + a day off"),
    }
    day_kinds: dict[dt.date, tuple[str, str]] = {}
    current: int | None = None
    name = personnel = department = ""
    employee_hours = employee_pay = ZERO
    report_hours = report_pay = ZERO
    stream = qs.order_by(*ORDER).values_list(*FIELDS).iterator(chunk_size=conf.chunk_size())
    for (
        employee_id,
        department_name,
        personnel_number,
        last_name,
        first_name,
        patronymic,
        weekly_hours,
        day,
        _kind,
        hours,
        day_off_instead,
    ) in stream:
        if employee_id != current:
            if current is not None:
                yield _employee_total(department, personnel, name, employee_hours, employee_pay)
            current = employee_id
            department, personnel = department_name, personnel_number
            name = full_name(last_name, first_name, patronymic)
            employee_hours = employee_pay = ZERO
        kind_label, holiday_name = day_kinds.get(day) or day_kinds.setdefault(day, day_kind(calendar, day, labels))
        hourly = rates.hourly_rate(employee_id, day, weekly_hours) if rates is not None else None
        multiplier = SINGLE if day_off_instead else DOUBLE
        pay = money(hours * hourly * multiplier) if hourly is not None else None
        employee_hours += hours
        report_hours += hours
        if pay is not None:
            employee_pay += pay
            report_pay += pay
        yield (
            department,
            personnel,
            name,
            day,
            kind_label,
            holiday_name,
            hours,
            hourly,
            labels["day_off"] if day_off_instead else labels["double"],
            multiplier,
            pay,
        )
    if current is not None:
        yield _employee_total(department, personnel, name, employee_hours, employee_pay)
    yield SummaryRow((_("Total for the report"), "", "", None, "", "", report_hours, None, "", None, report_pay))


def _employee_total(department: str, personnel: str, name: str, hours: Decimal, pay: Decimal) -> SummaryRow:
    return SummaryRow(
        (department, personnel, _("Total: %(name)s") % {"name": name}, None, "", "", hours, None, "", None, pay)
    )
