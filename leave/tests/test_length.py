"""Acceptance 2: how many days a leave is charged (art. 120)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leave import calc
from leave.calc import sources
from leave.tests.conftest import d

CALENDAR = sources.calendar_for_years(range(2022, 2028))


@pytest.mark.parametrize(
    ("start", "end", "calendar_days", "charged", "holidays"),
    [
        # New Year: 1–8 January are all public holidays (1–6 and 8 New Year holidays, 7 Christmas).
        ("2025-01-01", "2025-01-14", 14, 6, [f"2025-01-0{i}" for i in range(1, 9)]),
        # Across two years: 30 and 31 December 2024 are transferred days off — counted; 1–8 January are not.
        ("2024-12-23", "2025-01-12", 21, 13, [f"2025-01-0{i}" for i in range(1, 9)]),
        # May 2025: 1 and 9 May are holidays; 2 and 8 May are transferred days off and count.
        ("2025-05-01", "2025-05-11", 11, 9, ["2025-05-01", "2025-05-09"]),
        # May 2024: 29–30 April and 10 May are days off (count); 1 and 9 May are holidays.
        ("2024-04-27", "2024-05-12", 16, 14, ["2024-05-01", "2024-05-09"]),
        # Starts on a holiday (12 June 2025); the day off on 13 June counts.
        ("2025-06-12", "2025-06-25", 14, 13, ["2025-06-12"]),
        # Ends on a holiday (4 November 2024, a Monday).
        ("2024-10-22", "2024-11-04", 14, 13, ["2024-11-04"]),
        # A holiday on a Sunday (23 February 2025) is still a holiday inside a leave.
        ("2025-02-17", "2025-03-02", 14, 13, ["2025-02-23"]),
        # 8 March 2026 is a Sunday: the holiday is not counted, its day off (9 March) is.
        ("2026-03-02", "2026-03-15", 14, 13, ["2026-03-08"]),
        # A leave with no holiday: every calendar day.
        ("2025-07-14", "2025-08-10", 28, 28, []),
        # One day, the holiday itself: nothing charged.
        ("2026-06-12", "2026-06-12", 1, 0, ["2026-06-12"]),
    ],
)
def test_annual_leave_examples(start: str, end: str, calendar_days: int, charged: int, holidays: list[str]) -> None:
    length = calc.leave_length(CALENDAR, start=d(start), end=d(end), counting=calc.CALENDAR_EXCLUDING_HOLIDAYS)
    assert length.calendar_days == calendar_days
    assert length.days_charged == charged
    assert list(length.holidays_excluded) == [d(h) for h in holidays]


def test_other_counting_rules() -> None:
    unpaid = calc.leave_length(CALENDAR, start=d("2025-01-01"), end=d("2025-01-14"), counting=calc.CALENDAR)
    assert (unpaid.days_charged, unpaid.holidays_excluded) == (14, ())
    working = calc.leave_length(CALENDAR, start=d("2025-01-01"), end=d("2025-01-14"), counting=calc.WORKING_DAYS)
    assert working.days_charged == 4  # 9, 10, 13, 14 January
    with pytest.raises(ValueError, match="cannot end before"):
        calc.leave_length(CALENDAR, start=d("2025-01-02"), end=d("2025-01-01"))
    with pytest.raises(ValueError, match="unknown counting"):
        calc.leave_length(CALENDAR, start=d("2025-01-01"), end=d("2025-01-01"), counting="lunar")


dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 10, 1))


@settings(max_examples=300, deadline=None)
@given(
    start=dates,
    length=st.integers(min_value=2, max_value=90),
    data=st.data(),
    counting=st.sampled_from([calc.CALENDAR_EXCLUDING_HOLIDAYS, calc.CALENDAR, calc.WORKING_DAYS]),
)
def test_splitting_a_range_never_changes_the_total(
    start: dt.date, length: int, data: st.DataObject, counting: str
) -> None:
    end = start + dt.timedelta(days=length - 1)
    cut = data.draw(st.integers(min_value=0, max_value=length - 2))
    first_end = start + dt.timedelta(days=cut)
    whole = calc.leave_length(CALENDAR, start=start, end=end, counting=counting)
    left = calc.leave_length(CALENDAR, start=start, end=first_end, counting=counting)
    right = calc.leave_length(CALENDAR, start=first_end + dt.timedelta(days=1), end=end, counting=counting)
    assert left.days_charged + right.days_charged == whole.days_charged
    assert left.calendar_days + right.calendar_days == whole.calendar_days
    assert left.holidays_excluded + right.holidays_excluded == whole.holidays_excluded
    assert 0 <= whole.days_charged <= whole.calendar_days


@settings(max_examples=200, deadline=None)
@given(start=dates, length=st.integers(min_value=1, max_value=60))
def test_charged_is_calendar_days_minus_public_holidays(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length - 1)
    whole = calc.leave_length(CALENDAR, start=start, end=end)
    holidays = [day for day in (start + dt.timedelta(days=i) for i in range(length)) if CALENDAR.is_public_holiday(day)]
    assert whole.days_charged == length - len(holidays)
    # Transferred days off are never excluded.
    assert not any(CALENDAR.special(h).kind == calc.DAY_OFF for h in whole.holidays_excluded)
