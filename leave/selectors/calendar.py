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


def provisional_years(*, start: dt.date, end: dt.date) -> list[int]:
    """The years of [start.year, end.year] whose calendar is provisional: not in the official table (loaded or
    shipped) and not confirmed by HR (a row HR edited or confirmed in the admin) — computed from the fixed
    federal holidays alone, without the government's transfers. One query."""
    years = sources.year_span(start, end)
    confirmed = set(
        CalendarDay.objects.filter(
            date__year__gte=years[0],
            date__year__lte=years[-1],
            source__in=[CalendarDay.Source.OFFICIAL, CalendarDay.Source.MANUAL],
        )
        .values_list("date__year", flat=True)
        .distinct()
    )
    return [y for y in years if y not in confirmed and not sources.official_days(y)]


def calendar_loaded(*, year: int) -> bool:
    return CalendarDay.objects.filter(date__year=year).exists()


@dataclass(frozen=True)
class CalendarYear:
    year: int
    months: list[calc.MonthNorm]
    days: list[calc.SpecialDay]
    provisional: bool = False  # see provisional_years


def calendar_year(*, year: int) -> CalendarYear:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    calendar = production_calendar(start=first, end=last)
    return CalendarYear(
        year=year,
        months=calendar.year_months(year),
        days=calendar.special_days(first, last),
        provisional=bool(provisional_years(start=first, end=last)),
    )
