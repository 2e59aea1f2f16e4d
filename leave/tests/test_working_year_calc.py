"""Leave by working year, the pure rules (issue 16): reference cases computed by hand, and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leave import calc
from leave.calc import absences as kinds
from leave.calc.working_year import (
    GROUNDS,
    Settlement,
    SettlementError,
    carried_over,
    draws_on,
    entitled,
    overdue_years,
    round_days_up,
    settle,
    unpaid_days_left,
    working_year_of,
    working_years_opened,
)
from leave.tests.conftest import D, d

TWENTY_EIGHT = D(28)


def plain(hire: str) -> calc.ServiceTimeline:
    return calc.ServiceTimeline(hire_date=d(hire))


# --- art. 122: the working year's whole entitlement ----------------------------------------------


def test_six_months_served_the_whole_first_year_is_granted() -> None:
    """Hired 13.01.2025. Art. 122: the first working year 13.01.2025–12.01.2026 grants 28 days (art. 115)
    when it opens; they may be used after six months, i.e. from 13.07.2025 (13.01 + 6 months). A leave of
    28 days from 14.07.2025 draws on year 1 only: 28 ≤ 28. (Month by month: 6 × 28/12 = 14.00 — the old
    refusal.)"""
    timeline = plain("2025-01-13")
    assert calc.working_year.first_year_right_from(timeline) == d("2025-07-13")
    assert entitled(timeline, d("2025-07-14"), TWENTY_EIGHT) == D("28.00")
    assert timeline.entitlement_on(d("2025-07-14"), TWENTY_EIGHT) == D("14.00")
    year = working_year_of(timeline, d("2025-07-14"))
    assert (year.start, year.end, year.number) == (d("2025-01-13"), d("2026-01-12"), 1)
    draws = draws_on(
        years=working_years_opened(timeline, d("2025-07-14")),
        yearly_days=TWENTY_EIGHT,
        consumed_before=D(0),
        requested=D(28),
    )
    assert [(x.year.number if x.year else None, x.days) for x in draws] == [(1, D("28.00"))]


def test_second_working_year_grants_its_days_at_any_time() -> None:
    """Hired 15.01.2024. December 2024 is in year 1 (15.01.2024–14.01.2025): 28 entitled. February 2025 is
    in year 2 (from 15.01.2025): 28 + 28 = 56 entitled; after 28 used, 56 − 28 = 28 ≥ 27 requested, all from
    year 2; nothing carried over (28 − 28 = 0). Had only 20 been used: 8 carried over, and 27 days draw
    8 on year 1 and 19 on year 2."""
    timeline = plain("2024-01-15")
    assert entitled(timeline, d("2024-12-02"), TWENTY_EIGHT) == D("28.00")
    assert entitled(timeline, d("2025-02-03"), TWENTY_EIGHT) == D("56.00")
    years = working_years_opened(timeline, d("2025-02-03"))
    assert [(y.start, y.end) for y in years] == [(d("2024-01-15"), d("2025-01-14")), (d("2025-01-15"), d("2026-01-14"))]
    assert carried_over(timeline, d("2025-02-03"), TWENTY_EIGHT, consumed=D(28)) == D("0.00")
    assert carried_over(timeline, d("2025-02-03"), TWENTY_EIGHT, consumed=D(20)) == D("8.00")
    draws = draws_on(years=years, yearly_days=TWENTY_EIGHT, consumed_before=D(28), requested=D(27))
    assert [(x.year.number, x.days) for x in draws] == [(2, D("27.00"))]
    draws = draws_on(years=years, yearly_days=TWENTY_EIGHT, consumed_before=D(20), requested=D(27))
    assert [(x.year.number, x.days) for x in draws] == [(1, D("8.00")), (2, D("19.00"))]
    assert draws_on(years=years, yearly_days=TWENTY_EIGHT, consumed_before=D(50), requested=D(10))[-1].year is None


def test_nothing_is_entitled_before_the_hire() -> None:
    assert entitled(plain("2025-01-13"), d("2025-01-12"), TWENTY_EIGHT) == D("0.00")
    assert entitled(plain("2025-01-13"), d("2025-01-13"), TWENTY_EIGHT) == D("28.00")


# --- art. 121: exclusions shift the working year -------------------------------------------------


def test_child_care_leave_until_three_shifts_the_working_year() -> None:
    """Hired 01.03.2020; child-care leave (art. 256) 01.01.2021–31.12.2022 = 365 + 365 = 730 days, none of
    them service (art. 121 part 2). Year 1 is 01.03.2020–28.02.2021 unshifted (365 days): 306 days served
    by 31.12.2020, the other 59 from 01.01.2023 → 28.02.2023. Year 2 starts 01.03.2023."""
    timeline = kinds.service_timeline(
        hire_date=d("2020-03-01"), absences=[(kinds.CHILD_CARE, d("2021-01-01"), d("2022-12-31"))]
    )
    assert len(timeline.excluded_days) == 730
    first = working_year_of(timeline, d("2022-06-01"))
    assert (first.start, first.end) == (d("2020-03-01"), d("2023-02-28"))
    assert working_year_of(timeline, d("2023-03-01")).start == d("2023-03-01")
    assert entitled(timeline, d("2023-02-28"), TWENTY_EIGHT) == D("28.00")


def test_absence_without_good_cause_and_suspension_shift_maternity_does_not() -> None:
    """Hired 13.01.2025. Absent without good cause 03–05.03.2025 (3 days) and suspended (art. 76)
    10–11.04.2025 (2 days): 5 days not service (art. 121 part 2). The six months end 5 days later:
    13.07 + 5 = 18.07.2025; year 1 ends 12.01.2026 + 5 = 17.01.2026. Maternity leave (art. 255) counts."""
    timeline = kinds.service_timeline(
        hire_date=d("2025-01-13"),
        absences=[
            (kinds.ABSENCE_WITHOUT_CAUSE, d("2025-03-03"), d("2025-03-05")),
            (kinds.SUSPENSION, d("2025-04-10"), d("2025-04-11")),
            (kinds.MATERNITY, d("2025-08-01"), d("2025-12-18")),
            (kinds.SICK, d("2025-02-01"), d("2025-02-10")),
        ],
    )
    assert timeline.first_leave_due() == d("2025-07-18")
    assert working_year_of(timeline, d("2025-12-01")).end == d("2026-01-17")


def test_unpaid_days_within_an_excluded_period_do_not_use_up_the_14() -> None:
    """Hired 15.01.2024. Suspended 01–10.06.2024 (10 days excluded) and on unpaid leave 05–24.06.2024
    (20 days, 6 of them already suspended): 14 unpaid days remain to count — 11–24.06 — none beyond the 14th,
    so only the 10 suspended days shift: year 1 ends 14.01.2025 + 10 = 24.01.2025."""
    timeline = kinds.service_timeline(
        hire_date=d("2024-01-15"),
        absences=[
            (kinds.SUSPENSION, d("2024-06-01"), d("2024-06-10")),
            (kinds.UNPAID, d("2024-06-05"), d("2024-06-24")),
        ],
    )
    assert len(timeline.excluded_days) == 10
    assert working_year_of(timeline, d("2024-12-01")).end == d("2025-01-24")


def test_every_kind_states_what_it_counts_toward() -> None:
    assert set(kinds.KINDS) == {
        "leave",
        "business_trip",
        "sick",
        "unpaid",
        "maternity",
        "child_care",
        "no_good_cause",
        "suspension",
    }
    assert {k for k, r in kinds.ABSENCE_RULES.items() if r.service == kinds.EXCLUDED} == {
        "child_care",
        "no_good_cause",
        "suspension",
    }
    assert [k for k, r in kinds.ABSENCE_RULES.items() if r.in_pay_period] == ["no_good_cause"]


# --- art. 124 ----------------------------------------------------------------------------------


def test_leave_not_granted_two_working_years_running() -> None:
    """Hired 10.01.2022, no leave used. Year 1 (10.01.2022–09.01.2023) may move into year 2 (art. 124
    part 3); once year 3 opens on 10.01.2024 its 28 days are a breach (part 4). With 20 used: 8 days."""
    timeline = plain("2022-01-10")
    assert overdue_years(timeline=timeline, on=d("2024-01-09"), yearly_days=TWENTY_EIGHT, consumed=D(0)) == []
    [(year, days)] = overdue_years(timeline=timeline, on=d("2024-01-10"), yearly_days=TWENTY_EIGHT, consumed=D(0))
    assert (year.number, days) == (1, D("28.00"))
    [(year, days)] = overdue_years(timeline=timeline, on=d("2024-01-10"), yearly_days=TWENTY_EIGHT, consumed=D(20))
    assert days == D("8.00")


# --- dismissal ---------------------------------------------------------------------------------


def test_exactly_eleven_months_are_compensated_in_full() -> None:
    """Hired 13.01.2025, last day 12.12.2025: 13.01–12.12 = 11 whole months (rule 35: no surplus). Rule 28:
    11 months counted toward the leave → the full 28 days (month by month: 11 × 28/12 = 25.666… → 25.67)."""
    result = settle(
        timeline=plain("2025-01-13"),
        termination_date=d("2025-12-12"),
        ground="own_wish",
        yearly_days=TWENTY_EIGHT,
        used=D(0),
    )
    assert result.compensated_days == D("28.00")
    assert result.month_by_month == D("25.67")
    assert result.lines[0].months_counted == 11
    assert "rule 28" in result.lines[0].rule


def test_five_and_a_half_months_on_a_listed_ground() -> None:
    """Hired 13.01.2025, last day 27.06.2025: 5 months (to 12.06) and 15 days (13–27.06) = 6 counted months
    (rule 35). Liquidation (art. 81 p. 1) is listed in rule 28: 28 days. Own wish: 6 × 28/12 = 14.00. With
    14 days of the surplus (to 26.06): 5 months, 5 × 28/12 = 11.666… → 11.67 (rounded up) on any ground."""
    timeline = plain("2025-01-13")
    liquidation = settle(
        timeline=timeline, termination_date=d("2025-06-27"), ground="liquidation", yearly_days=TWENTY_EIGHT, used=D(0)
    )
    own = settle(
        timeline=timeline, termination_date=d("2025-06-27"), ground="own_wish", yearly_days=TWENTY_EIGHT, used=D(0)
    )
    short = settle(
        timeline=timeline,
        termination_date=d("2025-06-26"),
        ground="staff_reduction",
        yearly_days=TWENTY_EIGHT,
        used=D(0),
    )
    assert (liquidation.compensated_days, own.compensated_days, short.compensated_days) == (D(28), D(14), D("11.67"))


def test_proportional_days_round_up() -> None:
    """Hired 13.01.2025, last day 12.02.2025: one month → 28/12 = 2.333… → 2.34 (up: never against the
    employee), where the month-by-month accrual rounds half-up to 2.33."""
    result = settle(
        timeline=plain("2025-01-13"),
        termination_date=d("2025-02-12"),
        ground="own_wish",
        yearly_days=TWENTY_EIGHT,
        used=D(0),
    )
    assert (result.compensated_days, result.month_by_month) == (D("2.34"), D("2.33"))
    assert round_days_up(D("2.331")) == D("2.34")


def test_carry_over_and_days_used_in_advance() -> None:
    """Hired 15.01.2024; used 28 + 10 = 38; last day 14.04.2025. Year 1 (whole): 28, all used. Year 2:
    15.01–14.04.2025 = 3 months → 3 × 28/12 = 7.00, of which 10 used: 3 days in advance. Own wish: 3 deductible
    (art. 137). Staff reduction (art. 81 p. 2): rule 28 needs 6 months, so still 7.00, but art. 137 forbids the
    deduction: 0 deductible. Nothing compensated either way; unused = 35 − 38 = −3."""
    timeline = plain("2024-01-15")
    own = settle(
        timeline=timeline, termination_date=d("2025-04-14"), ground="own_wish", yearly_days=TWENTY_EIGHT, used=D(38)
    )
    assert [(line.entitled, line.used, line.unused) for line in own.lines] == [(D(28), D(28), D(0)), (D(7), D(7), D(0))]
    assert (own.unused_days, own.compensated_days, own.advance_days, own.deductible_days) == (D(-3), D(0), D(3), D(3))
    cut = settle(
        timeline=timeline,
        termination_date=d("2025-04-14"),
        ground="staff_reduction",
        yearly_days=TWENTY_EIGHT,
        used=D(38),
    )
    assert (cut.advance_days, cut.deductible_days) == (D(3), D(0))
    assert "art. 137" in cut.notes[0]


def test_unused_days_of_every_working_year_are_compensated() -> None:
    """Hired 15.01.2024; used 10; last day 14.01.2026 (two whole years): 28 + 28 − 10 = 46 (art. 127)."""
    result = settle(
        timeline=plain("2024-01-15"),
        termination_date=d("2026-01-14"),
        ground="own_wish",
        yearly_days=TWENTY_EIGHT,
        used=D(10),
    )
    assert result.compensated_days == D(46)
    assert calc.working_year.compensation(D(46), D("1234.567")) == D("56790.09")  # 56 790.082 up to the kopeck


def test_bad_settlement_input_names_the_rule() -> None:
    timeline = plain("2025-01-13")
    with pytest.raises(SettlementError) as error:
        settle(
            timeline=timeline, termination_date=d("2025-01-12"), ground="own_wish", yearly_days=TWENTY_EIGHT, used=D(0)
        )
    assert (error.value.rule, error.value.field_name) == ("art. 84.1", "on")
    with pytest.raises(SettlementError) as error:
        settle(timeline=timeline, termination_date=d("2025-05-12"), ground="bored", yearly_days=TWENTY_EIGHT, used=D(0))
    assert error.value.field_name == "ground"


def test_art_128_limits() -> None:
    """Art. 128 part 2: old-age pensioners up to 14 days a year (9 used → 5 left); a marriage 5 days per event;
    by agreement no statutory limit."""
    assert unpaid_days_left(reason="old_age_pensioner", used_this_year=[D(4), D(5)]) == D(5)
    assert unpaid_days_left(reason="marriage", used_this_year=[D(5)]) == D(5)
    assert unpaid_days_left(reason="agreement", used_this_year=[]) is None
    assert unpaid_days_left(reason="disabled", used_this_year=[D(70)]) == D(0)


# --- properties --------------------------------------------------------------------------------

hire_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2028, 12, 31))
absence = st.tuples(
    st.sampled_from(kinds.KINDS), st.integers(min_value=-30, max_value=1500), st.integers(min_value=1, max_value=400)
)


def _timeline(hire: dt.date, raw: list[tuple[str, int, int]]) -> calc.ServiceTimeline:
    periods = [(kind, hire + dt.timedelta(days=o), hire + dt.timedelta(days=o + n - 1)) for kind, o, n in raw]
    return kinds.service_timeline(hire_date=hire, absences=periods)


@settings(max_examples=150, deadline=None)
@given(hire=hire_dates, raw=st.lists(absence, max_size=4), years=st.integers(min_value=1, max_value=6))
def test_working_years_tile_the_service(hire: dt.date, raw: list[tuple[str, int, int]], years: int) -> None:
    """Year 1 starts on the hire date, each next year the day after the previous one ends, and each holds
    exactly the days of one unshifted year of service."""
    timeline = _timeline(hire, raw)
    previous_end = hire - dt.timedelta(days=1)
    for index in range(years):
        year = calc.working_year.working_year_at(timeline, index)
        assert year.start == previous_end + dt.timedelta(days=1)
        unshifted = calc.ServiceTimeline(hire_date=hire).working_year_bounds(index)
        served = timeline.served_days(year.end) - timeline.served_days(year.start - dt.timedelta(days=1))
        assert served == (unshifted[1] - unshifted[0]).days + 1
        assert working_year_of(timeline, year.start) == year == working_year_of(timeline, year.end)
        previous_end = year.end


@settings(max_examples=200, deadline=None)
@given(
    hire=hire_dates,
    raw=st.lists(absence, max_size=3),
    served=st.integers(min_value=0, max_value=2000),
    used=st.integers(min_value=0, max_value=120),
    ground=st.sampled_from(sorted(GROUNDS)),
    yearly=st.sampled_from([D(28), D(31), D(3), D(7), D(42), D("1.5")]),
)
def test_settlement_never_gives_less_than_month_by_month(
    hire: dt.date, raw: list[tuple[str, int, int]], served: int, used: int, ground: str, yearly: Decimal
) -> None:
    timeline = _timeline(hire, raw)
    result: Settlement = settle(
        timeline=timeline,
        termination_date=hire + dt.timedelta(days=served),
        ground=ground,
        yearly_days=yearly,
        used=D(used),
    )
    assert result.unused_days >= result.month_by_month
    assert result.compensated_days >= max(result.month_by_month, D(0))
    assert result.compensated_days >= 0 and result.deductible_days >= 0
    assert result.compensated_days == 0 or result.advance_days == 0


@settings(max_examples=150, deadline=None)
@given(
    hire=hire_dates,
    raw=st.lists(absence, max_size=3),
    bookings=st.lists(
        st.tuples(st.integers(min_value=0, max_value=2500), st.integers(min_value=1, max_value=40)), max_size=12
    ),
    later=st.integers(min_value=0, max_value=3000),
)
def test_available_never_goes_below_zero_from_a_booking(
    hire: dt.date, raw: list[tuple[str, int, int]], bookings: list[tuple[int, int]], later: int
) -> None:
    """A booking is accepted when entitled(start) − consumed ≥ its days; entitlement never shrinks with time, so
    from the last accepted leave's start on what is available stays ≥ 0 (before it, a balance may show leave
    booked ahead against a working year still to open — docs/decisions/leave-rules.md)."""
    timeline = _timeline(hire, raw)
    consumed = D(0)
    starts = []
    for offset, days in bookings:
        start = hire + dt.timedelta(days=offset)
        if entitled(timeline, start, D(28)) - consumed >= days:
            consumed += days
            starts.append(start)
    if starts:
        on = max(starts) + dt.timedelta(days=later)
        assert entitled(timeline, on, D(28)) - consumed >= 0
