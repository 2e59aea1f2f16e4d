"""Where the production calendar comes from: the official table shipped in the repo, then `holidays.RU`.

`leave/data/ru-production-calendar.csv` holds the official 2023–2026 facts (decrees on transferring days
off, as tabulated by xmlcalendar). Later (and earlier) years come from the `holidays` package, which
knows holidays, transfers and working Saturdays but neither shortened days nor which entries are art. 112
holidays and which are transferred days off; both are derived here:

- an entry named "… (выходной)" or "Выходной (перенесено с …)" is a transferred day off, the rest are
  public holidays;
- shortened days follow art. 95: a working day immediately before a public holiday, and a working
  Saturday/Sunday from which only non-working days lead to a public holiday within three days (decrees
  shorten such a Saturday: 2024-11-02, 2025-11-01). The shipped years are checked against this rule;
- a non-January public holiday on a weekend that the package moves nowhere is moved to the next working
  day (art. 112 part 2) — the rule that applies until a decree says otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from leave.calc.calendar import (
    DAY_OFF,
    PUBLIC_HOLIDAY,
    WORKING_DAY,
    WORKING_KINDS,
    WORKING_WEEKEND,
    ProductionCalendar,
    SpecialDay,
)
from leave.calc.dates import ONE_DAY

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "ru-production-calendar.csv"
SOURCE_OFFICIAL = "official"
SOURCE_LIBRARY = "holidays"
SHORTENED_LOOKAHEAD_DAYS = 3

_SUBSTITUTED = re.compile(r"перенесено с (\d{2})\.(\d{2})\.(\d{4})")
_OBSERVED_SUFFIX = " (выходной)"


def read_csv(path: Path = CSV_PATH) -> list[SpecialDay]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            SpecialDay(
                date=dt.date.fromisoformat(row["date"]),
                kind=row["kind"],
                shortened=row["shortened"].strip() == "1",
                name=row["holiday"].strip(),
                moved_from=dt.date.fromisoformat(row["moved_from"]) if row["moved_from"].strip() else None,
            )
            for row in csv.DictReader(handle)
        ]


@cache
def _official() -> dict[int, tuple[SpecialDay, ...]]:
    by_year: dict[int, list[SpecialDay]] = {}
    for day in read_csv():
        by_year.setdefault(day.date.year, []).append(day)
    return {year: tuple(days) for year, days in by_year.items()}


def official_years() -> list[int]:
    return sorted(_official())


def official_days(year: int) -> list[SpecialDay]:
    return list(_official().get(year, ()))


def derive_shortened(days: Iterable[SpecialDay]) -> list[SpecialDay]:
    """Mark the pre-holiday shortened days (art. 95) on a calendar that lacks them.

    Returns the input with the shortened flags set, plus `working_day` rows for shortened weekdays.
    """
    calendar = ProductionCalendar(days)
    result = {d.date: d for d in days}
    for holiday in [d.date for d in result.values() if d.kind == PUBLIC_HOLIDAY]:
        candidates = [holiday - ONE_DAY]
        # A working weekend day a few non-working days before the holiday (the Monday bridge moved away).
        for back in range(2, SHORTENED_LOOKAHEAD_DAYS + 1):
            day = holiday - dt.timedelta(days=back)
            between = [day + dt.timedelta(days=i) for i in range(1, back)]
            special = result.get(day)
            if special and special.kind == WORKING_WEEKEND and not any(calendar.is_working_day(b) for b in between):
                candidates.append(day)
        for day in candidates:
            if not calendar.is_working_day(day):
                continue
            special = result.get(day)
            if special is None:
                result[day] = SpecialDay(date=day, kind=WORKING_DAY, shortened=True)
            elif special.kind in WORKING_KINDS and not special.shortened:
                result[day] = SpecialDay(
                    date=day, kind=special.kind, shortened=True, name=special.name, moved_from=special.moved_from
                )
    return sorted(result.values(), key=lambda d: d.date)


def _observed_origin(name: str, day: dt.date, holidays_by_name: dict[str, list[dt.date]]) -> dt.date | None:
    base = name[: -len(_OBSERVED_SUFFIX)]
    earlier = [d for d in holidays_by_name.get(base, []) if d < day]
    return max(earlier) if earlier else None


def library_days(year: int, *, derive: bool = True) -> list[SpecialDay]:
    """The special days of a year from `holidays.RU`, typed as in the shipped table."""
    return list(_library_days(year, derive))


@cache
def _library_days(year: int, derive: bool) -> tuple[SpecialDay, ...]:
    """Computed once per process and year: the installed `holidays` package does not change while it runs
    (a quote of a leave in a year beyond the shipped table asked it on every request)."""
    import holidays  # imported here: only years beyond the shipped table need it

    source = holidays.RU(years=year, language="ru")
    entries = sorted(source.items())
    holidays_by_name: dict[str, list[dt.date]] = {}
    for day, name in entries:
        if not name.endswith(_OBSERVED_SUFFIX) and not _SUBSTITUTED.search(name):
            holidays_by_name.setdefault(name, []).append(day)
    days: dict[dt.date, SpecialDay] = {}
    for day, name in entries:
        substituted = _SUBSTITUTED.search(name)
        if substituted:
            dd, mm, yyyy = (int(g) for g in substituted.groups())
            days[day] = SpecialDay(date=day, kind=DAY_OFF, moved_from=dt.date(yyyy, mm, dd))
        elif name.endswith(_OBSERVED_SUFFIX):
            days[day] = SpecialDay(date=day, kind=DAY_OFF, moved_from=_observed_origin(name, day, holidays_by_name))
        else:
            days[day] = SpecialDay(date=day, kind=PUBLIC_HOLIDAY, name=name)
    for day in getattr(source, "weekend_workdays", ()):
        if day.year == year:
            days[day] = SpecialDay(date=day, kind=WORKING_WEEKEND)
    _apply_art112_transfers(days)
    result = sorted(days.values(), key=lambda d: d.date)
    if not derive:
        return tuple(result)
    # 1 January of the next year is always a holiday: 31 December may be its pre-holiday day.
    next_new_year = SpecialDay(date=dt.date(year + 1, 1, 1), kind=PUBLIC_HOLIDAY)
    return tuple(d for d in derive_shortened([*result, next_new_year]) if d.date.year == year)


def _apply_art112_transfers(days: dict[dt.date, SpecialDay]) -> None:
    """Art. 112 part 2: a holiday on a weekend gives the next working day off (January's are moved by decree)."""
    moved = {d.moved_from for d in days.values() if d.kind == DAY_OFF}
    for holiday in sorted((d for d in days.values() if d.kind == PUBLIC_HOLIDAY), key=lambda d: d.date):
        if holiday.date.month == 1 or holiday.date.weekday() < 5 or holiday.date in moved:
            continue
        calendar = ProductionCalendar(days)
        day = holiday.date + ONE_DAY
        while not calendar.is_working_day(day):
            day += ONE_DAY
        days[day] = SpecialDay(date=day, kind=DAY_OFF, moved_from=holiday.date)
        moved.add(holiday.date)


def special_days_for_year(year: int) -> tuple[list[SpecialDay], str]:
    """The year's special days and where they come from: the shipped table if it has the year."""
    official = official_days(year)
    if official:
        return official, SOURCE_OFFICIAL
    return library_days(year), SOURCE_LIBRARY


def calendar_for_years(years: Iterable[int]) -> ProductionCalendar:
    days: list[SpecialDay] = []
    for year in sorted(set(years)):
        days.extend(special_days_for_year(year)[0])
    return ProductionCalendar(days)


def year_span(start: dt.date, end: dt.date) -> list[int]:
    return list(range(start.year, end.year + 1))


__all__ = [
    "CSV_PATH",
    "SOURCE_LIBRARY",
    "SOURCE_OFFICIAL",
    "calendar_for_years",
    "derive_shortened",
    "library_days",
    "official_days",
    "official_years",
    "read_csv",
    "special_days_for_year",
    "year_span",
]
