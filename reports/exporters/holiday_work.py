"""Work on weekends and public holidays (art. 153 of the Labour Code), per employee and date.

Which entries count. The production calendar decides which dates are days off: public holidays, transferred
days off (a `day_off` on a weekday), and Saturdays/Sundays the calendar does not make working. A Saturday
made working by decree (`working_weekend`) is an ordinary working day: work on it is not holiday work, even
when the timesheet calls it "weekend". An entry of kind `weekend`/`holiday` on an ordinary weekday is
counted too: the timesheet says the employee worked on their own rest day (an individual schedule).

The pay: `leave.calc.holiday_pay` (pure) has the rule and its hand-checked arithmetic —

    hourly rate = (salary × FTE + compensatory and incentive payments of the month)
                  / hour norm of the month at the employee's own week        (half-up to kopecks once),

the own week being `Employee.weekly_hours` when recorded, else 40 h × FTE (the FTE is not applied twice); hours
within the month's norm × 1, beyond it × 2, a day of rest instead × 1. A line whose hours are partly within and
partly beyond the norm is written as two lines, one per rule, so every line is hours × rate × multiplier. Whether
hours are beyond the norm is read from the employee's whole month of timesheet (`month_hours`), whatever part of
the month the report shows. The payments of the month are the allowances and monthly bonuses imported from payroll
(`payroll.PayrollAccrual`) for the month worked, summed in one query (`month_payments`); a month without them adds 0.

The pay rate is the one in force on the date of the work (pay-rate history, corrections excluded). Totals per
employee and for the report sum the rounded amounts. The rate and the pay exist only in a report for a requester
who may see everyone's pay (HR; `base.shows_money`): for a manager or a deputy both columns are left out and no
salary is read (the FTE is, for the norm that decides the rule column).

Queries: one COUNT, one calendar read, one read of the pay rates of the employees in scope, one aggregate of their
months' payroll payments (HR only), one of their months' hours, then the rows through a server-side cursor
(`values_list(...).iterator(chunk_size)`): memory grows with employees × months, not with the rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leave import calc
from leave import selectors as leave_selectors
from leave.calc import holiday_pay
from leave.calc.dates import date_range, days_in_month
from payroll.models import PayrollAccrual
from reports import conf
from reports.exporters.base import Column, ReportParams, full_name, make_report, scope_q, shows_money
from reports.xlsx import DATE, MONEY, Report, SummaryRow
from staff.models import TimesheetEntry
from staff.selectors import current_rates

DAY_OFF_KINDS = (TimesheetEntry.Kind.WEEKEND, TimesheetEntry.Kind.HOLIDAY)
DOUBLE = holiday_pay.MULTIPLIERS[holiday_pay.BEYOND]
SINGLE = holiday_pay.MULTIPLIERS[holiday_pay.WITHIN]
ZERO = Decimal("0.00")
ONE = Decimal(1)

# (employee id, year, month) → the compensatory and incentive payments accrued for that month.
MonthPayments = Mapping[tuple[int, int, int], Decimal]

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
    Column(gettext_lazy("Rule of art. 153")),
    Column(gettext_lazy("Rate multiplier")),
    Column(gettext_lazy("Pay, RUB"), MONEY),
)


def header() -> list[str]:
    """Every column's title (HR's report)."""
    return [str(column.title) for column in COLUMNS]


def holiday_q(calendar: calc.ProductionCalendar, start: dt.date, end: dt.date) -> Q:
    """Timesheet entries of [start, end] that are work on a day off (see the module docstring for the rule)."""
    days_off = [day for day in date_range(start, end) if not calendar.is_working_day(day)]
    decreed_working = [d.date for d in calendar.special_days(start, end) if d.kind == calc.WORKING_WEEKEND]
    on_day_off = Q(date__in=days_off) if days_off else Q(pk__in=[])
    own_rest_day = Q(kind__in=DAY_OFF_KINDS) & ~Q(date__in=decreed_working)
    return on_day_off | own_rest_day


def entries(params: ReportParams, calendar: calc.ProductionCalendar) -> QuerySet[TimesheetEntry]:
    """The timesheet entries the report shows."""
    return TimesheetEntry.objects.filter(
        scope_q(params),
        holiday_q(calendar, params.date_from, params.date_to),
        date__gte=params.date_from,
        date__lte=params.date_to,
        hours__gt=0,
    )


def month_span(params: ReportParams) -> tuple[dt.date, dt.date]:
    """The whole months the report's dates touch."""
    last = params.date_to
    return params.date_from.replace(day=1), last.replace(day=days_in_month(last.year, last.month))


def month_hours(
    params: ReportParams, calendar: calc.ProductionCalendar
) -> dict[tuple[int, int, int], tuple[Decimal, ...]]:
    """(employee id, year, month) → (hours worked, holiday hours, premium holiday hours, premium holiday hours before
    the report's first date) over the whole months of the report, in one GROUP BY query."""
    start, end = month_span(params)
    holiday = holiday_q(calendar, start, end) & Q(hours__gt=0)
    premium = holiday & Q(day_off_instead=False)
    rows = (
        TimesheetEntry.objects.filter(scope_q(params), date__gte=start, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("employee_id", "month")
        .annotate(
            worked=Sum("hours"),
            holiday=Sum("hours", filter=holiday),
            premium=Sum("hours", filter=premium),
            premium_before=Sum("hours", filter=premium & Q(date__lt=params.date_from)),
        )
        .values_list("employee_id", "month", "worked", "holiday", "premium", "premium_before")
    )
    return {
        (employee_id, month.year, month.month): tuple(value or ZERO for value in values)
        for employee_id, month, *values in rows
    }


class RateBook:
    """Pay rates of the employees in scope (one query; salaries only `with_pay`), the hour norms of their months
    (memoised), and the payments of their months (`payments`, given)."""

    def __init__(
        self,
        params: ReportParams,
        calendar: calc.ProductionCalendar,
        *,
        with_pay: bool = True,
        payments: MonthPayments | None = None,
    ) -> None:
        self.calendar = calendar
        self.with_pay = with_pay
        self.payments: MonthPayments = payments or {}
        self._dates: dict[int, list[dt.date]] = {}
        self._rates: dict[int, list[tuple[Decimal, Decimal | None]]] = {}
        columns = (
            ("employee_id", "effective_date", "fte", "salary") if with_pay else ("employee_id", "effective_date", "fte")
        )
        rows = current_rates().filter(scope_q(params)).order_by("employee_id", "effective_date").values_list(*columns)
        for employee_id, effective_date, fte, *salary in rows:
            self._dates.setdefault(employee_id, []).append(effective_date)
            self._rates.setdefault(employee_id, []).append((fte, salary[0] if salary else None))
        self._norms: dict[tuple[int, int, Decimal], Decimal] = {}
        self._month_norms: dict[tuple[int, int, int], Decimal] = {}

    def _index(self, employee_id: int, day: dt.date) -> int | None:
        dates = self._dates.get(employee_id)
        if not dates:
            return None
        index = bisect.bisect_right(dates, day) - 1
        return index if index >= 0 else None

    def rate_on(self, employee_id: int, day: dt.date) -> tuple[Decimal, Decimal | None] | None:
        """(FTE, salary) in force on `day`; None before the first rate."""
        index = self._index(employee_id, day)
        return self._rates[employee_id][index] if index is not None else None

    def week_on(self, employee_id: int, day: dt.date, weekly_hours: Decimal | None) -> Decimal:
        """The employee's own week on `day` (before the first rate: at that rate's FTE, or a full week)."""
        rate = self.rate_on(employee_id, day)
        if rate is None:
            first = self._rates.get(employee_id)
            rate = first[0] if first else (ONE, None)
        return holiday_pay.own_week(weekly_hours, rate[0])

    def month_norm(self, year: int, month: int, week: Decimal) -> Decimal:
        """The hour norm of the month at a week of `week` hours."""
        key = (year, month, week)
        norm = self._norms.get(key)
        if norm is None:
            norm = self._norms[key] = self.calendar.month(year, month, week).hours
        return norm

    def employee_month_norm(self, employee_id: int, year: int, month: int, weekly_hours: Decimal | None) -> Decimal:
        """The employee's norm of the month, day by day at the week in force each day (an FTE change mid-month)."""
        key = (employee_id, year, month)
        norm = self._month_norms.get(key)
        if norm is None:
            first = dt.date(year, month, 1)
            days = date_range(first, first.replace(day=days_in_month(year, month)))
            norm = sum(
                (self.calendar.day_hours(day, self.week_on(employee_id, day, weekly_hours)) for day in days), ZERO
            )
            self._month_norms[key] = norm
        return norm

    def hourly_rate(self, employee_id: int, day: dt.date, weekly_hours: Decimal | None) -> Decimal | None:
        """Art. 153's hourly rate on `day`; None without a salary (before the first rate, or not `with_pay`)."""
        rate = self.rate_on(employee_id, day)
        if rate is None or rate[1] is None:
            return None  # no rate in force yet (work recorded before the hire): shown without pay
        fte, salary = rate
        week = holiday_pay.own_week(weekly_hours, fte)
        return holiday_pay.hourly_rate(
            salary=salary,
            fte=fte,
            norm_hours=self.month_norm(day.year, day.month, week),
            payments=self.payments.get((employee_id, day.year, day.month), ZERO),
        )


def day_kind(calendar: calc.ProductionCalendar, day: dt.date, labels: dict[str, str]) -> tuple[str, str]:
    special = calendar.special(day)
    if special is not None and special.kind == calc.PUBLIC_HOLIDAY:
        return labels["holiday"], special.name
    if special is not None and special.kind == calc.DAY_OFF:
        return labels["transferred"], special.name
    if not calendar.is_working_day(day):
        return labels["weekend"], ""
    return labels["rest_day"], ""


# The compensatory and incentive payments "of the month" (art. 153 part 1; docs/decisions/holiday-work-rate.md).
RATE_PAYMENT_KINDS = (PayrollAccrual.Kind.ALLOWANCE, PayrollAccrual.Kind.BONUS_MONTH)


def month_payments(params: ReportParams, employees: QuerySet[TimesheetEntry]) -> dict[tuple[int, int, int], Decimal]:
    """(employee id, year, month) → the allowances and monthly bonuses accrued for that month, for the employees of
    `employees` over the report's whole months, in one GROUP BY query."""
    start, end = month_span(params)
    rows = (
        PayrollAccrual.objects.filter(
            kind__in=RATE_PAYMENT_KINDS,
            month__range=(start, end),
            employee_id__in=employees.values("employee_id"),
        )
        .values_list("employee_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(employee_id, month.year, month.month): total for employee_id, month, total in rows}


def build(params: ReportParams, *, payments: MonthPayments | None = None) -> Report:
    """The report. `payments`: the compensatory and incentive payments of each employee's month, which enter the
    hourly rate (art. 153 part 1); by default the payroll's (`month_payments`)."""
    start, end = month_span(params)
    calendar = leave_selectors.production_calendar(start=start, end=end)
    qs = entries(params, calendar)
    total = qs.count()
    if payments is None and shows_money(params.user):
        payments = month_payments(params, qs)
    rates = RateBook(params, calendar, with_pay=shows_money(params.user), payments=payments)
    return make_report(
        kind="holiday_work",
        title=_("Holiday work"),
        columns=COLUMNS,
        rows=rows(qs, rates, calendar, month_hours(params, calendar)),
        total=total,
        params=params,
    )


def rule_labels() -> dict[str, str]:
    return {
        holiday_pay.WITHIN: _("Within the monthly norm: single rate on top of the salary"),
        holiday_pay.BEYOND: _("Beyond the monthly norm: double rate"),
        holiday_pay.BEYOND_ASSUMED: _("Beyond the monthly norm (no working-day hours in the timesheet): double rate"),
        holiday_pay.DAY_OFF: _("Another day of rest instead: single pay"),
    }


def rows(
    qs: QuerySet[TimesheetEntry],
    rates: RateBook,
    calendar: calc.ProductionCalendar,
    months: dict[tuple[int, int, int], tuple[Decimal, ...]],
) -> Iterator[Sequence[Any]]:
    """Every column; without pay (`rates.with_pay` false) the money cells are None (make_report drops them)."""
    labels = {
        "holiday": _("Public holiday"),
        "transferred": _("Transferred day off"),
        "weekend": _("Weekend"),
        "rest_day": _("Rest day by schedule"),
    }
    rules = rule_labels()
    day_kinds: dict[dt.date, tuple[str, str]] = {}
    current: int | None = None
    name = personnel = department = ""
    employee_hours = employee_pay = ZERO
    report_hours = report_pay = ZERO
    month_key: tuple[int, int, int] | None = None
    month = holiday_pay.MonthHours(norm=ZERO, worked=ZERO, holiday=ZERO, premium=ZERO)
    premium_done = ZERO  # premium hours of the month up to and including this line
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
        key = (employee_id, day.year, day.month)
        if key != month_key:
            month_key = key
            worked, holiday, premium, premium_before = months.get(key, (ZERO, ZERO, ZERO, ZERO))
            norm = rates.employee_month_norm(employee_id, day.year, day.month, weekly_hours)
            month = holiday_pay.MonthHours(norm=norm, worked=worked, holiday=holiday, premium=premium)
            premium_done = premium_before
        if not day_off_instead:
            premium_done += hours
        kind_label, holiday_name = day_kinds.get(day) or day_kinds.setdefault(day, day_kind(calendar, day, labels))
        hourly = rates.hourly_rate(employee_id, day, weekly_hours)
        parts = holiday_pay.split_line(
            hours=hours, day_off_instead=day_off_instead, month=month, premium_after=month.premium - premium_done
        )
        for part_hours, rule in parts:
            pay = holiday_pay.line_pay(part_hours, hourly, rule) if hourly is not None else None
            employee_hours += part_hours
            report_hours += part_hours
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
                part_hours,
                hourly,
                rules[rule],
                holiday_pay.MULTIPLIERS[rule],
                pay,
            )
    if current is not None:
        yield _employee_total(department, personnel, name, employee_hours, employee_pay)
    yield SummaryRow((_("Total for the report"), "", "", None, "", "", report_hours, None, "", None, report_pay))


def _employee_total(department: str, personnel: str, name: str, hours: Decimal, pay: Decimal) -> SummaryRow:
    return SummaryRow(
        (department, personnel, _("Total: %(name)s") % {"name": name}, None, "", "", hours, None, "", None, pay)
    )
