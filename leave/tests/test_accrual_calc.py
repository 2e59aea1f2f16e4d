"""Acceptance 3 (pure part): 28/12 a month, cumulative rounding, rule 35, the art. 121 shift."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from leave import calc
from leave.calc.dates import add_months
from leave.tests.conftest import D, d

hire_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31))
yearly = st.sampled_from([D(28), D(31), D(3), D(7), D(14), D("1.5"), D(24), D(42)])


@given(yearly_days=yearly, years=st.integers(min_value=1, max_value=5))
def test_twelve_months_give_exactly_the_yearly_days(yearly_days: Decimal, years: int) -> None:
    assert calc.cumulative_entitlement(12 * years, yearly_days) == yearly_days * years
    monthly = [calc.month_accrual(k, yearly_days) for k in range(1, 12 * years + 1)]
    assert sum(monthly) == yearly_days * years
    # Each month is the exact twelfth rounded up or down, never drifting further.
    exact = yearly_days / 12
    assert all(abs(m - exact) < Decimal("0.01") for m in monthly)


def test_28_days_month_by_month() -> None:
    # 28 × k / 12 rounded half-up: 2.33, 4.67, 7.00, 9.33, 11.67, 14.00, …
    cumulative = [calc.cumulative_entitlement(k, D(28)) for k in range(1, 13)]
    assert cumulative[:6] == [D("2.33"), D("4.67"), D("7.00"), D("9.33"), D("11.67"), D("14.00")]
    assert cumulative[-1] == D("28.00")
    assert [calc.month_accrual(k, D(28)) for k in (1, 2, 3)] == [D("2.33"), D("2.34"), D("2.33")]
    assert calc.cumulative_entitlement(0, D(28)) == D("0.00")


@settings(max_examples=300)
@given(hire=hire_dates, years=st.integers(min_value=1, max_value=3))
def test_twelve_months_of_service_give_28(hire: dt.date, years: int) -> None:
    timeline = calc.ServiceTimeline(hire_date=hire)
    last_day_of_year = add_months(hire, 12 * years) - dt.timedelta(days=1)
    assert timeline.months_counted(last_day_of_year) == 12 * years
    assert timeline.entitlement_on(last_day_of_year, D(28)) == D(28) * years
    assert timeline.working_year(last_day_of_year) == (add_months(hire, 12 * (years - 1)), last_day_of_year)


@settings(max_examples=300)
@given(hire=hire_dates, months=st.integers(min_value=0, max_value=30))
def test_half_a_month_counts_as_a_month_less_does_not(hire: dt.date, months: int) -> None:
    """Rule 35: a surplus of 15 days or more counts as a month, less is dropped."""
    timeline = calc.ServiceTimeline(hire_date=hire)
    month_start = add_months(hire, months)
    fourteen_days_in = month_start + dt.timedelta(days=13)
    fifteen_days_in = month_start + dt.timedelta(days=14)
    assert timeline.months_counted(fourteen_days_in) == months
    assert timeline.months_counted(fifteen_days_in) == months + 1
    assert timeline.service_month(months + 1).counted_on == fifteen_days_in


def test_nothing_before_the_hire_and_nothing_after_the_termination() -> None:
    timeline = calc.ServiceTimeline(hire_date=d("2024-03-10"), termination_date=d("2024-06-20"))
    assert timeline.months_counted(d("2024-03-09")) == 0
    assert timeline.virtual_date(d("2024-03-09")) is None
    # Served 10 March – 20 June: 3 months (to 9 June) and 11 days, less than half a month.
    assert timeline.months_counted(d("2025-01-01")) == 3
    assert timeline.first_leave_due() == d("2024-09-10")


def test_working_year_before_the_hire_is_the_first() -> None:
    timeline = calc.ServiceTimeline(hire_date=d("2024-03-10"))
    assert timeline.working_year(d("2024-01-01")) == (d("2024-03-10"), d("2025-03-09"))


@settings(max_examples=200)
@given(
    hire=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1)),
    offset=st.integers(min_value=0, max_value=300),
    unpaid_days=st.integers(min_value=1, max_value=60),
    later=st.integers(min_value=0, max_value=500),
)
def test_unpaid_leave_beyond_14_days_moves_the_working_year(
    hire: dt.date, offset: int, unpaid_days: int, later: int
) -> None:
    """Art. 121: the days beyond the 14th of unpaid leave in a working year are not service."""
    start = hire + dt.timedelta(days=offset)  # inside the first working year (≤ 300 days in)
    end = start + dt.timedelta(days=unpaid_days - 1)
    excluded = calc.excluded_service_days(hire_date=hire, unpaid_periods=[(start, end)])
    shift = max(unpaid_days - 14, 0)
    assert len(excluded) == shift
    assert list(excluded) == [start + dt.timedelta(days=14 + i) for i in range(shift)]
    shifted = calc.ServiceTimeline(hire_date=hire, excluded_days=excluded)
    plain = calc.ServiceTimeline(hire_date=hire)
    after = end + dt.timedelta(days=1 + later)
    # After the leave, service equals that of an employee without it, `shift` days earlier.
    assert shifted.months_counted(after) == plain.months_counted(after - dt.timedelta(days=shift))
    year_start, year_end = shifted.working_year(hire)
    assert year_start == hire
    assert year_end == add_months(hire, 12) - dt.timedelta(days=1) + dt.timedelta(days=shift)


def test_unpaid_days_are_counted_per_working_year() -> None:
    hire = d("2024-01-15")
    # 10 days in the first working year and 10 in the second: neither exceeds 14.
    periods = [(d("2024-12-01"), d("2024-12-10")), (d("2025-02-01"), d("2025-02-10"))]
    assert calc.excluded_service_days(hire_date=hire, unpaid_periods=periods) == ()
    # 10 + 10 in the same working year: the last 6 are excluded.
    periods = [(d("2024-06-01"), d("2024-06-10")), (d("2024-09-01"), d("2024-09-10"))]
    excluded = calc.excluded_service_days(hire_date=hire, unpaid_periods=periods)
    assert excluded == tuple(d(f"2024-09-{day:02d}") for day in range(5, 11))
    timeline = calc.ServiceTimeline(hire_date=hire, excluded_days=excluded)
    assert timeline.working_year(d("2025-01-16")) == (d("2024-01-15"), d("2025-01-20"))
    assert timeline.working_year(d("2025-01-21")) == (d("2025-01-21"), d("2026-01-20"))
    # Unpaid days before the hire are ignored.
    assert calc.excluded_service_days(hire_date=hire, unpaid_periods=[(d("2023-01-01"), d("2023-03-01"))]) == ()


def test_months_and_their_real_dates_with_a_shift() -> None:
    hire = d("2025-01-09")
    # 20 days unpaid from 1 March: 14 count, 6 are excluded (15–20 March), so every later month ends 6 days later.
    excluded = calc.excluded_service_days(hire_date=hire, unpaid_periods=[(d("2025-03-01"), d("2025-03-20"))])
    timeline = calc.ServiceTimeline(hire_date=hire, excluded_days=excluded)
    assert excluded == tuple(d(f"2025-03-{day}") for day in range(15, 21))
    month_3 = timeline.service_month(3)  # 9 March – 8 April without the shift
    assert (month_3.start, month_3.end, month_3.counted_on) == (d("2025-03-09"), d("2025-04-14"), d("2025-03-29"))
    assert timeline.service_month(2).end == d("2025-03-08")
    # 28 April is virtual 22 April: month 4 (from virtual 9 April) has 14 days — not yet; 29 April has 15.
    assert [m.index for m in timeline.months_due(d("2025-04-28"))] == [1, 2, 3]
    assert [m.index for m in timeline.months_due(d("2025-04-29"))] == [1, 2, 3, 4]
    assert timeline.real_date(d("2025-03-15")) == d("2025-03-21")
    assert timeline.served_days(d("2025-03-20")) == timeline.served_days(d("2025-03-14"))
    assert timeline.excluded_days == excluded
