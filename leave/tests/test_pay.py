"""Acceptance 4: vacation pay by average earnings, worked by hand (Regulation 922, art. 139).

Every example: a 14-day leave starting 14 July 2025, so the period is July 2024 – June 2025 (12 months).
Working days of those months by the production calendar: Jul 23, Aug 22, Sep 21, Oct 23, Nov 21, Dec 21 (2024);
Jan 17, Feb 20, Mar 21, Apr 22, May 18, Jun 19 (2025). A full month counts 29.3 days; 12 full months 351.6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leave import calc
from leave.calc import pay as pay_module
from leave.calc import sources
from leave.tests.conftest import D, d

CALENDAR = sources.calendar_for_years(range(2022, 2028))
HIRED = d("2023-01-09")
LEAVE_START = d("2025-07-14")


def _pay(
    rates: list[calc.Rate],
    excluded: list[tuple[dt.date, dt.date]] = (),  # type: ignore[assignment]
    *,
    hire: dt.date = HIRED,
    start: dt.date = LEAVE_START,
    days: int = 14,
) -> calc.VacationPay:
    return calc.vacation_pay(
        calendar=CALENDAR, start_date=start, days_charged=days, hire_date=hire, rates=rates, excluded_periods=excluded
    )


def _months(result: calc.VacationPay) -> dict[str, calc.MonthEarnings]:
    return {m.month.strftime("%Y-%m"): m for m in result.months}


def test_constant_salary() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000))])
    # 12 full months × 100 000 = 1 200 000 over 12 × 29.3 = 351.6 days.
    assert (result.period_start, result.period_end) == (d("2024-07-01"), d("2025-06-30"))
    assert result.earnings == D(1200000) and result.days_counted == D("351.6")
    # 1 200 000 / 351.6 = 3 412.9692… → 3 412.97; × 14 = 47 781.58.
    assert result.average_daily == D("3412.97")
    assert result.amount == D("47781.58")
    assert result.method == "period" and len(result.months) == 12 and all(m.full for m in result.months)


def test_raise_in_the_middle_of_a_month() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2024-12-16"), D(1), D(120000))])
    december = _months(result)["2024-12"]
    # December 2024: 21 working days; 1–15 December has 10 (2–6, 9–13), 16–31 has 11 (16–20, 23–27, Saturday 28).
    # 100 000 × 10/21 + 120 000 × 11/21 = 47 619.0476… + 62 857.1428… = 110 476.1904…
    assert [(s.salary, s.worked_working_days) for s in december.segments] == [(D(100000), 10), (D(120000), 11)]
    assert december.earnings.quantize(D("0.0001")) == D("110476.1905")
    # Jul–Nov 2024: 5 × 100 000 = 500 000; Jan–Jun 2025: 6 × 120 000 = 720 000.
    # Total 1 330 476.1904…; / 351.6 = 3 784.0620… → 3 784.06; × 14 = 52 976.84.
    assert result.earnings.quantize(D("0.0001")) == D("1330476.1905")
    assert result.average_daily == D("3784.06")
    assert result.amount == D("52976.84")


def test_fte_change() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2025-03-01"), D("0.5"), D(100000))])
    # Jul 2024 – Feb 2025: 8 × 100 000 × 1.0 = 800 000; Mar – Jun 2025: 4 × 100 000 × 0.5 = 200 000.
    # 1 000 000 / 351.6 = 2 844.1410… → 2 844.14; × 14 = 39 817.96.
    assert _months(result)["2025-03"].earnings == D(50000)
    assert result.earnings == D(1000000)
    assert result.average_daily == D("2844.14")
    assert result.amount == D("39817.96")


def test_sick_leave_inside_a_month() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], [(d("2025-02-10"), d("2025-02-14"))])
    february = _months(result)["2025-02"]
    # February 2025: 28 days, 20 working; sick 10–14 February (5 calendar, 5 working days) is excluded.
    # Earnings 100 000 × 15/20 = 75 000; days 29.3 / 28 × 23 = 24.0678571…
    assert (february.full, february.worked_working_days, february.worked_calendar_days) == (False, 15, 23)
    assert february.earnings == D(75000)
    assert february.days_counted.quantize(D("0.0000001")) == D("24.0678571")
    # 11 full months: 1 100 000 and 322.3 days. Total 1 175 000 / 346.3678571… = 3 392.3471… → 3 392.35.
    assert result.earnings == D(1175000)
    assert result.average_daily == D("3392.35")
    assert result.amount == D("47492.90")  # 3 392.35 × 14


def test_business_trip() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], [(d("2025-04-07"), d("2025-04-11"))])
    april = _months(result)["2025-04"]
    # April 2025: 30 days, 22 working; the trip 7–11 April (5 working days) keeps average earnings: excluded.
    # Earnings 100 000 × 17/22 = 77 272.7272…; days 29.3 / 30 × 25 = 24.4166…
    assert april.earnings.quantize(D("0.0001")) == D("77272.7273")
    assert april.days_counted.quantize(D("0.0001")) == D("24.4167")
    # Total 1 177 272.7272… / (322.3 + 24.4166…) = 1 177 272.7272… / 346.7166… = 3 395.4893… → 3 395.49.
    assert result.average_daily == D("3395.49")
    assert result.amount == D("47536.86")  # 3 395.49 × 14


def test_hired_less_than_twelve_months_ago() -> None:
    hire = d("2025-02-10")
    result = _pay([calc.Rate(hire, D(1), D(90000))], hire=hire, start=d("2025-09-01"))
    months = _months(result)
    # Period September 2024 – August 2025; months before the hire are not in it at all.
    assert list(months) == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]
    # February 2025 from the 10th: 19 of 28 calendar days, 15 of 20 working days.
    # Earnings 90 000 × 15/20 = 67 500; days 29.3 / 28 × 19 = 19.8821428…
    assert months["2025-02"].earnings == D(67500)
    # March – August: 6 full months = 540 000 and 175.8 days.
    # 607 500 / 195.6821428… = 3 104.5245… → 3 104.52; × 14 = 43 463.28.
    assert result.earnings == D(607500)
    assert result.average_daily == D("3104.52")
    assert result.amount == D("43463.28")


def test_nothing_worked_in_the_period_uses_the_twelve_months_before() -> None:
    # Unpaid the whole period: item 6 takes July 2023 – June 2024, 12 full months of 100 000.
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], [(d("2024-07-01"), d("2025-06-30"))])
    assert result.method == "previous_period"
    assert (result.period_start, result.period_end) == (d("2023-07-01"), d("2024-06-30"))
    assert result.average_daily == D("3412.97")


def test_nothing_worked_before_uses_the_month_the_leave_starts() -> None:
    hire = d("2025-07-01")
    result = _pay([calc.Rate(hire, D(1), D(90000))], hire=hire)
    # Item 7: 1–13 July 2025, 9 of 23 working days, 13 of 31 calendar days.
    # 90 000 × 9/23 = 35 217.3913…; 29.3 / 31 × 13 = 12.2870967…; 35 217.3913… / 12.2870967… = 2 866.2093… → 2 866.21.
    assert result.method == "start_month"
    assert result.average_daily == D("2866.21")
    assert result.amount == D("40126.94")


def test_no_day_worked_at_all_uses_the_salary() -> None:
    hire = LEAVE_START
    result = _pay([calc.Rate(hire, D(1), D(90000))], hire=hire)
    # Item 8: 90 000 / 29.3 = 3 071.6723… → 3 071.67; × 14 = 43 003.38.
    assert result.method == "salary" and result.months == ()
    assert result.average_daily == D("3071.67")
    assert result.amount == D("43003.38")
    empty = _pay([], hire=hire)
    assert (empty.average_daily, empty.amount) == (D("0.00"), D("0.00"))


def test_leave_starting_on_the_first_skips_its_own_month() -> None:
    hire = d("2025-07-01")
    result = _pay([calc.Rate(hire, D(1), D(90000))], hire=hire, start=hire)
    assert result.method == "salary"


def test_termination_ends_the_period_and_rounding_is_half_up() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], days=1)
    assert result.amount == D("3412.97")
    assert pay_module.round_money(D("0.005")) == D("0.01")
    assert pay_module.round_money(D("2.675")) == D("2.68")  # half-up, not banker's rounding
    terminated = calc.vacation_pay(
        calendar=CALENDAR,
        start_date=LEAVE_START,
        days_charged=1,
        hire_date=HIRED,
        termination_date=d("2025-05-31"),
        rates=[calc.Rate(HIRED, D(1), D(100000))],
    )
    assert [m.month.month for m in terminated.months][-1] == 5


def test_breakdown_as_dict() -> None:
    result = _pay([calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2024-12-16"), D(1), D(120000))])
    data = _months(result)["2024-12"].as_dict()
    assert data["month"] == "2024-12" and data["working_days"] == 21 and data["full"] is True
    assert [s["start"] for s in data["segments"]] == [d("2024-12-01"), d("2024-12-16")]


salaries = st.decimals(min_value=D("10000"), max_value=D("1000000"), places=2)
ftes = st.sampled_from([D("0.25"), D("0.5"), D("0.75"), D("1.00"), D("1.25")])
starts = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))


@settings(max_examples=100, deadline=None)
@given(salary=salaries, fte=ftes, start=starts, days=st.integers(min_value=1, max_value=28))
def test_constant_pay_gives_salary_over_29_3(salary: Decimal, fte: Decimal, start: dt.date, days: int) -> None:
    result = _pay([calc.Rate(d("2020-01-01"), fte, salary)], hire=d("2020-01-01"), start=start, days=days)
    expected_daily = calc.round_money(salary * fte * 12 / (D("29.3") * 12))
    assert result.average_daily == expected_daily
    assert result.amount == calc.round_money(expected_daily * days)


@settings(max_examples=100, deadline=None)
@given(salary=salaries, start=starts, month_offset=st.integers(min_value=1, max_value=12))
def test_a_whole_excluded_month_does_not_change_a_constant_average(
    salary: Decimal, start: dt.date, month_offset: int
) -> None:
    from leave.calc.dates import add_months, first_of_month, last_of_month

    month = add_months(first_of_month(start), -month_offset)
    rates = [calc.Rate(d("2020-01-01"), D(1), salary)]
    plain = _pay(rates, hire=d("2020-01-01"), start=start)
    sick = _pay(rates, [(month, last_of_month(month))], hire=d("2020-01-01"), start=start)
    assert sick.average_daily == plain.average_daily
    assert sick.days_counted == plain.days_counted - D("29.3")


@pytest.mark.parametrize("start", ["2024-03-01", "2026-01-12"])
def test_period_is_the_twelve_months_before_the_month_of_the_leave(start: str) -> None:
    result = _pay([calc.Rate(d("2020-01-01"), D(1), D(50000))], hire=d("2020-01-01"), start=d(start))
    first = calc.pay.first_of_month(d(start))
    assert result.period_end == first - dt.timedelta(days=1)
    assert result.period_start == calc.pay.add_months(first, -12)
