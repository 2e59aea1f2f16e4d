"""Vacation pay by average earnings (art. 139 of the Labour Code, Regulation No. 922 of 2007-12-24).

- The period: the 12 calendar months before the month the leave starts (item 4).
- Earnings of a month: monthly salary × FTE × worked working days / working days of the month, by the
  production calendar, the month split where the rate changes. Time excluded by item 5 (annual and other
  leave with kept average earnings, business trips, sick leave, unpaid leave) is removed with its pay.
- Average daily earnings = earnings / (29.3 × full months + Σ 29.3 / calendar days of the month ×
  calendar days worked, over incomplete months) (item 10). Months before the hire are not in the period.
- No day worked in the period: the 12 months before it (item 6); none there either: the days worked in the
  month the leave starts (item 7); none at all: the salary itself / 29.3 (item 8).
- Rounding: figures stay unrounded until the average daily earnings, rounded half-up to kopecks; the pay
  is that × days charged, rounded half-up to kopecks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from leave.calc.calendar import ProductionCalendar
from leave.calc.dates import ONE_DAY, add_months, date_range, first_of_month, last_of_month, month_starts

AVERAGE_MONTH_DAYS = Decimal("29.3")  # art. 139 part 4
KOPECK = Decimal("0.01")

PERIOD = "period"  # item 4: the 12 months before the month of the leave
PREVIOUS_PERIOD = "previous_period"  # item 6
START_MONTH = "start_month"  # item 7
SALARY = "salary"  # item 8


def round_money(amount: Decimal) -> Decimal:
    """Half-up to kopecks: the rounding of Regulation 922 practice (and of the ruble itself)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rate:
    effective_date: dt.date
    fte: Decimal
    salary: Decimal


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
    earnings: Decimal  # unrounded
    segments: tuple[Segment, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.strftime("%Y-%m"),
            "calendar_days": self.calendar_days,
            "working_days": self.working_days,
            "worked_calendar_days": self.worked_calendar_days,
            "worked_working_days": self.worked_working_days,
            "excluded_days": self.excluded_days,
            "full": self.full,
            "days_counted": self.days_counted,
            "earnings": self.earnings,
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
class VacationPay:
    method: str
    period_start: dt.date | None
    period_end: dt.date | None
    earnings: Decimal
    days_counted: Decimal
    average_daily: Decimal  # rounded half-up to kopecks
    days_charged: int
    amount: Decimal  # rounded half-up to kopecks
    months: tuple[MonthEarnings, ...] = field(default=())


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
) -> MonthEarnings | None:
    """One month of the period; None when the employee was not employed on any day of it."""
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
    # Split the month where the rate changes; each part earns its share of the month's working days.
    boundaries = sorted({first} | {r.effective_date for r in rates if first < r.effective_date <= last})
    segments: list[Segment] = []
    for i, seg_start in enumerate(boundaries):
        seg_end = boundaries[i + 1] - ONE_DAY if i + 1 < len(boundaries) else last
        rate = _rate_on(rates, seg_start)
        seg_worked = sum(1 for day in worked_working if seg_start <= day <= seg_end)
        if rate is None or not any(seg_start <= day <= seg_end for day in worked_set):
            continue
        earnings = rate.salary * rate.fte * seg_worked / month_working_days if month_working_days else Decimal(0)
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
    return MonthEarnings(
        month=first,
        calendar_days=calendar_days,
        working_days=month_working_days,
        worked_calendar_days=len(worked),
        worked_working_days=len(worked_working),
        excluded_days=calendar_days - len(worked),
        full=full,
        days_counted=days_counted,
        earnings=sum((s.earnings for s in segments), Decimal(0)),
        segments=tuple(segments),
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
) -> list[MonthEarnings]:
    months = []
    for month in month_starts(first_month, last_day):
        employed_to = last_day if termination_date is None else min(termination_date, last_day)
        result = month_earnings(
            calendar=calendar,
            month=month,
            rates=rates,
            employed_from=hire_date,
            employed_to=employed_to,
            excluded=excluded,
        )
        if result is not None:
            months.append(result)
    return months


def _has_work(months: Iterable[MonthEarnings]) -> bool:
    months = list(months)
    earnings = sum((m.earnings for m in months), Decimal(0))
    days = sum((m.days_counted for m in months), Decimal(0))
    return earnings > 0 and days > 0


def vacation_pay(
    *,
    calendar: ProductionCalendar,
    start_date: dt.date,
    days_charged: int,
    hire_date: dt.date,
    rates: Iterable[Rate],
    excluded_periods: Iterable[tuple[dt.date, dt.date]] = (),
    termination_date: dt.date | None = None,
) -> VacationPay:
    """Average daily earnings and the pay for a leave starting on `start_date` (Regulation 922)."""
    rate_list = sorted(rates, key=lambda r: r.effective_date)
    excluded = {day for start, end in excluded_periods for day in date_range(start, end)}
    month_of_leave = first_of_month(start_date)
    period_start = add_months(month_of_leave, -12)
    period_end = month_of_leave - ONE_DAY
    attempts = [
        (PERIOD, period_start, period_end),
        (PREVIOUS_PERIOD, add_months(month_of_leave, -24), period_start - ONE_DAY),
        (START_MONTH, month_of_leave, start_date - ONE_DAY),
    ]
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
        )
        if _has_work(months):
            earnings = sum((m.earnings for m in months), Decimal(0))
            days_counted = sum((m.days_counted for m in months), Decimal(0))
            average = round_money(earnings / days_counted)
            return VacationPay(
                method=method,
                period_start=first,
                period_end=last,
                earnings=earnings,
                days_counted=days_counted,
                average_daily=average,
                days_charged=days_charged,
                amount=round_money(average * days_charged),
                months=tuple(months),
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
