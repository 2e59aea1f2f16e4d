"""Date helpers for the pure core: months, ranges. Dates only, never datetimes."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

ONE_DAY = dt.timedelta(days=1)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(day: dt.date) -> dt.date:
    return day.replace(day=days_in_month(day.year, day.month))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 month = 28/29 Feb).

    Callers always add to the original anchor (hire date + k months), never step by step, so the
    clipping never accumulates: 31 Jan + 2 months is 31 Mar.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, days_in_month(year, month + 1)))


def date_range(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date from start to end, both included."""
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def month_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The first day of every month touched by [start, end]."""
    month = first_of_month(start)
    while month <= end:
        yield month
        month = add_months(month, 1)
