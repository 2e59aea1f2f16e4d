"""Quotes: what a leave would charge, pay and leave available, with the working shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from hrportal import numbers
from hrportal.errors import ValidationFailed
from leave import calc
from leave.calc.dates import add_months, date_range, first_of_month
from leave.models import EarlyLeaveRight, LeaveType
from leave.selectors.balances import (
    ADDITIONAL,
    ANNUAL,
    TWO_PLACES,
    ZERO,
    _balance,
    _ledger_sums,
    _Sums,
    active_absences,
    booked_leave,
    leave_types,
    resolve_leave_type,
    timeline_for,
    yearly_entitlement,
)
from leave.selectors.calendar import production_calendar, provisional_years
from leave.selectors.earnings import average_pay, pay_breakdown
from staff.models import Employee


@dataclass
class Quote:
    employee_id: int
    leave_type: str
    start_date: dt.date
    end_date: dt.date
    calendar_days: int
    days_charged: Decimal
    holidays_excluded: list[dt.date]
    average_daily_earnings: Decimal | None
    vacation_pay: Decimal | None
    available_after: Decimal | None
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    # Regulation 922 beyond the months: bonuses of longer periods, indexation, the minimum wage, the leave's parts.
    average_earnings: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    needs_hr: bool = False
    pay_method: str | None = None
    earnings_total: Decimal | None = None
    days_counted_total: Decimal | None = None
    holiday_names: dict[dt.date, str] = field(default_factory=dict)  # of holidays_excluded, for the pages
    # The working year the leave starts in, and the working years whose days it draws on (oldest first;
    # `start`/`end` None for days beyond every opened year, i.e. used in advance — art. 137).
    working_year: dict[str, dt.date] | None = None
    draws_on: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe copy (decimals and dates as strings), e.g. to keep on a request."""
        return _jsonable(
            {
                "employee": self.employee_id,
                "leave_type": self.leave_type,
                "start_date": self.start_date,
                "end_date": self.end_date,
                "calendar_days": self.calendar_days,
                "days_charged": self.days_charged,
                "holidays_excluded": self.holidays_excluded,
                "average_daily_earnings": self.average_daily_earnings,
                "vacation_pay": self.vacation_pay,
                "available_after": self.available_after,
                "breakdown": self.breakdown,
                "average_earnings": self.average_earnings,
                "warnings": self.warnings,
                "needs_hr": self.needs_hr,
                "pay_method": self.pay_method,
                "earnings_total": self.earnings_total,
                "days_counted_total": self.days_counted_total,
                "working_year": self.working_year,
                "draws_on": self.draws_on,
            }
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _long_part_parts(
    *, employee: Employee, working_year: tuple[dt.date, dt.date], exclude_request_id: int | None
) -> list[Decimal]:
    """Days of the annual-type leave booked (pending or approved) starting in the working year."""
    filters = Q(
        account__employee=employee,
        account__leave_type__code__in=[ANNUAL, ADDITIONAL],
        period_start__gte=working_year[0],
        period_start__lte=working_year[1],
    )
    if exclude_request_id is not None:
        filters &= ~Q(request_id=exclude_request_id)
    return [b.days for b in booked_leave(filters=filters)]


def quote(
    *,
    employee: Employee,
    leave_type: LeaveType | str,
    start_date: dt.date,
    end_date: dt.date,
    exclude_request_id: int | None = None,
    include_pay: bool = True,
) -> Quote:
    """What a leave from start_date to end_date would charge, pay and leave available, with the working.

    `exclude_request_id` re-quotes an existing request without its own reservation; `include_pay=False`
    skips vacation pay (for callers who may not see the employee's earnings). About ten queries.
    """
    if end_date < start_date:
        raise ValidationFailed(_("The leave cannot end before it starts."), field="end_date")
    leave_type = resolve_leave_type(leave_type)
    month_of_leave = first_of_month(start_date)
    calendar = production_calendar(start=add_months(month_of_leave, -24), end=end_date)
    length = calc.leave_length(calendar, start=start_date, end=end_date, counting=leave_type.counting)
    days_charged = Decimal(length.days_charged).quantize(TWO_PLACES)
    warnings: list[str] = []
    # The employee's active absences once: unpaid leave beyond 14 days, child care, absence without good cause
    # and suspension shift the working year (art. 121); those of calc.absences.ABSENCE_RULES not in the pay
    # period are left out of the earnings period (Regulation 922 item 5).
    absences = active_absences(employee_ids=[employee.pk]).get(employee.pk, [])
    timeline = timeline_for(employee=employee, absences=absences)
    # Every type's ledger sums at the start of the leave in one query.
    sums = _ledger_sums(employee_ids=[employee.pk], on=start_date, exclude_request_id=exclude_request_id)

    provisional = provisional_years(start=start_date, end=end_date)
    if provisional:
        warnings.append(
            _(
                "Provisional production calendar for %(years)s: HR has not loaded or confirmed it yet, so the days "
                "charged count the fixed public holidays only."
            )
            % {"years": ", ".join(str(y) for y in provisional)}
        )
    if leave_type.absence_kind == LeaveType.AbsenceKind.UNPAID:
        # Art. 121: unpaid leave beyond 14 days a working year is not service for annual leave.
        before = timeline.working_year(start_date)
        after = timeline_for(employee=employee, absences=[*absences, (leave_type.absence_kind, start_date, end_date)])
        shift = (after.working_year(start_date)[1] - before[1]).days
        if shift > 0:
            warnings.append(
                _(
                    "Unpaid leave beyond 14 days a working year does not count as service for annual leave "
                    "(art. 121): the working year %(start)s – %(end)s moves by %(days)s days."
                )
                % {"start": f"{before[0]:%d.%m.%Y}", "end": f"{before[1]:%d.%m.%Y}", "days": shift}
            )

    available_after = None
    if leave_type.needs_balance:
        current = _balance(employee=employee, leave_type=leave_type, on=start_date, sums=sums, timeline=timeline)
        available_after = current.available - days_charged
        if available_after < 0:
            warnings.append(
                _("Not enough leave balance: %(available)s days available, %(requested)s requested.")
                % {"available": numbers.number(current.available), "requested": numbers.number(days_charged)}
            )

    needs_hr = False
    working_year = None
    draws: list[dict[str, Any]] = []
    if leave_type.code in (ANNUAL, ADDITIONAL):
        annual_types = [t for t in leave_types() if t.code in (ANNUAL, ADDITIONAL)]
        # Art. 122 part 2: the first year's leave may be used after six months; any leave starting earlier is
        # by agreement (HR decides) — unless HR recorded a right to it on request (art. 122 part 3, 123 part 4).
        due = calc.working_year.first_year_right_from(timeline)
        if start_date < due:
            if _early_right(employee=employee, on=start_date):
                warnings.append(_("Before six months of service, on the employee's request (art. 122 part 3)."))
            else:
                needs_hr = True
                warnings.append(
                    _(
                        "The first year's leave may be used after six months of service (from %(due)s); earlier "
                        "only by agreement: HR must approve it (art. 122)."
                    )
                    % {"due": due.isoformat()}
                )
        current_year = calc.working_year.working_year_of(timeline, start_date)
        working_year = {"start": current_year.start, "end": current_year.end}
        if leave_type.needs_balance:
            type_sums = sums.get((employee.pk, leave_type.pk), _Sums())
            # As for carried_over: a negative HR correction takes days like a use; extra days belong to no year.
            consumed = -(type_sums.use + type_sums.reserve + type_sums.release) - min(type_sums.adjustment_on, ZERO)
            draws = [
                {
                    "start": draw.year.start if draw.year else None,
                    "end": draw.year.end if draw.year else None,
                    "days": draw.days,
                }
                for draw in calc.working_year.draws_on(
                    years=calc.working_year.working_years_opened(timeline, start_date),
                    yearly_days=yearly_entitlement(employee=employee, leave_type=leave_type),
                    consumed_before=consumed,
                    requested=days_charged,
                )
            ]
        year = timeline.working_year(start_date)
        entitlement = sum((yearly_entitlement(employee=employee, leave_type=t) for t in annual_types), ZERO)
        finding = calc.art125_finding(
            working_year=year,
            entitlement=entitlement,
            parts=_long_part_parts(employee=employee, working_year=year, exclude_request_id=exclude_request_id),
            requested=days_charged,
        )
        if finding is not None:
            warnings.append(
                _(
                    "After this leave no part of the leave for the working year %(start)s – %(end)s can be "
                    "14 days or longer (art. 125)."
                )
                % {"start": year[0].isoformat(), "end": year[1].isoformat()}
            )

    result = Quote(
        employee_id=employee.pk,
        leave_type=leave_type.code,
        start_date=start_date,
        end_date=end_date,
        calendar_days=length.calendar_days,
        days_charged=days_charged,
        holidays_excluded=list(length.holidays_excluded),
        holiday_names={day: _special_name(calendar, day) for day in length.holidays_excluded},
        average_daily_earnings=None,
        vacation_pay=None,
        available_after=available_after.quantize(TWO_PLACES) if available_after is not None else None,
        warnings=warnings,
        needs_hr=needs_hr,
        working_year=working_year,
        draws_on=draws,
    )
    if not include_pay:
        return result
    if not (leave_type.paid and leave_type.keeps_average_earnings):
        result.average_daily_earnings = ZERO
        result.vacation_pay = ZERO
        return result
    holidays = set(length.holidays_excluded)
    pay = average_pay(
        employee=employee,
        calendar=calendar,
        start_date=start_date,
        days_charged=length.days_charged,
        absences=absences,
        termination_date=employee.termination_date,
        charged_dates=[day for day in date_range(start_date, end_date) if day not in holidays],
    )
    result.average_daily_earnings = pay.average_daily
    result.vacation_pay = pay.amount
    result.breakdown, result.average_earnings = pay_breakdown(pay)
    result.pay_method = pay.method
    result.earnings_total = calc.round_money(pay.earnings)
    result.days_counted_total = pay.days_counted.quantize(Decimal("0.0001"))
    return result


def _early_right(*, employee: Employee, on: dt.date) -> bool:
    return (
        EarlyLeaveRight.objects.filter(employee=employee, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exists()
    )


def _special_name(calendar: calc.ProductionCalendar, day: dt.date) -> str:
    special = calendar.special(day)
    return special.name if special else ""
