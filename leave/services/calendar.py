"""The production calendar: loading it, and HR's edits (which report the leave they touch)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal.errors import ValidationFailed
from leave import selectors
from leave.calc import sources
from leave.models import CalendarDay

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarLoad:
    years: list[int]
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_manual: int = 0


def default_calendar_years(today: dt.date | None = None) -> list[int]:
    """The shipped years, the year before them (vacation pay looks two years back) and up to next year."""
    today = today or timezone.localdate()
    shipped = sources.official_years()
    return list(range(shipped[0] - 1, max(shipped[-1], today.year) + 2))


@transaction.atomic
def load_calendar(*, country: str = "RU", year: int | None = None, today: dt.date | None = None) -> CalendarLoad:
    """Load the production calendar from the shipped table (and `holidays.RU` for other years). Idempotent.

    Rows HR edited in the admin (source "manual") are never overwritten or removed.
    """
    if country.upper() != "RU":
        raise ValidationFailed(_("Only the Russian production calendar (RU) is available."), field="country")
    years = [year] if year is not None else default_calendar_years(today)
    created = updated = deleted = kept = 0
    for one_year in years:
        wanted, source = sources.special_days_for_year(one_year)
        wanted_by_date = {d.date: d for d in wanted}
        existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(date__year=one_year)}
        for day, row in existing.items():
            if row.source == CalendarDay.Source.MANUAL:
                kept += 1
            elif day not in wanted_by_date:
                row.delete()
                deleted += 1
        for day, special in wanted_by_date.items():
            values = {
                "kind": special.kind,
                "shortened": special.shortened,
                "name": special.name,
                "moved_from": special.moved_from,
                "source": source,
            }
            row = existing.get(day)
            if row is None:
                CalendarDay.objects.create(date=day, **values)
                created += 1
            elif row.source != CalendarDay.Source.MANUAL and any(getattr(row, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
                updated += 1
    result = CalendarLoad(years=years, created=created, updated=updated, deleted=deleted, kept_manual=kept)
    logger.info("production calendar loaded: %s", result)
    return result


@transaction.atomic
def calendar_year_confirm(*, year: int) -> int:
    """HR confirms a provisional year's calendar as it stands (the fixed holidays, with the days HR edited): its
    rows become HR's, so the year is no longer provisional and load_calendar leaves them alone. Loads the year
    first when nothing is. Returns how many rows were confirmed."""
    if not CalendarDay.objects.filter(date__year=year).exists():
        load_calendar(year=year)
    confirmed = 0
    for day in (
        CalendarDay.objects.select_for_update().filter(date__year=year).exclude(source=CalendarDay.Source.MANUAL)
    ):
        day.source = CalendarDay.Source.MANUAL
        day.save(update_fields=["source", "updated_at"])
        confirmed += 1
    return confirmed


@transaction.atomic
def calendar_day_save(*, day: CalendarDay, previous_date: dt.date | None = None) -> list[selectors.AffectedLeave]:
    """HR's edit of a calendar day: kept as "manual" (load_calendar leaves it alone). Returns the pending
    and approved leave the change touches, re-quoted by the new calendar."""
    day.source = CalendarDay.Source.MANUAL
    # A year without rows is read from the sources; its first edited row must not hide all the others.
    if not CalendarDay.objects.filter(date__year=day.date.year).exclude(pk=day.pk).exists():
        load_calendar(year=day.date.year)
        loaded = CalendarDay.objects.filter(date=day.date).exclude(pk=day.pk).first()
        if loaded is not None and day.pk is None:
            day.pk = loaded.pk
            day._state.adding = False
    try:
        with transaction.atomic():
            day.save()
    except IntegrityError:
        raise ValidationFailed(_("This date is already in the calendar."), field="date") from None
    dates = {day.date} | ({previous_date} if previous_date else set())
    return selectors.affected_leave(dates=dates)


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay) -> list[selectors.AffectedLeave]:
    """Remove a calendar row (the date becomes an ordinary weekday or weekend); returns the leave it touches."""
    date = day.date
    day.delete()
    return selectors.affected_leave(dates=[date])
