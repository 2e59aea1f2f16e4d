"""The one window of dates the portal accepts from its users, and the longest absence it files.

Dates outside it are typing mistakes, never HR facts (a year 9999 or 0001 overflowed calendars and sums: 500s in
the probe of issue 23), so every date a user sends — a leave, a trip, a report period, a calendar month, a balance
day — is checked here and refused with a 400 naming the field.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from hrportal.errors import ValidationFailed

EARLIEST = dt.date(1992, 1, 1)  # the first year of the production calendars the leave engine knows
LATEST = dt.date(2100, 12, 31)
LONGEST_ABSENCE_DAYS = 366  # a leave or a trip of at most a year; longer absences (child care) are HR's records


OUTSIDE = gettext_noop("Give a date between %(first)s and %(last)s.")
TOO_LONG = gettext_noop("A leave or a trip lasts at most %(days)s days: file a longer absence in parts.")


def check_date(value: dt.date, *, field: str) -> dt.date:
    """The date itself, or a 400 on `field` (English for the API, the catalogue's wording for the pages)."""
    if not EARLIEST <= value <= LATEST:
        params = {"first": f"{EARLIEST:%d.%m.%Y}", "last": f"{LATEST:%d.%m.%Y}"}
        raise ValidationFailed(OUTSIDE % params, field=field, ui=(OUTSIDE, params))
    return value


def check_absence(start_date: dt.date, end_date: dt.date) -> None:
    """Both ends inside the window, and at most LONGEST_ABSENCE_DAYS long."""
    check_date(start_date, field="start_date")
    check_date(end_date, field="end_date")
    if (end_date - start_date).days + 1 > LONGEST_ABSENCE_DAYS:
        params = {"days": LONGEST_ABSENCE_DAYS}
        raise ValidationFailed(TOO_LONG % params, field="end_date", ui=(TOO_LONG, params))
