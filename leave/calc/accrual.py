"""Service that earns annual leave, and the days it earns.

The service timeline starts on the hire date. Days that do not count towards the right to annual
leave (art. 121: unpaid leave beyond 14 calendar days in a working year) are *excluded*: time stands
still on them, so every later month and working year of service ends that many days later. On that
shifted ("virtual") timeline:

- month k of service (k = 1, 2, …) runs from hire + (k-1) months to hire + k months - 1 day;
- working year j runs from hire + j years to hire + j+1 years - 1 day;
- a month counts once at least half of it is served (rule 35 of the 1930 Regulations on regular and
  additional leave): less than half is dropped, half or more counts as a whole month. "Half" is read
  as 15 calendar days (docs/decisions/leave-rules.md);
- entitlement after n counted months = yearly days × n / 12 rounded half-up to 0.01, and each month
  accrues the difference of that rounded cumulative figure, so 12 months give exactly the yearly days.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from leave.calc.dates import ONE_DAY, add_months, date_range

MONTHS_A_YEAR = 12
HALF_MONTH_DAYS = 15
UNPAID_DAYS_COUNTED_A_YEAR = 14  # art. 121
FIRST_LEAVE_AFTER_MONTHS = 6  # art. 122
DAY_PRECISION = Decimal("0.01")


def cumulative_entitlement(months: int, yearly_days: Decimal) -> Decimal:
    """Days earned by `months` counted months: rounded half-up once, on the cumulative figure."""
    if months <= 0:
        return Decimal("0.00")
    return (Decimal(yearly_days) * months / MONTHS_A_YEAR).quantize(DAY_PRECISION, rounding=ROUND_HALF_UP)


def month_accrual(index: int, yearly_days: Decimal) -> Decimal:
    """What month `index` (1-based) adds: the difference of the rounded cumulative figures."""
    return cumulative_entitlement(index, yearly_days) - cumulative_entitlement(index - 1, yearly_days)


def _year_index(hire_date: dt.date, virtual: dt.date) -> int:
    years = virtual.year - hire_date.year
    if add_months(hire_date, MONTHS_A_YEAR * years) > virtual:
        years -= 1
    return years


def excluded_service_days(
    *,
    hire_date: dt.date,
    unpaid_periods: Iterable[tuple[dt.date, dt.date]] = (),
    excluded_periods: Iterable[tuple[dt.date, dt.date]] = (),
) -> tuple[dt.date, ...]:
    """The days that do not count as service for annual leave (art. 121 part 2).

    `unpaid_periods`: unpaid leave at the employee's request, of which 14 calendar days a working year count
    and each further day is excluded. `excluded_periods`: absence without good cause (incl. suspension under
    art. 76) and child-care leave until the child is three (art. 256), excluded from the first day.

    A chronological sweep: a working year's end moves later with every excluded day, and the next
    unpaid day is placed in a working year by the time served so far. A day in both is excluded outright
    (it does not use up one of the 14 counted unpaid days — the reading that protects the employee).
    """
    always = {day for start, end in excluded_periods for day in date_range(max(start, hire_date), end)}
    unpaid_days = {day for start, end in unpaid_periods for day in date_range(max(start, hire_date), end)}
    excluded: list[dt.date] = []
    per_year: Counter[int] = Counter()
    for day in sorted(always | unpaid_days):
        if day in always:
            excluded.append(day)
            continue
        virtual = day - dt.timedelta(days=len(excluded))
        year = _year_index(hire_date, virtual)
        per_year[year] += 1
        if per_year[year] > UNPAID_DAYS_COUNTED_A_YEAR:
            excluded.append(day)
    return tuple(excluded)


@dataclass(frozen=True)
class ServiceMonth:
    index: int  # 1-based
    start: dt.date  # real dates: shifted by the excluded days before them
    end: dt.date
    counted_on: dt.date  # the first date on which the month counts (half of it served)


class ServiceTimeline:
    """Months and working years of service from the hire date, shifted by excluded days (art. 121)."""

    def __init__(
        self,
        *,
        hire_date: dt.date,
        excluded_days: Iterable[dt.date] = (),
        termination_date: dt.date | None = None,
    ) -> None:
        self.hire_date = hire_date
        self.termination_date = termination_date
        self._excluded = sorted(set(excluded_days))
        self._excluded_set = set(self._excluded)

    @property
    def excluded_days(self) -> tuple[dt.date, ...]:
        return tuple(self._excluded)

    def _excluded_through(self, day: dt.date) -> int:
        return bisect.bisect_right(self._excluded, day)

    def served_days(self, on: dt.date) -> int:
        """Calendar days of service from the hire date through `on` (and not past the termination)."""
        last = on if self.termination_date is None else min(on, self.termination_date)
        if last < self.hire_date:
            return 0
        excluded = self._excluded_through(last) - self._excluded_through(self.hire_date - ONE_DAY)
        return (last - self.hire_date).days + 1 - excluded

    def virtual_date(self, on: dt.date) -> dt.date | None:
        """The date on the unshifted timeline that the service up to `on` reaches (None before the hire)."""
        served = self.served_days(on)
        return self.hire_date + dt.timedelta(days=served - 1) if served else None

    def real_date(self, virtual: dt.date) -> dt.date:
        """The first real date whose service reaches `virtual` (a fixpoint over the sorted excluded days)."""
        before_hire = self._excluded_through(self.hire_date - ONE_DAY)
        day = virtual
        while True:
            shifted = virtual + dt.timedelta(days=self._excluded_through(day) - before_hire)
            if shifted == day:
                return day
            day = shifted

    def months_counted(self, on: dt.date) -> int:
        """Months of service counted by `on`: full months, plus one when the surplus is half a month or more."""
        virtual = self.virtual_date(on)
        if virtual is None:
            return 0
        months = (virtual.year - self.hire_date.year) * MONTHS_A_YEAR + virtual.month - self.hire_date.month + 1
        while add_months(self.hire_date, months) > virtual + ONE_DAY:
            months -= 1
        surplus = (virtual + ONE_DAY - add_months(self.hire_date, months)).days
        return months + (1 if surplus >= HALF_MONTH_DAYS else 0)

    def service_month(self, index: int) -> ServiceMonth:
        start_virtual = add_months(self.hire_date, index - 1)
        end_virtual = add_months(self.hire_date, index) - ONE_DAY
        return ServiceMonth(
            index=index,
            start=self.real_date(start_virtual),
            end=self.real_date(end_virtual),
            counted_on=self.real_date(start_virtual + dt.timedelta(days=HALF_MONTH_DAYS - 1)),
        )

    def months_due(self, up_to: dt.date) -> list[ServiceMonth]:
        return [self.service_month(index) for index in range(1, self.months_counted(up_to) + 1)]

    def working_year(self, on: dt.date) -> tuple[dt.date, dt.date]:
        """The working year (real dates) that `on` falls in; before the hire, the first one.

        A year ends the day before the next one starts, so excluded days at its end belong to it (they
        push it back, art. 121) and the years tile the calendar without gaps.
        """
        virtual = self.virtual_date(on) or self.hire_date
        year = _year_index(self.hire_date, virtual)
        return self.working_year_bounds(year)

    def working_year_index(self, on: dt.date) -> int:
        """0 for the first working year; the year of the last day of service after the termination."""
        return _year_index(self.hire_date, self.virtual_date(on) or self.hire_date)

    def working_year_bounds(self, index: int) -> tuple[dt.date, dt.date]:
        # The first year starts on the hire date even if its first days are excluded ones.
        start = self.hire_date if index == 0 else self.real_date(add_months(self.hire_date, MONTHS_A_YEAR * index))
        try:
            next_start = self.real_date(add_months(self.hire_date, MONTHS_A_YEAR * (index + 1)))
        except (ValueError, OverflowError):  # a year ending past 9999-12-31: it ends on the last date there is
            return start, dt.date.max
        return start, next_start - ONE_DAY

    def first_leave_due(self) -> dt.date:
        """Art. 122: the right to the first annual leave arises after six months of continuous service."""
        return self.real_date(add_months(self.hire_date, FIRST_LEAVE_AFTER_MONTHS))

    def entitlement_on(self, on: dt.date, yearly_days: Decimal) -> Decimal:
        return cumulative_entitlement(self.months_counted(on), yearly_days)
