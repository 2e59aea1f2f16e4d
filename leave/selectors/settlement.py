"""Leave on dismissal: the days owed for every working year and their money (art. 127, rules 28 and 35,
art. 137), from the ledger and the pure rules in leave.calc.working_year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hrportal.errors import ValidationFailed
from leave import calc
from leave.calc.dates import add_months, first_of_month
from leave.models import LeaveSettlement
from leave.selectors.balances import (
    TWO_PLACES,
    ZERO,
    _ledger_sums,
    _Sums,
    active_absences,
    balance_types,
    timeline_for,
    yearly_entitlement,
)
from leave.selectors.calendar import production_calendar
from leave.selectors.earnings import average_pay, pay_breakdown
from staff.models import Employee


@dataclass(frozen=True)
class SettlementResult:
    employee_id: int
    on: dt.date
    ground: str
    ground_article: str
    unused_days: Decimal
    compensated_days: Decimal
    deductible_days: Decimal
    advance_days: Decimal
    month_by_month_days: Decimal  # the accrual figure (28/12 a counted month) minus used, for comparison
    average_daily_earnings: Decimal
    compensation: Decimal
    lines: list[dict[str, Any]]
    notes: list[str]
    recorded: LeaveSettlement | None = None
    breakdown: list[dict[str, Any]] = field(default_factory=list)  # the average's months, as in the quote
    average_earnings: dict[str, Any] | None = None


def _average_daily(
    *, employee: Employee, on: dt.date, absences: list[tuple[str, dt.date, dt.date]]
) -> calc.VacationPay:
    """Average daily earnings for the compensation: the 12 months before the month of dismissal (Regulation
    922 items 4, 10), as for vacation pay — payroll data, item 5, bonuses, indexation, the minimum wage."""
    period_start = add_months(first_of_month(on), -24)
    return average_pay(
        employee=employee,
        calendar=production_calendar(start=period_start, end=on),
        start_date=on,
        days_charged=1,
        absences=absences,
        termination_date=None,
    )


def settlement(*, employee: Employee, on: dt.date, ground: str) -> SettlementResult:
    """What leave a dismissal on `on` (the last day of work) on `ground` settles. About eight queries.

    ValidationFailed (400) names the rule for a date before the hire or an unknown ground.
    """
    ground_rule = calc.working_year.GROUNDS.get(ground)
    if ground_rule is None:
        raise ValidationFailed(
            f"Unknown ground {ground!r}; one of: {', '.join(calc.working_year.GROUNDS)} (art. 77, 81, 83).",
            field="ground",
        )
    if on < employee.hire_date:
        raise ValidationFailed(
            f"The dismissal date {on} is before the hire date {employee.hire_date} (art. 84.1: the last day of "
            "work is the dismissal date).",
            field="on",
        )
    absences = active_absences(employee_ids=[employee.pk]).get(employee.pk, [])
    timeline = timeline_for(employee=employee, absences=absences)
    sums = _ledger_sums(employee_ids=[employee.pk], on=on)
    lines: list[dict[str, Any]] = []
    notes: list[str] = []
    totals = {"unused": ZERO, "compensated": ZERO, "deductible": ZERO, "advance": ZERO, "month_by_month": ZERO}
    for leave_type in balance_types():
        yearly = yearly_entitlement(employee=employee, leave_type=leave_type)
        type_sums = sums.get((employee.pk, leave_type.pk), _Sums())
        if yearly <= 0 and not type_sums.use and not type_sums.adjustment_on:
            continue
        result = calc.working_year.settle(
            timeline=timeline,
            termination_date=on,
            ground=ground,
            yearly_days=yearly,
            used=-type_sums.use,
            adjustments=type_sums.adjustment_on,
        )
        totals["unused"] += result.unused_days
        totals["compensated"] += result.compensated_days
        totals["deductible"] += result.deductible_days
        totals["advance"] += result.advance_days
        totals["month_by_month"] += result.month_by_month
        notes += [f"{leave_type.code}: {note}" for note in result.notes]
        if result.adjustments:
            notes.append(f"{leave_type.code}: HR adjustments {result.adjustments} day(s) included.")
        lines += [
            {
                "leave_type": leave_type.code,
                "working_year": {"start": line.year.start, "end": line.year.end},
                "months_counted": line.months_counted,
                "entitled": line.entitled,
                "used": line.used,
                "unused": line.unused,
                "rule": line.rule,
                "rule_code": line.rule_code,
            }
            for line in result.lines
        ]
    pay = _average_daily(employee=employee, on=on, absences=absences)
    average = pay.average_daily
    breakdown, average_earnings = pay_breakdown(pay)
    return SettlementResult(
        employee_id=employee.pk,
        on=on,
        ground=ground,
        ground_article=ground_rule.article,
        unused_days=totals["unused"].quantize(TWO_PLACES),
        compensated_days=totals["compensated"].quantize(TWO_PLACES),
        deductible_days=totals["deductible"].quantize(TWO_PLACES),
        advance_days=totals["advance"].quantize(TWO_PLACES),
        month_by_month_days=totals["month_by_month"].quantize(TWO_PLACES),
        average_daily_earnings=average,
        compensation=calc.working_year.compensation(totals["compensated"], average),
        lines=lines,
        notes=notes,
        recorded=LeaveSettlement.objects.filter(employee=employee, termination_date=on).first(),
        breakdown=breakdown,
        average_earnings=average_earnings,
    )
