"""Regulation 922 in full (issue 17): payroll data, item 5, bonuses (item 15), indexation (item 16), the minimum
wage (item 18, art. 133), each worked by hand to the kopeck.

Unless a case says otherwise: hired 09.01.2023, leave from 14.07.2025, so the period is July 2024 – June 2025.
Working days by the production calendar: Jul 23, Aug 22, Sep 21, Oct 23, Nov 21, Dec 21 (2024); Jan 17,
Feb 20, Mar 21, Apr 22, May 18, Jun 19 (2025) — 248 in all. A full month counts 29.3 days; 12 of them 351.6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from leave import calc
from leave.calc import earnings as pr
from leave.calc import sources
from leave.calc.dates import add_months, date_range, month_starts
from leave.tests.conftest import D, d
from staff.minimum_wage import MINIMUM_WAGE

CALENDAR = sources.calendar_for_years(range(2022, 2028))
HIRED = d("2023-01-09")
LEAVE_START = d("2025-07-14")


def _salary_rows(amount: str, first: str = "2024-07-01", months: int = 12) -> list[calc.Accrual]:
    return [
        calc.Accrual(month=add_months(d(first), i), kind=pr.SALARY, amount=D(amount), document=f"Z-{i}")
        for i in range(months)
    ]


def _pay(
    rates: list[calc.Rate],
    accruals: list[calc.Accrual] = (),  # type: ignore[assignment]
    excluded: list[tuple[dt.date, dt.date]] = (),  # type: ignore[assignment]
    *,
    hire: dt.date = HIRED,
    start: dt.date = LEAVE_START,
    days: int = 14,
    floor: bool = True,
) -> calc.VacationPay:
    return calc.vacation_pay(
        calendar=CALENDAR,
        start_date=start,
        days_charged=days,
        hire_date=hire,
        rates=rates,
        excluded_periods=excluded,
        accruals=accruals,
        minimum_wage=MINIMUM_WAGE if floor else (),
        charged_dates=list(date_range(start, start + dt.timedelta(days=days - 1))),
    )


def _month(result: calc.VacationPay, month: str) -> calc.MonthEarnings:
    return next(m for m in result.months if m.month.strftime("%Y-%m") == month)


def test_full_period_from_payroll_data() -> None:
    """Each month: salary 100 000 + monthly bonus 20 000 + allowance 5 000 = 125 000; a second monthly bonus for
    March (15 000) is left out (item 15: one a kind a month, the larger kept), material aid ("other", 3 000) and
    sick pay do not count (item 3).
    12 × 125 000 = 1 500 000; / 351.6 = 4 266.2116… → 4 266.21; × 14 = 59 726.94."""
    accruals = []
    for month in month_starts(d("2024-07-01"), d("2025-06-30")):
        accruals += [
            calc.Accrual(month, pr.SALARY, D(100000)),
            calc.Accrual(month, pr.BONUS_MONTH, D(20000)),
            calc.Accrual(month, pr.ALLOWANCE, D(5000)),
        ]
    accruals += [
        calc.Accrual(d("2025-03-01"), pr.BONUS_MONTH, D(15000), document="extra"),
        calc.Accrual(d("2025-03-01"), pr.OTHER, D(3000), counts=False),
    ]
    result = _pay([calc.Rate(HIRED, D(1), D(90000))], accruals)
    assert all(m.source == "payroll" for m in result.months)
    march = _month(result, "2025-03")
    assert [p.status for p in march.payments if p.document == "extra"] == [pr.EXTRA_MONTHLY_BONUS]
    assert march.earnings == D(125000)
    assert result.earnings == D(1500000)
    assert result.average_daily == D("4266.21")
    assert result.amount == D("59726.94")


def test_business_trip_sick_leave_and_an_earlier_leave_in_one_month() -> None:
    """March 2025 (31 days, 21 working): a trip 3–7 March (5 calendar / 5 working days), sick leave 10–14 March
    (5 / 5) and an earlier annual leave 17–23 March (7 / 5) are excluded with their pay (item 5): the trip's
    average earnings ("other" 17 000), sick pay 8 000 and vacation pay 16 000 do not count; the salary for the
    6 days worked, 28 571.43, does. Days counted: 29.3 / 31 × (31 − 17) = 13.2322580…
    Other months 100 000 each: 11 × 100 000 = 1 100 000 and 11 × 29.3 = 322.3 days.
    (1 100 000 + 28 571.43) / 335.5322580… = 3 363.5258… → 3 363.53; × 14 = 47 089.42."""
    accruals = [a for a in _salary_rows("100000") if a.month != d("2025-03-01")] + [
        calc.Accrual(d("2025-03-01"), pr.SALARY, D("28571.43")),
        calc.Accrual(d("2025-03-01"), pr.OTHER, D(17000), counts=False),
        calc.Accrual(d("2025-03-01"), pr.SICK_PAY, D(8000), counts=False),
        calc.Accrual(d("2025-03-01"), pr.VACATION_PAY, D(16000), counts=False),
    ]
    excluded = [
        (d("2025-03-03"), d("2025-03-07")),
        (d("2025-03-10"), d("2025-03-14")),
        (d("2025-03-17"), d("2025-03-23")),
    ]
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], accruals, excluded)
    march = _month(result, "2025-03")
    assert (march.excluded_days, march.worked_working_days, march.earnings) == (17, 6, D("28571.43"))
    assert march.days_counted.quantize(D("0.0000001")) == D("13.2322581")
    assert result.average_daily == D("3363.53")
    assert result.amount == D("47089.42")


def test_fewer_than_twelve_months() -> None:
    """Hired 10.02.2025, leave from 01.09.2025: the period is February – August 2025 from the hire (item 4).
    February: 19 of 28 days, salary 67 500 (15 of 20 working days), no bonus; 29.3 / 28 × 19 = 19.8821428…
    March – August: salary 90 000 + monthly bonus 9 000 = 99 000 each, 6 × 99 000 = 594 000, 6 × 29.3 = 175.8.
    661 500 / 195.6821428… = 3 380.4821… → 3 380.48; × 14 = 47 326.72."""
    hire = d("2025-02-10")
    accruals = [calc.Accrual(d("2025-02-01"), pr.SALARY, D(67500))]
    for month in month_starts(d("2025-03-01"), d("2025-08-31")):
        accruals += [calc.Accrual(month, pr.SALARY, D(90000)), calc.Accrual(month, pr.BONUS_MONTH, D(9000))]
    result = _pay([calc.Rate(hire, D(1), D(90000))], accruals, hire=hire, start=d("2025-09-01"))
    assert [m.month.month for m in result.months] == [2, 3, 4, 5, 6, 7, 8]
    assert result.earnings == D(661500)
    assert result.average_daily == D("3380.48")
    assert result.amount == D("47326.72")


def test_individual_raise_is_not_indexed() -> None:
    """100 000 → 120 000 on 01.01.2025 for this employee alone (no indexation flag): July – December 2024 at
    100 000, January – June 2025 at 120 000: 1 320 000 / 351.6 = 3 754.2662… → 3 754.27; × 28 = 105 119.56."""
    rates = [calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2025-01-01"), D(1), D(120000))]
    result = _pay(rates, days=28)
    assert all(m.indexation == 1 for m in result.months)
    assert result.average_daily == D("3754.27")
    assert result.amount == D("105119.56")


def test_organisation_wide_raise_inside_the_period() -> None:
    """The issue's case: 100 000 → 120 000 on 01.01.2025 for the whole organisation (item 16), leave in July
    2025 for 28 days. July – December 2024 indexed by 120 000 / 100 000 = 1.2: 6 × 120 000 + 6 × 120 000 =
    1 440 000; / 351.6 = 4 095.5631… → 4 095.56 (not 3 754.27); × 28 = 114 675.68.
    The same from payroll data (12 salary rows, 100 000 then 120 000) gives the same figure."""
    rates = [calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2025-01-01"), D(1), D(120000), indexation=True)]
    result = _pay(rates, days=28)
    assert [m.indexation for m in result.months] == [D("1.2")] * 6 + [D(1)] * 6
    assert result.average_daily == D("4095.56")
    assert result.amount == D("114675.68")
    payroll = _salary_rows("100000", months=6) + _salary_rows("120000", first="2025-01-01", months=6)
    from_payroll = _pay(rates, payroll, days=28)
    assert all(m.source == "payroll" for m in from_payroll.months)
    assert (from_payroll.average_daily, from_payroll.amount) == (D("4095.56"), D("114675.68"))


def test_raise_after_the_period_before_the_leave() -> None:
    """100 000 all the period; an indexation to 110 000 on 01.07.2025, before the leave of 14.07.2025: the
    average is raised (item 16): 1 200 000 / 351.6 = 3 412.9692… × 1.1 = 3 754.2662… → 3 754.27;
    × 14 = 52 559.78."""
    rates = [calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2025-07-01"), D(1), D("110000"), indexation=True)]
    result = _pay(rates)
    assert result.indexation_after == D("1.1")
    assert result.average_daily == D("3754.27")
    assert result.amount == D("52559.78")


def test_raise_during_the_leave() -> None:
    """Leave 23.06.2025 – 20.07.2025 (28 days, no holiday inside); period June 2024 – May 2025 at 100 000:
    1 200 000 / 351.6 = 3 412.9692… → 3 412.97. An indexation to 110 000 on 01.07.2025 raises the days from
    it (item 16): 3 412.9692… × 1.1 = 3 754.2662… → 3 754.27.
    23–30 June: 8 × 3 412.97 = 27 303.76; 1–20 July: 20 × 3 754.27 = 75 085.40; total 102 389.16."""
    rates = [calc.Rate(HIRED, D(1), D(100000)), calc.Rate(d("2025-07-01"), D(1), D("110000"), indexation=True)]
    result = _pay(rates, start=d("2025-06-23"), days=28)
    assert result.average_daily == D("3412.97")
    assert [(p.start, p.days, p.daily) for p in result.parts] == [
        (d("2025-06-23"), 8, D("3412.97")),
        (d("2025-07-01"), 20, D("3754.27")),
    ]
    assert result.amount == D("102389.16")


def test_half_time() -> None:
    """FTE 0.5 of 100 000: payroll salary 50 000 + allowance 5 000 a month = 55 000; 12 × 55 000 = 660 000;
    / 351.6 = 1 877.1331… → 1 877.13; × 14 = 26 279.82. The floor (item 18) is the minimum wage × FTE:
    22 440 × 0.5 / 29.3 = 382.94 a day, far below: not applied."""
    accruals = _salary_rows("50000") + [
        calc.Accrual(m, pr.ALLOWANCE, D(5000)) for m in month_starts(d("2024-07-01"), d("2025-06-30"))
    ]
    result = _pay([calc.Rate(HIRED, D("0.5"), D(100000))], accruals)
    assert result.minimum_daily.quantize(D("0.01")) == D("382.94")
    assert all(not p.floor_applied for p in result.parts)
    assert result.average_daily == D("1877.13")
    assert result.amount == D("26279.82")


def test_quarterly_bonus_for_a_partly_worked_quarter() -> None:
    """Sick leave 10–14.02.2025 (5 of February's 20 working days): February's salary 75 000, days
    29.3 / 28 × 23 = 24.0678571…; 11 other months 100 000 = 1 100 000, 322.3 days.
    The Q1 2025 bonus of 60 000, accrued in April 2025, is counted in proportion to the working days worked in
    the period (item 15): (248 − 5) / 248 = 0.9798387…; 60 000 × 243 / 248 = 58 790.3225…
    (1 175 000 + 58 790.3225…) / 346.3678571… = 3 562.0808… → 3 562.08; × 14 = 49 869.12."""
    accruals = [a for a in _salary_rows("100000") if a.month != d("2025-02-01")] + [
        calc.Accrual(d("2025-02-01"), pr.SALARY, D(75000)),
        calc.Accrual(
            d("2025-04-01"), pr.BONUS_QUARTER, D(60000), period_start=d("2025-01-01"), period_end=d("2025-03-31")
        ),
    ]
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], accruals, [(d("2025-02-10"), d("2025-02-14"))])
    assert result.worked_share == D(243) / D(248)
    (bonus,) = result.bonuses
    assert bonus.status == pr.COUNTED and calc.round_money(bonus.counted) == D("58790.32")
    assert result.average_daily == D("3562.08")
    assert result.amount == D("49869.12")


def test_annual_bonus_for_last_year_whatever_its_accrual_date() -> None:
    """The bonus for 2024 (120 000) accrued in July 2025, after the period: counted all the same (item 15); the
    bonus for 2023 accrued in May 2024, before the period, is not. Salary 100 000 × 12 = 1 200 000.
    (1 200 000 + 120 000) / 351.6 = 3 754.2662… → 3 754.27; × 14 = 52 559.78."""
    accruals = [
        *_salary_rows("100000"),
        calc.Accrual(
            d("2025-07-01"), pr.BONUS_YEAR, D(120000), period_start=d("2024-01-01"), period_end=d("2024-12-31")
        ),
        calc.Accrual(
            d("2024-05-01"), pr.BONUS_YEAR, D(90000), period_start=d("2023-01-01"), period_end=d("2023-12-31")
        ),
    ]
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], accruals)
    assert [b.status for b in result.bonuses] == [pr.PREVIOUS_YEAR, pr.OUTSIDE_PERIOD]
    assert result.average_daily == D("3754.27")
    assert result.amount == D("52559.78")


def test_a_month_below_the_minimum_wage() -> None:
    """July 2024 at a salary of 15 000 (FTE 1, full month) is below that month's minimum wage of 19 242: it counts
    19 242 (art. 133); from August 100 000 (an individual raise). 19 242 + 11 × 100 000 = 1 119 242;
    / 351.6 = 3 183.2821… → 3 183.28; × 14 = 44 565.92."""
    rates = [calc.Rate(HIRED, D(1), D(15000)), calc.Rate(d("2024-08-01"), D(1), D(100000))]
    result = _pay(rates)
    july = _month(result, "2024-07")
    assert (july.base, july.floor, july.earnings) == (D(15000), D(19242), D(19242))
    assert result.average_daily == D("3183.28")
    assert result.amount == D("44565.92")
    assert _pay(rates, floor=False).average_daily == D("3171.22")  # (15 000 + 1 100 000) / 351.6 = 3 171.2173…


def test_average_below_the_minimum_wage_is_raised() -> None:
    """A salary of 20 000 all year: July – December 2024 above the 2024 minimum (19 242), January – June 2025
    raised to 22 440 each (art. 133): 120 000 + 134 640 = 254 640; / 351.6 = 724.2320… a day, below the floor
    of item 18 on 14.07.2025: 22 440 / 29.3 = 765.8703… → 765.87; × 14 = 10 722.18."""
    result = _pay([calc.Rate(HIRED, D(1), D(20000))])
    assert result.earnings == D(254640)
    assert result.parts[0].floor_applied
    assert result.average_daily == D("765.87")
    assert result.amount == D("10722.18")


def test_without_payroll_data_the_salary_figure_stays() -> None:
    """Only June 2025 has payroll data (salary 100 000 + monthly bonus 30 000); the other 11 months stay on the
    salary (100 000): 1 100 000 + 130 000 = 1 230 000; / 351.6 = 3 498.2935… → 3 498.29."""
    accruals = [
        calc.Accrual(d("2025-06-01"), pr.SALARY, D(100000)),
        calc.Accrual(d("2025-06-01"), pr.BONUS_MONTH, D(30000)),
    ]
    result = _pay([calc.Rate(HIRED, D(1), D(100000))], accruals)
    assert [m.source for m in result.months] == ["salary"] * 11 + ["payroll"]
    assert result.average_daily == D("3498.29")


def test_indexation_steps_ignore_fte_changes_and_cuts() -> None:
    rates = [
        calc.Rate(HIRED, D(1), D(100000)),
        calc.Rate(d("2024-03-01"), D("0.5"), D(100000), indexation=True),  # FTE only: no raise
        calc.Rate(d("2024-06-01"), D("0.5"), D(90000), indexation=True),  # a cut: not an indexation
        calc.Rate(d("2024-09-01"), D("0.5"), D(99000), indexation=True),
    ]
    assert pr.indexation_steps(rates) == [(d("2024-09-01"), D("1.1"))]
    assert pr.index_factor(pr.indexation_steps(rates), day=d("2024-08-31"), up_to=d("2025-01-01")) == D("1.1")
    assert pr.index_factor(pr.indexation_steps(rates), day=d("2024-09-01"), up_to=d("2025-01-01")) == 1
    assert Decimal(1) == pr.index_factor([], day=d("2024-01-01"), up_to=d("2025-01-01"))


@settings(max_examples=60, deadline=None)
@given(
    salary=st.decimals(min_value=D("30000"), max_value=D("500000"), places=2),
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)),
)
def test_payroll_rows_equal_to_the_salary_change_nothing(salary: Decimal, start: dt.date) -> None:
    """Invariant: a payroll month that pays exactly the salary counts as the salary month did (no item-5 time)."""
    rates = [calc.Rate(d("2020-01-01"), D(1), salary)]
    first = add_months(start.replace(day=1), -12)
    accruals = [calc.Accrual(add_months(first, i), pr.SALARY, salary) for i in range(12)]
    with_payroll = _pay(rates, accruals, hire=d("2020-01-01"), start=start)
    without = _pay(rates, hire=d("2020-01-01"), start=start)
    assert with_payroll.average_daily == without.average_daily
    assert all(m.source == "payroll" for m in with_payroll.months)


@settings(max_examples=60, deadline=None)
@given(
    raise_pct=st.integers(min_value=1, max_value=50),
    month_offset=st.integers(min_value=1, max_value=11),
)
def test_an_indexation_inside_the_period_gives_the_new_salary_over_29_3(raise_pct: int, month_offset: int) -> None:
    """Invariant of item 16: with only indexations, every month is brought to the salary of the event, so the
    average is the new salary / 29.3 wherever in the period the raise falls."""
    new = D(100000) * (100 + raise_pct) / 100
    rates = [
        calc.Rate(HIRED, D(1), D(100000)),
        calc.Rate(add_months(d("2024-07-01"), month_offset), D(1), new, indexation=True),
    ]
    assert _pay(rates).average_daily == calc.round_money(new / D("29.3"))
