"""Average earnings for the pages and the API (Regulation 922): the database's rates, payroll accruals and the
minimum wage handed to the pure calculation (`leave.calc.vacation_pay`), and its working shaped for showing —
shared by the leave quote and the settlement on dismissal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from leave import calc
from leave.calc.dates import ONE_DAY, add_months, first_of_month
from payroll.models import PayrollAccrual
from staff.minimum_wage import MINIMUM_WAGE
from staff.models import Employee
from staff.selectors import rate_history

FOUR_PLACES = Decimal("0.0001")


def pay_rates(*, employee: Employee) -> list[calc.Rate]:
    return [
        calc.Rate(effective_date=r.effective_date, fte=r.fte, salary=r.salary, indexation=r.indexation)
        for r in rate_history(employee)
    ]


def payroll_accruals(*, employee: Employee, since: dt.date) -> list[calc.Accrual]:
    """The employee's imported payroll accruals from `since` on (a bounded number: a few a month)."""
    rows = PayrollAccrual.objects.filter(employee=employee, month__gte=since).values_list(
        "month", "kind", "amount", "counts", "period_start", "period_end", "document"
    )
    return [
        calc.Accrual(
            month=month,
            kind=kind,
            amount=amount,
            counts=counts,
            period_start=period_start,
            period_end=period_end,
            document=document,
        )
        for month, kind, amount, counts, period_start, period_end, document in rows
    ]


def average_pay(
    *,
    employee: Employee,
    calendar: calc.ProductionCalendar,
    start_date: dt.date,
    days_charged: int,
    absences: list[tuple[str, dt.date, dt.date]],
    termination_date: dt.date | None,
    charged_dates: list[dt.date] | None = None,
) -> calc.VacationPay:
    """Regulation 922 for a leave (or a dismissal's compensation) from `start_date`: the rates, the payroll
    accruals and the minimum wage of the database handed to the pure calculation. Two queries."""
    period_start = add_months(first_of_month(start_date), -24)
    return calc.vacation_pay(
        calendar=calendar,
        start_date=start_date,
        days_charged=days_charged,
        hire_date=employee.hire_date,
        termination_date=termination_date,
        rates=pay_rates(employee=employee),
        excluded_periods=[
            (start, end)
            for start, end in calc.absences.out_of_pay_period(absences)
            if start <= start_date - ONE_DAY and end >= period_start  # overlapping the earnings period
        ],
        accruals=payroll_accruals(employee=employee, since=period_start),
        minimum_wage=MINIMUM_WAGE,
        charged_dates=charged_dates,
    )


def _month_for_display(month: calc.MonthEarnings) -> dict[str, Any]:
    data = month.as_dict()
    data["days_counted"] = month.days_counted.quantize(FOUR_PLACES)
    data["earnings"] = calc.round_money(month.earnings)
    data["counted_pay"] = calc.round_money(data["counted_pay"])
    if data["minimum_wage_floor"] is not None:
        data["minimum_wage_floor"] = calc.round_money(data["minimum_wage_floor"])
    data["indexation"] = month.indexation.quantize(FOUR_PLACES)
    for segment in data["segments"]:
        segment["earnings"] = calc.round_money(segment["earnings"])
    return data


def months_for_page(breakdown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The breakdown's months for a template: the month as a date (its name in the page's language), each
    payment's kind in words."""
    labels = dict(PayrollAccrual.Kind.choices)
    return [
        {
            **row,
            "month": dt.date.fromisoformat(f"{row['month']}-01"),
            "payments": [{**p, "label": labels.get(p["kind"], p["kind"])} for p in row.get("payments", [])],
        }
        for row in breakdown
    ]


def average_for_page(average_earnings: dict[str, Any] | None) -> dict[str, Any] | None:
    if average_earnings is None:
        return None
    labels = dict(PayrollAccrual.Kind.choices)
    return {
        **average_earnings,
        "bonuses": [{**b, "label": labels.get(b["kind"], b["kind"])} for b in average_earnings["bonuses"]],
    }


def pay_breakdown(pay: calc.VacationPay) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The months of the period and the rest of the working, rounded for showing (the pay itself is computed
    unrounded): what each month counted and why, bonuses of longer periods, indexation, the minimum wage."""
    months = [_month_for_display(m) for m in pay.months]
    salary_months = [m.month for m in pay.months if m.source == calc.pay.SOURCE_SALARY]
    details = {
        "method": pay.method,
        "period_start": pay.period_start,
        "period_end": pay.period_end,
        "payroll_months": len(pay.months) - len(salary_months),
        "salary_months": [f"{m:%Y-%m}" for m in salary_months],
        "worked_share": pay.worked_share.quantize(FOUR_PLACES),
        "bonuses": [
            {
                "kind": b.kind,
                "month": f"{b.month:%Y-%m}",
                "period_start": b.period_start,
                "period_end": b.period_end,
                "document": b.document,
                "amount": b.amount,
                "period_share": b.period_share.quantize(FOUR_PLACES),
                "worked_share": b.worked_share.quantize(FOUR_PLACES),
                "indexation": b.indexation.quantize(FOUR_PLACES),
                "counted": calc.round_money(b.counted),
                "status": b.status,
            }
            for b in pay.bonuses
        ],
        "average_before": calc.round_money(pay.average_before) if pay.average_before is not None else None,
        "indexation_after": pay.indexation_after.quantize(FOUR_PLACES),
        "minimum_wage_daily": calc.round_money(pay.minimum_daily) if pay.minimum_daily is not None else None,
        "minimum_wage_applied": any(p.floor_applied for p in pay.parts),
        "parts": [
            {
                "start": p.start,
                "days": p.days,
                "daily": p.daily,
                "indexation": p.indexation.quantize(FOUR_PLACES),
                "minimum_wage_applied": p.floor_applied,
            }
            for p in pay.parts
        ],
    }
    return months, details
