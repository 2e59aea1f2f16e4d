"""Pay for work on a weekend or a non-working public holiday (art. 153 of the Labour Code), for salaried staff.

Pure: plain Decimals in and out, no Django (the holiday-work report reads the data and calls these).

The hourly rate (art. 153 part 1, as amended in 2021: the rate includes the compensatory and incentive payments
of the pay system):

    hourly rate = (monthly salary × FTE + the compensatory and incentive payments of the month)
                  / the month's hour norm for the employee's own week,        half-up to kopecks once.

The employee's own week is one figure (`own_week`): their contract's week when recorded, else the normal 40-hour
week × FTE. The FTE scales the pay; the week is not scaled by it a second time. A half-timer (FTE 0.5, a 20-hour
week) on 100 000 ₽ in January 2025 (17 working days, no shortened one): 100 000 × 0.5 / (17 × 4 h = 68 h)
= 735.294… → 735.29 ₽, what a full-timer's hour costs (100 000 / 136 h); applying the FTE to the salary *and*
taking the 20-hour norm on top of the full salary gave 100 000 / 68 = 1 470.59.

Which multiplier (art. 153 parts 1 and 4), per month of the employee's timesheet:
- hours within the month's norm: a single rate on top of the salary (× 1);
- hours beyond the norm: a double rate (× 2);
- the employee chose another day of rest instead: single pay (× 1), the day of rest unpaid.

"Beyond the norm" is read over the whole month: the month's hours worked (every timesheet entry: working days,
overtime and the holiday work itself) above its norm are the holiday hours paid double, up to the holiday hours
paid at an increased rate. They are taken from the latest holiday hours of the month backwards (the norm is
exhausted by the month's end; a raise in the month is then applied to the hours paid double). A month whose
timesheet has no hours on working days at all is read as a timesheet that only lists holiday work: the norm is
taken as worked, so every holiday hour is beyond it (the reading that does not underpay; decision
holiday-work-rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FULL_TIME_WEEK = Decimal(40)
KOPECK = Decimal("0.01")
ZERO = Decimal(0)

WITHIN = "within"  # within the month's norm: single rate on top of the salary
BEYOND = "beyond"  # beyond the month's norm: double rate
BEYOND_ASSUMED = "beyond_assumed"  # no working-day hours in the timesheet: the norm taken as worked, double rate
DAY_OFF = "day_off"  # another day of rest instead: single pay
MULTIPLIERS = {WITHIN: Decimal(1), BEYOND: Decimal(2), BEYOND_ASSUMED: Decimal(2), DAY_OFF: Decimal(1)}


def own_week(weekly_hours: Decimal | int | None, fte: Decimal) -> Decimal:
    """The employee's own working week in hours: the contract's week when recorded, else 40 h × FTE."""
    if weekly_hours is not None:
        return Decimal(weekly_hours)
    return FULL_TIME_WEEK * fte


def hourly_rate(*, salary: Decimal, fte: Decimal, norm_hours: Decimal, payments: Decimal = ZERO) -> Decimal | None:
    """(salary × FTE + payments) / norm_hours, half-up to kopecks; None for a month without a norm.

    `payments` are the compensatory and incentive payments accrued for the month (allowances, monthly bonuses);
    0 where none are known.

    >>> hourly_rate(salary=Decimal("100000"), fte=Decimal("0.5"), norm_hours=Decimal("68"))
    Decimal('735.29')
    >>> hourly_rate(salary=Decimal("100000"), fte=Decimal("1"), norm_hours=Decimal("136"), payments=Decimal("13600"))
    Decimal('835.29')
    """
    if norm_hours <= 0:
        return None
    return ((salary * fte + payments) / norm_hours).quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthHours:
    """One employee's month, from the whole month's timesheet (not only the report's dates).

    norm: the month's hour norm at the employee's week; worked: every hour of the month's timesheet;
    holiday: the hours of holiday work (all of them, a day off instead or not); premium: the holiday hours paid at
    an increased rate (without a day off instead)."""

    norm: Decimal
    worked: Decimal
    holiday: Decimal
    premium: Decimal

    @property
    def has_working_day_hours(self) -> bool:
        return self.worked > self.holiday

    @property
    def beyond(self) -> Decimal:
        """The holiday hours paid double: the month's hours above its norm, at most the premium hours."""
        if not self.has_working_day_hours:
            return self.premium
        return min(self.premium, max(self.worked - self.norm, ZERO))


def split_line(
    *, hours: Decimal, day_off_instead: bool, month: MonthHours, premium_after: Decimal
) -> list[tuple[Decimal, str]]:
    """The (hours, rule) parts of one holiday-work line: a day off instead is one part; otherwise the hours beyond
    the norm (taken from the month's latest holiday hours: `premium_after` is the premium hours after this line)
    are double, the rest single. Within first; no empty part.

    >>> m = MonthHours(norm=Decimal(160), worked=Decimal(165), holiday=Decimal(8), premium=Decimal(8))
    >>> split_line(hours=Decimal(8), day_off_instead=False, month=m, premium_after=Decimal(0))
    [(Decimal('3'), 'within'), (Decimal('5'), 'beyond')]
    """
    if day_off_instead:
        return [(hours, DAY_OFF)]
    double = min(max(month.beyond - premium_after, ZERO), hours)
    double_rule = BEYOND if month.has_working_day_hours else BEYOND_ASSUMED
    parts = [(hours - double, WITHIN), (double, double_rule)]
    return [(part, rule) for part, rule in parts if part > 0]


def line_pay(hours: Decimal, rate: Decimal, rule: str) -> Decimal:
    """hours × hourly rate × the rule's multiplier, half-up to kopecks."""
    return (hours * rate * MULTIPLIERS[rule]).quantize(KOPECK, rounding=ROUND_HALF_UP)
