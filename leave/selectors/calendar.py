"""The production calendar as the portal computes it: loaded rows, else the shipped sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from leave import calc
from leave.calc import sources
from leave.models import CalendarDay


def production_calendar(*, start: dt.date, end: dt.date) -> calc.ProductionCalendar:
    """The calendar for whole years [start.year, end.year]: the table where loaded, else the sources.

    One query. A year with no row at all has not been loaded (every year has 1 January): it is read
    from the shipped table or `holidays.RU` on the fly, so a fresh database still computes right.
    """
    years = sources.year_span(start, end)
    rows = list(CalendarDay.objects.filter(date__year__gte=years[0], date__year__lte=years[-1]))
    days = [row.as_special_day() for row in rows]
    loaded = {row.date.year for row in rows}
    for year in years:
        if year not in loaded:
            days.extend(sources.special_days_for_year(year)[0])
    return calc.ProductionCalendar(days)


def calendar_loaded(*, year: int) -> bool:
    return CalendarDay.objects.filter(date__year=year).exists()


@dataclass(frozen=True)
class CalendarYear:
    year: int
    months: list[calc.MonthNorm]
    days: list[calc.SpecialDay]


def calendar_year(*, year: int) -> CalendarYear:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    calendar = production_calendar(start=first, end=last)
    return CalendarYear(year=year, months=calendar.year_months(year), days=calendar.special_days(first, last))
