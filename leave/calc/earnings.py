"""Regulation No. 922 beyond the salary: payroll accruals (items 2–3, 5, 15), indexation (item 16) and the
minimum wage (item 18, art. 133). Pure: plain dates and Decimals; the readings chosen are in
docs/decisions/0009 to 0012 (what counts, bonuses, indexation, the minimum wage and rounding).

- Item 2–3: what counts is decided per accrual (`Accrual.counts`), by kind unless HR says otherwise
  (`COUNTS_BY_DEFAULT`): sick pay, vacation pay and "other" (material aid, trip pay) do not count.
- Item 15: a monthly bonus counts when accrued in the period, at most one a kind for each month it is for (the
  largest); a bonus for a longer period counts when accrued in the period — in full if its period is at most as
  long as the calculation period, else its monthly part for each month of the period; the annual bonus for the
  previous calendar year counts whatever its accrual date. Quarterly and annual bonuses are taken in proportion
  to the working days worked in the period when part of it was not worked (item 5 time).
- Item 16: a pay rate flagged `indexation` raises every payment for the time before it by new salary / salary
  before it: inside the period month by month, after the period on the average, during the leave from its date.
- Item 18 and art. 133: a month's counted pay is not below the minimum wage × FTE × share of the month worked;
  the average daily earnings not below the minimum wage × FTE / 29.3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from leave.calc.dates import first_of_month, month_starts

# The payroll kinds and what counts by default are the payroll app's (plain Python, no Django); items 2–3: pay of
# the pay system counts; social payments and the pay of item-5 time (sick pay, average earnings kept for a leave or
# a trip) do not; "other" is material aid or trip pay in a 1С export: not counted unless HR ticks it.
from payroll.kinds import (  # noqa: F401  (re-exported: the calculation's callers and tests name them from here)
    ALLOWANCE,
    BONUS_MONTH,
    BONUS_QUARTER,
    BONUS_YEAR,
    COUNTS_BY_DEFAULT,
    HOLIDAY_WORK,
    KINDS,
    OTHER,
    SALARY,
    SICK_PAY,
    VACATION_PAY,
)
from payroll.kinds import BONUSES_WITH_PERIOD as PERIOD_BONUSES

ONE = Decimal(1)

# Why a payment did or did not enter the average (codes; the pages word them).
COUNTED = "counted"
NOT_COUNTED = "not_counted"  # item 3 / HR's choice
EXTRA_MONTHLY_BONUS = "extra_monthly_bonus"  # item 15: one a kind for each month
OUTSIDE_PERIOD = "outside_period"  # item 15: accrued outside the period (and not last year's annual bonus)
PREVIOUS_YEAR = "previous_year"  # item 15: the annual bonus for the previous calendar year


@dataclass(frozen=True)
class Accrual:
    month: dt.date  # the month accrued (its first day)
    kind: str
    amount: Decimal
    counts: bool = True
    period_start: dt.date | None = None  # the period a bonus is for
    period_end: dt.date | None = None
    document: str = ""


@dataclass(frozen=True)
class Payment:
    kind: str
    amount: Decimal
    document: str
    status: str  # COUNTED, NOT_COUNTED, EXTRA_MONTHLY_BONUS


@dataclass(frozen=True)
class BonusLine:
    """A quarterly or annual bonus and what of it entered the average (item 15)."""

    kind: str
    month: dt.date
    period_start: dt.date | None
    period_end: dt.date | None
    document: str
    amount: Decimal
    period_share: Decimal  # 1, or months of the calculation period / months of the bonus's period
    worked_share: Decimal  # 1, or working days worked / working days of the period
    indexation: Decimal
    counted: Decimal  # unrounded
    status: str  # COUNTED, PREVIOUS_YEAR, NOT_COUNTED, OUTSIDE_PERIOD


def minimum_wage_on(table: Sequence[tuple[dt.date, Decimal]], day: dt.date) -> Decimal | None:
    """The amount in force on `day` from (since, amount) rows; None without a table (no floor)."""
    amount = table[0][1] if table else None
    for since, value in table:
        if since > day:
            break
        amount = value
    return amount


def indexation_steps(rates: Iterable[object]) -> list[tuple[dt.date, Decimal]]:
    """(effective date, new salary / salary before) of each raise flagged as an indexation (item 16).

    The salary is per full FTE, so an FTE change is no raise; a flagged change that lowers the salary, or the
    first rate, indexes nothing."""
    steps = []
    previous = None
    for rate in sorted(rates, key=lambda r: r.effective_date):  # type: ignore[attr-defined]
        if getattr(rate, "indexation", False) and previous is not None and 0 < previous.salary < rate.salary:
            steps.append((rate.effective_date, rate.salary / previous.salary))
        previous = rate
    return steps


def index_factor(steps: Sequence[tuple[dt.date, Decimal]], *, day: dt.date, up_to: dt.date) -> Decimal:
    """The factor of a payment for `day`: every indexation after it, up to and including `up_to`."""
    factor = ONE
    for effective, ratio in steps:
        if day < effective <= up_to:
            factor *= ratio
    return factor


def months_between(start: dt.date, end: dt.date) -> int:
    return sum(1 for _ in month_starts(start, end))


def monthly_payments(accruals: Sequence[Accrual], month: dt.date) -> list[Payment]:
    """A month's accruals (period bonuses apart) with whether each counts: item 3 by `counts`, item 15 by
    keeping the largest monthly bonus for each month it is for."""
    payments: list[Payment] = []
    best_bonus: dict[dt.date, Accrual] = {}
    for accrual in accruals:
        if accrual.kind == BONUS_MONTH and accrual.counts:
            for_month = first_of_month(accrual.period_start or accrual.month)
            kept = best_bonus.get(for_month)
            if kept is None or accrual.amount > kept.amount:
                best_bonus[for_month] = accrual
    kept_ids = {id(a) for a in best_bonus.values()}
    for accrual in accruals:
        if accrual.kind in PERIOD_BONUSES or first_of_month(accrual.month) != month:
            continue
        if not accrual.counts:
            status = NOT_COUNTED
        elif accrual.kind == BONUS_MONTH and id(accrual) not in kept_ids:
            status = EXTRA_MONTHLY_BONUS
        else:
            status = COUNTED
        payments.append(Payment(kind=accrual.kind, amount=accrual.amount, document=accrual.document, status=status))
    return payments


def period_bonuses(
    accruals: Iterable[Accrual],
    *,
    period_start: dt.date,
    period_end: dt.date,
    event: dt.date,
    worked_share: Decimal,
    steps: Sequence[tuple[dt.date, Decimal]],
) -> list[BonusLine]:
    """The quarterly and annual bonuses of item 15 for a calculation period [period_start, period_end] before
    the event (the leave's first day); every such accrual is listed, counted or not, with why."""
    lines = []
    period_months = months_between(period_start, period_end)
    for accrual in accruals:
        if accrual.kind not in PERIOD_BONUSES:
            continue
        accrued_in_period = period_start <= accrual.month <= period_end
        previous_year = (
            accrual.kind == BONUS_YEAR
            and accrual.period_start is not None
            and accrual.period_end is not None
            and accrual.period_start.year == accrual.period_end.year == event.year - 1
        )
        if not accrual.counts:
            status = NOT_COUNTED
        elif accrued_in_period:
            status = COUNTED
        elif previous_year:
            status = PREVIOUS_YEAR
        else:
            status = OUTSIDE_PERIOD
        share = ONE
        if accrual.period_start is not None and accrual.period_end is not None:
            bonus_months = months_between(accrual.period_start, accrual.period_end)
            if bonus_months > period_months:  # item 15: its monthly part for each month of the period
                share = Decimal(period_months) / Decimal(bonus_months)
        # Item 16: the bonus is pay for its own period, indexed for the raises after that period.
        factor = index_factor(steps, day=accrual.period_end or accrual.month, up_to=period_end)
        counted = accrual.amount * share * worked_share * factor if status in (COUNTED, PREVIOUS_YEAR) else Decimal(0)
        lines.append(
            BonusLine(
                kind=accrual.kind,
                month=accrual.month,
                period_start=accrual.period_start,
                period_end=accrual.period_end,
                document=accrual.document,
                amount=accrual.amount,
                period_share=share,
                worked_share=worked_share,
                indexation=factor,
                counted=counted,
                status=status,
            )
        )
    return lines
