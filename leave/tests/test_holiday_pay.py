"""Art. 153 for salaried staff, pure (leave.calc.holiday_pay): the rate, the own week, and which hours are beyond
the month's norm."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from leave.calc.holiday_pay import (
    BEYOND,
    BEYOND_ASSUMED,
    DAY_OFF,
    WITHIN,
    MonthHours,
    hourly_rate,
    line_pay,
    own_week,
    split_line,
)

D = Decimal


def test_the_own_week_is_the_recorded_one_else_forty_times_fte() -> None:
    assert own_week(D("20"), D("0.5")) == D("20")  # recorded: the FTE does not shorten it again
    assert own_week(None, D("0.5")) == D("20.0")
    assert own_week(D("36"), D("1")) == D("36")  # reduced working time, art. 92


def test_the_issue_half_timer() -> None:
    """100 000 × 0.5 / 68 h (January 2025 at 20 h a week) = 735.294… → 735.29; the old 100 000 / 68 = 1 470.59."""
    assert hourly_rate(salary=D("100000"), fte=D("0.5"), norm_hours=D("68")) == D("735.29")


def test_payments_of_the_month_enter_the_rate() -> None:
    """(100 000 × 1 + 13 600 allowance) / 136 h = 835.294… → 835.29."""
    assert hourly_rate(salary=D("100000"), fte=D("1"), norm_hours=D("136"), payments=D("13600")) == D("835.29")
    assert hourly_rate(salary=D("100000"), fte=D("1"), norm_hours=D("0")) is None


def test_within_beyond_and_a_day_off() -> None:
    """Norm 160 h. Worked 150 h incl. 8 holiday hours: within, single: 8 × 500 × 1 = 4 000.00.
    Worked 170 h: 10 h beyond ≥ 8 holiday hours: all double: 8 × 500 × 2 = 8 000.00.
    A day off instead: single whatever the month: 8 × 500 × 1 = 4 000.00."""
    within = MonthHours(norm=D(160), worked=D(150), holiday=D(8), premium=D(8))
    beyond = MonthHours(norm=D(160), worked=D(170), holiday=D(8), premium=D(8))
    assert split_line(hours=D(8), day_off_instead=False, month=within, premium_after=D(0)) == [(D(8), WITHIN)]
    assert split_line(hours=D(8), day_off_instead=False, month=beyond, premium_after=D(0)) == [(D(8), BEYOND)]
    assert split_line(hours=D(8), day_off_instead=True, month=beyond, premium_after=D(0)) == [(D(8), DAY_OFF)]
    assert line_pay(D(8), D(500), WITHIN) == D("4000.00")
    assert line_pay(D(8), D(500), BEYOND) == D("8000.00")
    assert line_pay(D(8), D(500), DAY_OFF) == D("4000.00")


def test_a_timesheet_of_holiday_work_alone_is_beyond_the_norm() -> None:
    only_holidays = MonthHours(norm=D(151), worked=D(8), holiday=D(8), premium=D(8))
    assert split_line(hours=D(8), day_off_instead=False, month=only_holidays, premium_after=D(0)) == [
        (D(8), BEYOND_ASSUMED)
    ]


@given(
    lines=st.lists(st.tuples(st.integers(1, 24), st.booleans()), min_size=1, max_size=8),
    working=st.integers(0, 250),
    norm=st.integers(1, 200),
)
def test_the_double_hours_of_a_month_are_its_hours_beyond_the_norm(
    lines: list[tuple[int, bool]], working: int, norm: int
) -> None:
    """Over a month's lines: every line's parts add up to its hours, and the hours paid double are exactly
    min(premium hours, hours worked − norm) (all premium hours without working-day hours)."""
    holiday = D(sum(h for h, _ in lines))
    premium = D(sum(h for h, off in lines if not off))
    month = MonthHours(norm=D(norm), worked=D(working) + holiday, holiday=holiday, premium=premium)
    done, doubled = D(0), D(0)
    for hours, day_off in lines:
        done += 0 if day_off else hours
        parts = split_line(hours=D(hours), day_off_instead=day_off, month=month, premium_after=premium - done)
        assert sum(p for p, _ in parts) == hours
        doubled += sum(p for p, rule in parts if rule in (BEYOND, BEYOND_ASSUMED))
    expected = premium if working == 0 else min(premium, max(D(working) + holiday - D(norm), D(0)))
    assert doubled == expected
