"""Vacation pay by average earnings (art. 139 of the Labour Code, Regulation No. 922 of 2007-12-24).

- The period: the 12 calendar months before the month the leave starts (item 4).
- Earnings of a month: from the payroll accruals imported for it when there are any (items 2–3, 15:
  `leave.calc.earnings`), else from the salary: monthly salary × FTE × worked working days / working days
  of the month, by the production calendar, the month split where the rate changes. Time excluded by item 5
  (annual and other leave with kept average earnings, business trips, sick leave, unpaid leave) is removed
  with its pay.
- Average daily earnings = earnings / (29.3 × full months + Σ 29.3 / calendar days of the month ×
  calendar days worked, over incomplete months) (item 10). Months before the hire are not in the period.
- Indexation (item 16) and the minimum-wage floors (item 18, art. 133): `leave.calc.earnings`.
- No day worked in the period: the 12 months before it (item 6); none there either: the days worked in the
  month the leave starts (item 7); none at all: the salary itself / 29.3 (item 8).
- Rounding: figures stay unrounded until the average daily earnings, rounded half-up to kopecks; the pay
  is the sum over the days charged of that day's rounded rate (one rate for all of them unless a raise or a
  new minimum wage falls inside the leave), i.e. rate × days, exact in kopecks.

Past 400 lines by a little: the month, the period, its fall-backs and the leave's days are one computation
that reads best in one file; the payroll rules are apart in `earnings.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from leave.calc import earnings as pr
from leave.calc.calendar import ProductionCalendar
from leave.calc.dates import ONE_DAY, add_months, date_range, first_of_month, last_of_month, month_starts

AVERAGE_MONTH_DAYS = Decimal("29.3")  # art. 139 part 4
KOPECK = Decimal("0.01")

PERIOD = "period"  # item 4: the 12 months before the month of the leave
PREVIOUS_PERIOD = "previous_period"  # item 6
START_MONTH = "start_month"  # item 7
SALARY = "salary"  # item 8

SOURCE_PAYROLL = "payroll"
SOURCE_SALARY = "salary"


def round_money(amount: Decimal) -> Decimal:
    """Half-up to kopecks: the rounding of Regulation 922 practice (and of the ruble itself)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    effective_date: dt.date
    fte: Decimal
    salary: Decimal
    indexation: bool = False  # part of an organisation- or department-wide raise (item 16)


@dataclass(frozen=True)
class Segment:
    start: dt.date
    end: dt.date
    salary: Decimal
    fte: Decimal
    worked_working_days: int
    earnings: Decimal


@dataclass(frozen=True)
class MonthEarnings:
    month: dt.date  # its first day
    calendar_days: int
    working_days: int
    worked_calendar_days: int
    worked_working_days: int
    excluded_days: int  # calendar days removed by item 5 (or before the hire / after the period's cut)
    full: bool
    days_counted: Decimal  # 29.3 for a full month, else 29.3 / calendar days × calendar days worked
    earnings: Decimal  # unrounded: what enters the average (base, floored, × indexation)
    segments: tuple[Segment, ...] = ()
    source: str = SOURCE_SALARY  # payroll: the month's accruals; salary: the rate × time worked
    payments: tuple[pr.Payment, ...] = ()  # the payroll month's accruals, counted or not
    base: Decimal | None = None  # counted pay before the floor and indexation (None: = earnings)
    floor: Decimal | None = None  # art. 133: the minimum wage for the time worked, when it raised the month
    indexation: Decimal = Decimal(1)  # item 16: the factor applied to the month
    employed_working_days: int = 0  # working days of the month inside the employment

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.strftime("%Y-%m"),
            "source": self.source,
            "calendar_days": self.calendar_days,
            "working_days": self.working_days,
            "worked_calendar_days": self.worked_calendar_days,
            "worked_working_days": self.worked_working_days,
            "excluded_days": self.excluded_days,
            "full": self.full,
            "days_counted": self.days_counted,
            "counted_pay": self.earnings if self.base is None else self.base,
            "minimum_wage_floor": self.floor,
            "indexation": self.indexation,
            "earnings": self.earnings,
            "payments": [
                {"kind": p.kind, "amount": p.amount, "document": p.document, "status": p.status} for p in self.payments
            ],
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "salary": s.salary,
                    "fte": s.fte,
                    "worked_working_days": s.worked_working_days,
                    "earnings": s.earnings,
                }
                for s in self.segments
            ],
        }


@dataclass(frozen=True)
class LeavePart:
    """Days of the leave paid at one daily rate (a raise or a new minimum wage inside the leave splits it)."""

    start: dt.date
    days: int
    daily: Decimal  # rounded half-up to kopecks
    indexation: Decimal  # item 16 after the period and during the leave
    floor_applied: bool  # item 18


@dataclass(frozen=True)
class VacationPay:
    method: str
    period_start: dt.date | None
    period_end: dt.date | None
    earnings: Decimal
    days_counted: Decimal
    average_daily: Decimal  # rounded half-up to kopecks: the rate of the leave's first day
    days_charged: int
    amount: Decimal  # rounded half-up to kopecks
    months: tuple[MonthEarnings, ...] = field(default=())
    bonuses: tuple[pr.BonusLine, ...] = ()
    worked_share: Decimal = Decimal(1)  # item 15: working days worked / working days of the period
    average_before: Decimal | None = None  # earnings / days counted, unrounded, before item 16 after it and 18
    indexation_after: Decimal = Decimal(1)  # item 16: raises after the period, up to the leave's first day
    minimum_daily: Decimal | None = None  # item 18 on the first day: minimum wage × FTE / 29.3, unrounded
    parts: tuple[LeavePart, ...] = ()


def _rate_on(rates: Sequence[Rate], day: dt.date) -> Rate | None:
    current = None
    for rate in rates:
        if rate.effective_date <= day:
            current = rate
        else:
            break
    return current


def month_earnings(
    *,
    calendar: ProductionCalendar,
    month: dt.date,
    rates: Sequence[Rate],
    employed_from: dt.date,
    employed_to: dt.date | None,
    excluded: set[dt.date],
    accruals: Sequence[pr.Accrual] | None = None,
    steps: Sequence[tuple[dt.date, Decimal]] = (),
    index_up_to: dt.date | None = None,
    minimum_wage: Decimal | None = None,
) -> MonthEarnings | None:
    """One month of the period; None when the employee was not employed on any day of it.

    `accruals` (the period's, None for none) make it a payroll month when any of them is a monthly payment
    accrued in it; `steps` are the indexations (item 16) up to `index_up_to`; `minimum_wage` the month's."""
    first, last = first_of_month(month), last_of_month(month)
    start = max(first, employed_from)
    end = last if employed_to is None else min(last, employed_to)
    if start > end:
        return None
    calendar_days = (last - first).days + 1
    month_working_days = calendar.working_days(first, last)
    worked = [day for day in date_range(start, end) if day not in excluded]
    worked_set = set(worked)
    worked_working = [day for day in worked if calendar.is_working_day(day)]
    full = len(worked) == calendar_days
    # Item 10: a full month counts 29.3 days, an incomplete one 29.3 / its calendar days × calendar days worked.
    days_counted = AVERAGE_MONTH_DAYS if full else AVERAGE_MONTH_DAYS / calendar_days * len(worked)
    up_to = index_up_to or last
    # Split the month where the rate changes; each part earns its share of the month's working days.
    boundaries = sorted({first} | {r.effective_date for r in rates if first < r.effective_date <= last})
    segments: list[Segment] = []
    floor = Decimal(0)
    indexed_salary = Decimal(0)
    for i, seg_start in enumerate(boundaries):
        seg_end = boundaries[i + 1] - ONE_DAY if i + 1 < len(boundaries) else last
        rate = _rate_on(rates, seg_start)
        seg_worked = sum(1 for day in worked_working if seg_start <= day <= seg_end)
        if rate is None or not any(seg_start <= day <= seg_end for day in worked_set):
            continue
        share = Decimal(seg_worked) / month_working_days if month_working_days else Decimal(0)
        earnings = rate.salary * rate.fte * share
        if minimum_wage is not None:
            floor += minimum_wage * rate.fte * share  # art. 133: the minimum for the time worked at this FTE
        indexed_salary += earnings * pr.index_factor(steps, day=seg_end, up_to=up_to)
        segments.append(
            Segment(
                start=max(seg_start, start),
                end=min(seg_end, end),
                salary=rate.salary,
                fte=rate.fte,
                worked_working_days=seg_worked,
                earnings=earnings,
            )
        )
    salary_pay = sum((s.earnings for s in segments), Decimal(0))
    payments = pr.monthly_payments(accruals or (), first)
    if payments:
        source = SOURCE_PAYROLL
        base = sum((p.amount for p in payments if p.status == pr.COUNTED), Decimal(0))
        # Item 16: each worked working day's pay indexed for the raises after it (the month split at a raise).
        factors = [pr.index_factor(steps, day=day, up_to=up_to) for day in worked_working]
        factor = sum(factors, Decimal(0)) / len(factors) if factors else pr.index_factor(steps, day=end, up_to=up_to)
    else:
        source = SOURCE_SALARY
        base = salary_pay
        factor = indexed_salary / salary_pay if salary_pay else pr.index_factor(steps, day=end, up_to=up_to)
    floored = floor if minimum_wage is not None and base < floor else None
    return MonthEarnings(
        month=first,
        calendar_days=calendar_days,
        working_days=month_working_days,
        worked_calendar_days=len(worked),
        worked_working_days=len(worked_working),
        excluded_days=calendar_days - len(worked),
        full=full,
        days_counted=days_counted,
        earnings=(floored if floored is not None else base) * factor,
        segments=tuple(segments),
        source=source,
        payments=tuple(payments),
        base=base,
        floor=floored,
        indexation=factor,
        employed_working_days=calendar.working_days(start, end),
    )


def _period(
    *,
    calendar: ProductionCalendar,
    first_month: dt.date,
    last_day: dt.date,
    rates: Sequence[Rate],
    hire_date: dt.date,
    termination_date: dt.date | None,
    excluded: set[dt.date],
    accruals: Sequence[pr.Accrual] = (),
    steps: Sequence[tuple[dt.date, Decimal]] = (),
    minimum_wage: Sequence[tuple[dt.date, Decimal]] = (),
) -> list[MonthEarnings]:
    months = []
    in_period = [a for a in accruals if first_month <= a.month <= last_day]
    for month in month_starts(first_month, last_day):
        employed_to = last_day if termination_date is None else min(termination_date, last_day)
        result = month_earnings(
            calendar=calendar,
            month=month,
            rates=rates,
            employed_from=hire_date,
            employed_to=employed_to,
            excluded=excluded,
            accruals=in_period,
            steps=steps,
            index_up_to=last_day,
            minimum_wage=pr.minimum_wage_on(minimum_wage, month),
        )
        if result is not None:
            months.append(result)
    return months


def _has_work(months: Iterable[MonthEarnings]) -> bool:
    months = list(months)
    earnings = sum((m.earnings for m in months), Decimal(0))
    days = sum((m.days_counted for m in months), Decimal(0))
    return earnings > 0 and days > 0


def _leave_parts(
    *,
    start_date: dt.date,
    dates: Sequence[dt.date],
    average: Decimal,
    rates: Sequence[Rate],
    steps: Sequence[tuple[dt.date, Decimal]],
    period_end: dt.date,
    minimum_wage: Sequence[tuple[dt.date, Decimal]],
) -> list[LeavePart]:
    """Each charged day's rate: the average indexed for the raises after the period up to that day (item 16:
    after the period before the leave, and during it from the raise's date), not below the minimum wage in
    force that day × FTE / 29.3 (item 18); consecutive days at one rate form a part."""
    parts: list[LeavePart] = []
    for day in dates:
        factor = pr.index_factor(steps, day=period_end, up_to=max(day, start_date))
        daily = average * factor
        floor_applied = False
        wage = pr.minimum_wage_on(minimum_wage, day)
        rate = _rate_on(rates, day)
        if wage is not None and rate is not None and daily < wage * rate.fte / AVERAGE_MONTH_DAYS:
            daily, floor_applied = wage * rate.fte / AVERAGE_MONTH_DAYS, True
        daily = round_money(daily)
        last = parts[-1] if parts else None
        if last is not None and (last.daily, last.indexation, last.floor_applied) == (daily, factor, floor_applied):
            parts[-1] = LeavePart(last.start, last.days + 1, daily, factor, floor_applied)
        else:
            parts.append(LeavePart(day, 1, daily, factor, floor_applied))
    return parts


def vacation_pay(
    *,
    calendar: ProductionCalendar,
    start_date: dt.date,
    days_charged: int,
    hire_date: dt.date,
    rates: Iterable[Rate],
    excluded_periods: Iterable[tuple[dt.date, dt.date]] = (),
    termination_date: dt.date | None = None,
    accruals: Iterable[pr.Accrual] = (),
    minimum_wage: Sequence[tuple[dt.date, Decimal]] = (),
    charged_dates: Sequence[dt.date] | None = None,
) -> VacationPay:
    """Average daily earnings and the pay for a leave starting on `start_date` (Regulation 922).

    `accruals`: the payroll data (months without any keep the salary-based figure); `minimum_wage`: the
    (since, amount) table of the floor (none without it); `charged_dates`: the days charged, to index the
    part of the leave after a raise inside it (without them every day is paid at the first day's rate)."""
    rate_list = sorted(rates, key=lambda r: r.effective_date)
    accrual_list = list(accruals)
    steps = pr.indexation_steps(rate_list)
    excluded = {day for start, end in excluded_periods for day in date_range(start, end)}
    month_of_leave = first_of_month(start_date)
    period_start = add_months(month_of_leave, -12)
    period_end = month_of_leave - ONE_DAY
    attempts = [
        (PERIOD, period_start, period_end),
        (PREVIOUS_PERIOD, add_months(month_of_leave, -24), period_start - ONE_DAY),
        (START_MONTH, month_of_leave, start_date - ONE_DAY),
    ]
    dates = list(charged_dates) if charged_dates is not None and len(charged_dates) == days_charged else None
    for method, first, last in attempts:
        if last < first:
            continue  # a leave starting on the 1st has no days of its own month before it
        months = _period(
            calendar=calendar,
            first_month=first,
            last_day=last,
            rates=rate_list,
            hire_date=hire_date,
            termination_date=termination_date,
            excluded=excluded,
            accruals=accrual_list,
            steps=steps,
            minimum_wage=minimum_wage,
        )
        if not _has_work(months):
            continue
        employed = sum(m.employed_working_days for m in months)
        worked = sum(m.worked_working_days for m in months)
        # Item 15: bonuses in proportion to the time worked when part of the period was not worked.
        worked_share = Decimal(worked) / employed if employed and worked < employed else Decimal(1)
        bonuses = pr.period_bonuses(
            accrual_list, period_start=first, period_end=last, event=start_date, worked_share=worked_share, steps=steps
        )
        earnings = sum((m.earnings for m in months), Decimal(0)) + sum((b.counted for b in bonuses), Decimal(0))
        days_counted = sum((m.days_counted for m in months), Decimal(0))
        average = earnings / days_counted
        parts = _leave_parts(
            start_date=start_date,
            dates=dates or [start_date],
            average=average,
            rates=rate_list,
            steps=steps,
            period_end=last,
            minimum_wage=minimum_wage,
        )
        first_rate = _rate_on(rate_list, start_date)
        wage = pr.minimum_wage_on(minimum_wage, start_date)
        amount = sum((p.daily * p.days for p in parts), Decimal(0)) if dates else parts[0].daily * days_charged
        return VacationPay(
            method=method,
            period_start=first,
            period_end=last,
            earnings=earnings,
            days_counted=days_counted,
            average_daily=parts[0].daily,
            days_charged=days_charged,
            amount=round_money(amount),
            months=tuple(months),
            bonuses=tuple(bonuses),
            worked_share=worked_share,
            average_before=average,
            indexation_after=pr.index_factor(steps, day=last, up_to=start_date),
            minimum_daily=wage * first_rate.fte / AVERAGE_MONTH_DAYS if wage and first_rate else None,
            parts=tuple(parts) if dates else (),
        )
    rate = _rate_on(rate_list, start_date) or (rate_list[0] if rate_list else None)
    monthly = rate.salary * rate.fte if rate is not None else Decimal(0)
    average = round_money(monthly / AVERAGE_MONTH_DAYS)
    return VacationPay(
        method=SALARY,
        period_start=None,
        period_end=None,
        earnings=monthly,
        days_counted=AVERAGE_MONTH_DAYS,
        average_daily=average,
        days_charged=days_charged,
        amount=round_money(average * days_charged),
    )
