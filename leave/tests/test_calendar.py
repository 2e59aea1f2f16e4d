"""Acceptance 1: the production calendar against the official tables, and the two data sources agree."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hrportal.errors import ValidationFailed
from leave import calc, selectors, services
from leave.calc import sources
from leave.models import CalendarDay
from leave.tests.conftest import d

# The official production calendars (five-day week, 40 hours): (working days, hours) per month.
# Source: the tables published with the government's transfer decrees (Consultant/Garant, xmlcalendar).
OFFICIAL_2024 = [
    (17, 136), (20, 159), (20, 159), (21, 168), (20, 159), (19, 151),
    (23, 184), (22, 176), (21, 168), (23, 184), (21, 167), (21, 168),
]  # fmt: skip
OFFICIAL_2025 = [
    (17, 136), (20, 160), (21, 167), (22, 175), (18, 144), (19, 151),
    (23, 184), (21, 168), (22, 176), (23, 184), (19, 151), (22, 176),
]  # fmt: skip
OFFICIAL_2026 = [
    (15, 120), (19, 152), (21, 168), (22, 175), (19, 151), (21, 167),
    (23, 184), (21, 168), (22, 176), (22, 176), (20, 159), (22, 176),
]  # fmt: skip
OFFICIAL = {2024: (OFFICIAL_2024, 248, 1979), 2025: (OFFICIAL_2025, 247, 1972), 2026: (OFFICIAL_2026, 247, 1972)}


@pytest.mark.parametrize("year", sorted(OFFICIAL))
@pytest.mark.parametrize("month", range(1, 13))
def test_month_matches_the_official_table(official_calendar: calc.ProductionCalendar, year: int, month: int) -> None:
    norm = official_calendar.month(year, month)
    assert (norm.working_days, norm.hours) == OFFICIAL[year][0][month - 1]


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_year_totals_match_the_official_table(official_calendar: calc.ProductionCalendar, year: int) -> None:
    table, days, hours = OFFICIAL[year]
    months = official_calendar.year_months(year)
    assert sum(m.working_days for m in months) == days == sum(t[0] for t in table)
    assert sum(m.hours for m in months) == hours == sum(t[1] for t in table)


@pytest.mark.parametrize(
    ("weekly_hours", "expected"),
    [
        # Order 588n: weekly hours / 5 × working days − 1 h × shortened days; 2025: 247 days, 4 shortened.
        (36, Decimal("1774.4")),  # 7.2 × 247 − 4
        (24, Decimal("1181.6")),  # 4.8 × 247 − 4
        (20, Decimal("984.0")),  # 4 × 247 − 4
    ],
)
def test_hour_norm_pro_rata_for_shorter_weeks(
    official_calendar: calc.ProductionCalendar, weekly_hours: int, expected: Decimal
) -> None:
    assert official_calendar.hour_norm(d("2025-01-01"), d("2025-12-31"), weekly_hours) == expected


def test_day_hours(official_calendar: calc.ProductionCalendar) -> None:
    assert official_calendar.day_hours(d("2025-03-07")) == 7  # shortened Friday before 8 March
    assert official_calendar.day_hours(d("2025-03-06")) == 8
    assert official_calendar.day_hours(d("2025-03-08")) == 0  # a holiday on a Saturday
    assert official_calendar.day_hours(d("2025-11-01")) == 7  # a shortened working Saturday
    assert official_calendar.day_hours(d("2025-03-07"), 36) == Decimal("6.2")
    assert official_calendar.day_hours(d("2025-03-07"), 5) == Decimal("0")  # never below zero
    assert official_calendar.working_days(d("2024-12-28"), d("2024-12-31")) == 1  # Saturday worked, 30–31 off


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_shipped_table_and_holidays_ru_agree(year: int) -> None:
    """Every year both sources cover: same holidays (and names), transferred days off (and their origin),
    working weekends — and the art. 95 rule reproduces the official shortened days."""
    official = {day.date: day for day in sources.official_days(year)}
    library = {day.date: day for day in sources.library_days(year)}
    assert official == library
    # Holidays, days off and working weekends as holidays.RU itself has them (no shortened days there).
    raw = {day.date: day for day in sources.library_days(year, derive=False)}
    assert raw == {
        day.date: dataclasses.replace(day, shortened=False) for day in official.values() if day.kind != calc.WORKING_DAY
    }


def test_later_years_come_from_holidays_ru_with_art_112_transfers() -> None:
    days, source = sources.special_days_for_year(2028)
    assert source == sources.SOURCE_LIBRARY
    by_date = {day.date: day for day in days}
    # 4 November 2028 is a Saturday: its day off moves to Monday 6 November (art. 112 part 2).
    assert by_date[d("2028-11-06")] == calc.SpecialDay(d("2028-11-06"), calc.DAY_OFF, moved_from=d("2028-11-04"))
    assert by_date[d("2028-11-03")].shortened  # the Friday before it
    assert by_date[d("2028-01-07")].kind == calc.PUBLIC_HOLIDAY
    days_2027, _ = sources.special_days_for_year(2027)
    by_date = {day.date: day for day in days_2027}
    assert by_date[d("2027-02-20")].kind == calc.WORKING_WEEKEND and by_date[d("2027-02-20")].shortened
    assert by_date[d("2027-02-22")].moved_from == d("2027-02-20")
    assert by_date[d("2027-12-31")].moved_from == d("2027-01-03")


def test_special_day_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown calendar day kind"):
        calc.SpecialDay(d("2025-01-01"), "party")


@pytest.mark.django_db
def test_load_calendar_is_idempotent_and_keeps_hr_edits() -> None:
    first = services.load_calendar(year=2025)
    assert first.created == len(sources.official_days(2025)) and first.updated == first.deleted == 0
    again = services.load_calendar(year=2025)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    row = CalendarDay.objects.get(date=d("2025-06-11"))
    assert row.shortened and row.source == CalendarDay.Source.OFFICIAL
    # HR edits a day in the admin: the loader leaves it alone.
    row.shortened = False
    services.calendar_day_save(day=row)
    # A stray row the source does not list is removed; a changed one is put back.
    CalendarDay.objects.create(date=d("2025-08-01"), kind=calc.DAY_OFF, source=CalendarDay.Source.OFFICIAL)
    CalendarDay.objects.filter(date=d("2025-01-07")).update(name="wrong")
    result = services.load_calendar(year=2025)
    assert (result.created, result.updated, result.deleted, result.kept_manual) == (0, 1, 1, 1)
    assert not CalendarDay.objects.get(date=d("2025-06-11")).shortened
    assert CalendarDay.objects.get(date=d("2025-01-07")).name == "Рождество Христово"


@pytest.mark.django_db
def test_load_calendar_command_default_years_and_library_year() -> None:
    call_command("load_calendar", "--year", "2028")
    assert CalendarDay.objects.get(date=d("2028-11-06")).source == CalendarDay.Source.LIBRARY
    call_command("load_calendar")
    years = services.default_calendar_years()
    assert years[0] == 2022 and years[-1] >= 2027
    for year in years:
        assert CalendarDay.objects.filter(date__year=year).exists()
    with pytest.raises(CommandError):
        call_command("load_calendar", "--country", "DE")
    with pytest.raises(CommandError):
        call_command("load_calendar", "--year", "1800")
    with pytest.raises(ValidationFailed):
        services.load_calendar(country="FR")


def test_default_years_follow_today() -> None:
    assert services.default_calendar_years(dt.date(2031, 5, 1)) == list(range(2022, 2033))


@pytest.mark.django_db
def test_selector_uses_loaded_rows_and_falls_back_per_year() -> None:
    services.load_calendar(year=2025)
    row = CalendarDay.objects.get(date=d("2025-06-13"))
    row.kind = calc.WORKING_DAY  # HR makes the Friday a working day
    services.calendar_day_save(day=row)
    calendar = selectors.production_calendar(start=d("2024-01-01"), end=d("2025-12-31"))
    assert calendar.is_working_day(d("2025-06-13"))
    # 2024 is not loaded: it comes from the shipped table.
    assert calendar.special(d("2024-12-31")) == calc.SpecialDay(
        d("2024-12-31"), calc.DAY_OFF, moved_from=d("2024-01-07")
    )
    assert selectors.calendar_loaded(year=2025) and not selectors.calendar_loaded(year=2024)
