"""The production calendar for the demo timesheets.

The leave app's CalendarDay table (loaded by `load_calendar` from the government calendar) is the
truth; for a year it does not cover, holidays.RU stands in: its public holidays and transferred
days off, its working Saturdays, and — since it has no shortened days — the rule of art. 95 (the
working day before a public holiday is one hour shorter).
"""

from __future__ import annotations

import datetime as dt

import holidays
from django.apps import apps
from django.db import DatabaseError

from staff.demo.plan import Calendar


def _from_table(year: int) -> dict[dt.date, tuple[str, bool]] | None:
    try:
        model = apps.get_model("leave", "CalendarDay")
    except LookupError:
        return None
    rows = model.objects.filter(date__year=year)
    if any(f.name == "country" for f in model._meta.get_fields()):
        rows = rows.filter(country="RU")
    try:
        days = {day: (kind, bool(shortened)) for day, kind, shortened in rows.values_list("date", "kind", "shortened")}
    except DatabaseError:  # the leave app is installed but not migrated yet
        return None
    return days or None


def _from_holidays_package(year: int) -> dict[dt.date, tuple[str, bool]]:
    calendar = holidays.country_holidays("RU", years=year, language="en_US")
    days: dict[dt.date, tuple[str, bool]] = {}
    for day, name in calendar.items():
        days[day] = ("day_off" if str(name).startswith("Day off") else "public_holiday", False)
    for day in getattr(calendar, "weekend_workdays", set()):
        if day.year == year:
            days[day] = ("working_weekend", False)
    for day, (kind, _shortened) in list(days.items()):
        if kind != "public_holiday":
            continue
        before = day - dt.timedelta(days=1)
        if before.year != year:
            continue  # 31 December belongs to the previous year's calendar
        special = days.get(before)
        if special is None and before.weekday() < 5:
            days[before] = ("working_day", True)
        elif special is not None and special[0] in ("working_day", "working_weekend"):
            days[before] = (special[0], True)
    return days


def production_calendar(start: dt.date, end: dt.date) -> tuple[Calendar, dict[int, str]]:
    """Special days between start and end, and the source used for each year."""
    days: dict[dt.date, tuple[str, bool]] = {}
    sources: dict[int, str] = {}
    for year in range(start.year, end.year + 1):
        table = _from_table(year)
        if table is not None:
            days.update(table)
            sources[year] = "leave.CalendarDay"
        else:
            days.update(_from_holidays_package(year))
            sources[year] = "holidays.RU"
    return days, sources
