"""The production calendar: which days are worked and how many hours each is worth.

A calendar is a plain mapping of the dates that differ from a Monday–Friday week (the rows of
`ru-production-calendar.csv`). Everything else is an ordinary weekday (working) or an ordinary
Saturday/Sunday (not working).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from leave.calc.dates import date_range, days_in_month

PUBLIC_HOLIDAY = "public_holiday"  # a non-working public holiday of art. 112 (not counted inside leave, art. 120)
DAY_OFF = "day_off"  # a transferred day off: a weekend moved onto a weekday (counted inside leave)
WORKING_WEEKEND = "working_weekend"  # a Saturday/Sunday made a working day by decree
WORKING_DAY = "working_day"  # a weekday listed only because it is shortened
KINDS = (PUBLIC_HOLIDAY, DAY_OFF, WORKING_WEEKEND, WORKING_DAY)
WORKING_KINDS = frozenset({WORKING_WEEKEND, WORKING_DAY})

FULL_TIME_WEEKLY_HOURS = Decimal(40)
WORKING_DAYS_A_WEEK = 5
# Art. 95: the working day just before a non-working public holiday is one hour shorter,
# whatever the length of the working week (Order of the Ministry of Health No. 588n).
PRE_HOLIDAY_SHORTENING = Decimal(1)


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    kind: str
    shortened: bool = False
    name: str = ""
    moved_from: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown calendar day kind {self.kind!r}")


@dataclass(frozen=True)
class MonthNorm:
    year: int
    month: int
    calendar_days: int
    working_days: int
    shortened_days: int
    hours: Decimal


class ProductionCalendar:
    """Working days and hour norms from a set of special days (plain data, no database)."""

    def __init__(self, days: Iterable[SpecialDay] | Mapping[dt.date, SpecialDay] = ()) -> None:
        values = days.values() if isinstance(days, Mapping) else days
        self._days: dict[dt.date, SpecialDay] = {day.date: day for day in values}

    def __contains__(self, day: dt.date) -> bool:
        return day in self._days

    def special(self, day: dt.date) -> SpecialDay | None:
        return self._days.get(day)

    def special_days(self, start: dt.date | None = None, end: dt.date | None = None) -> list[SpecialDay]:
        return [
            d
            for d in sorted(self._days.values(), key=lambda d: d.date)
            if (start is None or d.date >= start) and (end is None or d.date <= end)
        ]

    def is_public_holiday(self, day: dt.date) -> bool:
        special = self._days.get(day)
        return special is not None and special.kind == PUBLIC_HOLIDAY

    def is_working_day(self, day: dt.date) -> bool:
        special = self._days.get(day)
        if special is not None:
            return special.kind in WORKING_KINDS
        return day.weekday() < WORKING_DAYS_A_WEEK

    def is_shortened(self, day: dt.date) -> bool:
        special = self._days.get(day)
        return special is not None and special.shortened and special.kind in WORKING_KINDS

    def day_hours(self, day: dt.date, weekly_hours: Decimal | int = FULL_TIME_WEEKLY_HOURS) -> Decimal:
        """The hour norm of one day: weekly hours / 5, an hour less on a shortened day (588n)."""
        if not self.is_working_day(day):
            return Decimal(0)
        hours = Decimal(weekly_hours) / WORKING_DAYS_A_WEEK
        if self.is_shortened(day):
            hours = max(hours - PRE_HOLIDAY_SHORTENING, Decimal(0))
        return hours

    def working_days(self, start: dt.date, end: dt.date) -> int:
        return sum(1 for day in date_range(start, end) if self.is_working_day(day))

    def working_dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [day for day in date_range(start, end) if self.is_working_day(day)]

    def hour_norm(self, start: dt.date, end: dt.date, weekly_hours: Decimal | int = FULL_TIME_WEEKLY_HOURS) -> Decimal:
        return sum((self.day_hours(day, weekly_hours) for day in date_range(start, end)), Decimal(0))

    def public_holidays(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [d.date for d in self.special_days(start, end) if d.kind == PUBLIC_HOLIDAY]

    def month(self, year: int, month: int, weekly_hours: Decimal | int = FULL_TIME_WEEKLY_HOURS) -> MonthNorm:
        first = dt.date(year, month, 1)
        last = dt.date(year, month, days_in_month(year, month))
        working = self.working_dates(first, last)
        return MonthNorm(
            year=year,
            month=month,
            calendar_days=(last - first).days + 1,
            working_days=len(working),
            shortened_days=sum(1 for day in working if self.is_shortened(day)),
            hours=self.hour_norm(first, last, weekly_hours),
        )

    def year_months(self, year: int, weekly_hours: Decimal | int = FULL_TIME_WEEKLY_HOURS) -> list[MonthNorm]:
        return [self.month(year, month, weekly_hours) for month in range(1, 13)]
