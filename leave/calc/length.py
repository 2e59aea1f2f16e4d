"""How long a leave is: calendar days, days charged, and the public holidays left out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from leave.calc.calendar import ProductionCalendar

# Annual and additional leave: calendar days, but the non-working public holidays of art. 112 inside
# the leave are not counted (art. 120). Transferred days off and ordinary weekends are counted.
CALENDAR_EXCLUDING_HOLIDAYS = "calendar_excluding_holidays"
# Unpaid (art. 128), study (art. 173–176) and sick leave: every calendar day.
CALENDAR = "calendar"
# Counted in working days by the production calendar (kept for leave types that count so).
WORKING_DAYS = "working_days"
COUNTING_RULES = (CALENDAR_EXCLUDING_HOLIDAYS, CALENDAR, WORKING_DAYS)


@dataclass(frozen=True)
class LeaveLength:
    start: dt.date
    end: dt.date
    calendar_days: int
    days_charged: int
    holidays_excluded: tuple[dt.date, ...]


def leave_length(
    calendar: ProductionCalendar, *, start: dt.date, end: dt.date, counting: str = CALENDAR_EXCLUDING_HOLIDAYS
) -> LeaveLength:
    """The length of a leave from `start` to `end`, both included (a range of dates, never datetimes)."""
    if end < start:
        raise ValueError("a leave cannot end before it starts")
    if counting not in COUNTING_RULES:
        raise ValueError(f"unknown counting rule {counting!r}")
    calendar_days = (end - start).days + 1
    holidays: tuple[dt.date, ...] = ()
    if counting == CALENDAR_EXCLUDING_HOLIDAYS:
        holidays = tuple(calendar.public_holidays(start, end))
        charged = calendar_days - len(holidays)
    elif counting == WORKING_DAYS:
        charged = calendar.working_days(start, end)
    else:
        charged = calendar_days
    return LeaveLength(
        start=start, end=end, calendar_days=calendar_days, days_charged=charged, holidays_excluded=holidays
    )
