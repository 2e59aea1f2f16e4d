"""holiday_work: the hand-checked fixture (conftest.holiday_fixture), the issue-17 half-timer, the rules of art. 153
(within the norm, beyond it, a day off instead), scoping, and lines that recompute from their columns."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Q
from django.utils import translation

from leave.services import load_calendar
from reports.exporters import ReportParams, build_report, export_to_file
from reports.tests.conftest import HolidayFixture, entry, read_rows
from reports.xlsx import SummaryRow
from staff.models import TimesheetEntry
from staff.selectors import rate_on
from staff.services import pay_rate_record

D = Decimal


def _lines(fixture: HolidayFixture, user: Any) -> list[tuple[Any, ...]]:
    params = ReportParams(user=user, date_from=fixture.date_from, date_to=fixture.date_to, language="en")
    with translation.override("en"):
        return list(build_report(kind="holiday_work", params=params).rows)


def _data(lines: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [line for line in lines if type(line) is not SummaryRow]


def test_hand_checked_lines_and_totals(holiday_fixture: HolidayFixture, hr: Any) -> None:
    lines = _lines(holiday_fixture, hr.user)
    data = _data(lines)
    # (personnel number, date, hours, hourly rate, multiplier, pay) — see the fixture's docstring.
    a, b, o = (
        holiday_fixture.a.personnel_number,
        holiday_fixture.b.personnel_number,
        holiday_fixture.outsider.personnel_number,
    )
    assert [(r[1], r[3], r[6], r[7], r[9], r[10]) for r in data] == [
        (a, dt.date(2025, 10, 26), D("8.00"), D("543.48"), D(1), D("4347.84")),
        (a, dt.date(2025, 11, 2), D("4.00"), D("662.25"), D(1), D("2649.00")),
        (a, dt.date(2025, 11, 3), D("5.00"), D("662.25"), D(1), D("3311.25")),
        (a, dt.date(2025, 11, 4), D("0.50"), D("662.25"), D(1), D("331.13")),
        (a, dt.date(2025, 11, 4), D("7.50"), D("662.25"), D(2), D("9933.75")),
        (a, dt.date(2025, 11, 8), D("6.50"), D("794.70"), D(1), D("5165.55")),
        (b, dt.date(2025, 11, 4), D("4.00"), D("600.00"), D(1), D("2400.00")),
        (o, dt.date(2025, 11, 4), D("8.00"), D("662.25"), D(2), D("10596.00")),
    ]
    # Kind of day, holiday name, and the rule each line used.
    assert (data[0][4], data[0][5]) == ("Weekend", "")
    assert (data[2][4], data[2][5]) == ("Transferred day off", "")
    assert (data[3][4], data[3][5]) == ("Public holiday", "День народного единства")
    assert [row[8] for row in data] == [
        "Within the monthly norm: single rate on top of the salary",
        "Within the monthly norm: single rate on top of the salary",
        "Within the monthly norm: single rate on top of the salary",
        "Within the monthly norm: single rate on top of the salary",
        "Beyond the monthly norm: double rate",
        "Another day of rest instead: single pay",
        "Within the monthly norm: single rate on top of the salary",
        "Beyond the monthly norm (no working-day hours in the timesheet): double rate",
    ]
    totals = [line for line in lines if type(line) is SummaryRow]
    assert [(t[6], t[10]) for t in totals] == [
        (D("31.50"), D("25738.52")),  # A
        (D("4.00"), D("2400.00")),  # B
        (D("8.00"), D("10596.00")),  # outsider
        (D("43.50"), D("38734.52")),  # the report
    ]
    assert totals[0][2] == f"Total: {holiday_fixture.a.full_name}"


def test_a_working_saturday_is_not_holiday_work(holiday_fixture: HolidayFixture, hr: Any) -> None:
    data = _data(_lines(holiday_fixture, hr.user))
    assert dt.date(2025, 11, 1) not in {row[3] for row in data}
    assert TimesheetEntry.objects.filter(date=dt.date(2025, 11, 1)).count() == 2  # both exist, neither listed


def test_manager_sees_only_their_subtree(holiday_fixture: HolidayFixture, manager: Any) -> None:
    lines = _lines(holiday_fixture, manager.user)
    people = {row[1] for row in _data(lines)}
    assert people == {holiday_fixture.a.personnel_number, holiday_fixture.b.personnel_number}
    # Without the rate and the pay (test_report_columns.py): the hours add up all the same.
    assert (lines[-1][6], len(lines[-1])) == (D("35.50"), 9)


def test_the_same_subtree_for_hr_with_pay(holiday_fixture: HolidayFixture, cast: Any, hr: Any) -> None:
    params = ReportParams(
        user=hr.user,
        date_from=holiday_fixture.date_from,
        date_to=holiday_fixture.date_to,
        department_id=cast.sales.pk,
        language="en",
    )
    with translation.override("en"):
        lines = list(build_report(kind="holiday_work", params=params).rows)
    assert (lines[-1][6], lines[-1][10]) == (D("35.50"), D("28138.52"))


def test_department_narrows_to_its_subtree(holiday_fixture: HolidayFixture, cast: Any, hr: Any) -> None:
    params = ReportParams(
        user=hr.user,
        date_from=holiday_fixture.date_from,
        date_to=holiday_fixture.date_to,
        department_id=cast.sales_east.pk,
    )
    data = _data(list(build_report(kind="holiday_work", params=params).rows))
    assert {row[1] for row in data} == {holiday_fixture.b.personnel_number}


def test_a_rest_day_by_schedule_on_a_weekday_counts(holiday_fixture: HolidayFixture, hr: Any) -> None:
    entry(holiday_fixture.outsider, dt.date(2025, 10, 29), "weekend", "3")  # a Wednesday
    data = _data(_lines(holiday_fixture, hr.user))
    row = next(r for r in data if r[3] == dt.date(2025, 10, 29))
    assert (row[4], row[10]) == ("Rest day by schedule", D("3260.88"))  # 3 × 543.48 = 1 630.44, × 2


def test_rows_recompute_from_their_own_columns_and_the_rates(
    holiday_fixture: HolidayFixture, hr: Any, tmp_path: Path
) -> None:
    """Every line of the file is hours × rate × multiplier; the rate is salary × FTE / the month's norm of the rate
    in force (rate_on()); the lines of an entry add up to its hours; the entries are exactly those on days off."""
    path = tmp_path / "r.xlsx"
    written, total = export_to_file(
        kind="holiday_work",
        user=hr.user,
        date_from=holiday_fixture.date_from,
        date_to=holiday_fixture.date_to,
        department_id=None,
        path=path,
        language="en",
    )
    assert (written, total) == (8, 7)  # 7 entries; 4 Nov of A is split between the two rules
    file_rows = [r for r in read_rows(path)[1:] if r[3] is not None]  # totals have no date
    days_off = Q(
        date__in=[
            dt.date(2025, 10, 25),
            dt.date(2025, 10, 26),
            dt.date(2025, 11, 2),
            dt.date(2025, 11, 3),
            dt.date(2025, 11, 4),
            dt.date(2025, 11, 8),
            dt.date(2025, 11, 9),
        ]
    )
    direct = TimesheetEntry.objects.filter(
        days_off, date__range=(holiday_fixture.date_from, holiday_fixture.date_to)
    ).select_related("employee")
    hours_by_entry = {(e.employee.personnel_number, e.date): float(e.hours) for e in direct}
    got: dict[tuple[str, dt.date], float] = {}
    for row in file_rows:
        key = (row[1], row[3].date())
        got[key] = got.get(key, 0) + row[6]
        exact = D(str(row[6])) * D(str(row[7])) * row[9]
        assert D(str(row[10])) == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        employee = direct.get(employee__personnel_number=row[1], date=row[3]).employee
        rate = rate_on(employee, row[3].date())
        norm = {(11, D(1)): D(151), (10, D(1)): D(184), (11, D("0.5")): D(75)}[(row[3].month, rate.fte)]
        assert D(str(row[7])) == (rate.salary * rate.fte / norm).quantize(D("0.01"))
    assert got == hours_by_entry


def test_queries_do_not_grow_with_rows(
    holiday_fixture: HolidayFixture, hr: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 31):  # many more rows, of the same employees
        date = dt.date(2025, 11, day)
        if date.weekday() >= 5 and date != dt.date(2025, 11, 1):
            for person in (holiday_fixture.a, holiday_fixture.b, holiday_fixture.outsider):
                TimesheetEntry.objects.get_or_create(
                    employee=person, date=date, kind="weekend", defaults={"hours": D("2")}
                )
    params = ReportParams(user=hr.user, date_from=dt.date(2025, 10, 1), date_to=dt.date(2025, 11, 30))
    with django_assert_max_num_queries(8):
        lines = list(build_report(kind="holiday_work", params=params).rows)
    assert len(lines) > 20


@pytest.mark.parametrize("weekly_hours, expected_rate", [(40, D("662.25")), (36, D("736.38"))])
def test_reduced_working_week_uses_its_own_norm(
    holiday_fixture: HolidayFixture, hr: Any, weekly_hours: int, expected_rate: Decimal
) -> None:
    # Art. 92 reduced time at full salary, 36 h a week: 7.2 h a working day, 6.2 h on the shortened 1 Nov;
    # November: 18 × 7.2 + 6.2 = 135.8 h → 100 000 / 135.8 = 736.377… → 736.38.
    outsider = holiday_fixture.outsider
    outsider.weekly_hours = weekly_hours
    outsider.save(update_fields=["weekly_hours"])
    data = _data(_lines(holiday_fixture, hr.user))
    row = next(r for r in data if r[1] == outsider.personnel_number)
    assert row[7] == expected_rate


def _january_half_timer(cast: Any, weekly_hours: Decimal | None, holiday_hours: str = "4") -> Any:
    """The issue's part-timer: 100 000 ₽ × FTE 0.5 from 1 Dec 2024, a 20-hour week (recorded or 40 × 0.5), 4 h on
    each of January 2025's 17 working days (68 h: the month's norm at 20 h), and holiday work on 3 Jan."""
    load_calendar(year=2025)
    person = cast.outsider
    pay_rate_record(employee=person, effective_date=dt.date(2024, 12, 1), fte=D("0.50"), salary=D("100000.00"))
    person.weekly_hours = weekly_hours
    person.save(update_fields=["weekly_hours"])
    for day in range(1, 32):
        date = dt.date(2025, 1, day)
        if date.weekday() < 5 and day > 8:  # 1–8 January: public holidays and days off
            entry(person, date, "regular", "4")
    entry(person, dt.date(2025, 1, 3), "holiday", holiday_hours)
    return person


@pytest.mark.parametrize("weekly_hours", [D("20"), None])
def test_a_half_timer_is_paid_a_full_timers_hour_not_twice_it(cast: Any, hr: Any, weekly_hours: Decimal | None) -> None:
    """Issue 17: FTE 0.5 with 20 weekly hours was paid 100 000 / 68 = 1 470.59 an hour (FTE and week both applied).

    January 2025: 17 working days (9–31 Jan), none shortened; norm at the own week of 20 h = 17 × 4 = 68 h.
    Rate = 100 000 × 0.5 / 68 = 50 000 / 68 = 735.294… → 735.29 (= 100 000 / 136, a full-timer's hour).
    Hours worked: 17 × 4 = 68 on working days + 4 on 3 Jan = 72 > 68: the 4 holiday hours are beyond the norm,
    double: 4 × 735.29 × 2 = 5 882.32."""
    person = _january_half_timer(cast, weekly_hours)
    params = ReportParams(user=hr.user, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31), language="en")
    with translation.override("en"):
        data = _data(list(build_report(kind="holiday_work", params=params).rows))
    assert [(r[1], r[6], r[7], r[9], r[10]) for r in data] == [
        (person.personnel_number, D("4.00"), D("735.29"), D(2), D("5882.32"))
    ]
    assert data[0][8] == "Beyond the monthly norm: double rate"


def test_within_the_norm_single_and_the_excess_double(cast: Any, hr: Any) -> None:
    """The same half-timer takes 9 and 10 January off (unpaid: no hours): 15 × 4 = 60 h on working days + 10 h on 3 Jan
    = 70 h against the 68-h norm: 2 h beyond (double), 8 h within (single).
    Pay: 8 × 735.29 × 1 = 5 882.32 and 2 × 735.29 × 2 = 2 941.16; 8 823.48 together."""
    person = _january_half_timer(cast, None, holiday_hours="10")
    TimesheetEntry.objects.filter(employee=person, date__in=[dt.date(2025, 1, 9), dt.date(2025, 1, 10)]).delete()
    params = ReportParams(user=hr.user, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31), language="en")
    with translation.override("en"):
        lines = list(build_report(kind="holiday_work", params=params).rows)
    assert [(r[6], r[7], r[9], r[10]) for r in _data(lines)] == [
        (D("8.00"), D("735.29"), D(1), D("5882.32")),
        (D("2.00"), D("735.29"), D(2), D("2941.16")),
    ]
    assert (lines[-1][6], lines[-1][10]) == (D("10.00"), D("8823.48"))


def test_the_month_is_read_whole_whatever_the_period(holiday_fixture: HolidayFixture, hr: Any) -> None:
    """A report of 4 November alone splits A's line as the full report does: the month decides, not the period."""
    params = ReportParams(user=hr.user, date_from=dt.date(2025, 11, 4), date_to=dt.date(2025, 11, 4), language="en")
    with translation.override("en"):
        data = _data(list(build_report(kind="holiday_work", params=params).rows))
    a = holiday_fixture.a.personnel_number
    assert [(r[6], r[9]) for r in data if r[1] == a] == [(D("0.50"), D(1)), (D("7.50"), D(2))]


def test_the_months_allowances_and_monthly_bonuses_from_payroll_enter_the_rate(cast: Any, hr: Any) -> None:
    """Art. 153 part 1: the hourly rate includes the compensatory and incentive payments of the month, imported from
    payroll. The half-timer's January 2025: allowance 3 400.00 and monthly bonus 1 700.00 count; the salary line
    (50 000.00: already salary × FTE), a quarterly bonus (10 000.00: not "of the month") and February's allowance
    do not.
    Rate = (100 000 × 0.5 + 3 400 + 1 700) / 68 = 55 100 / 68 = 810.294… → 810.29.
    The 4 holiday hours are beyond the 68-h norm (72 worked): 4 × 810.29 × 2 = 6 482.32."""
    from payroll.models import PayrollAccrual

    person = _january_half_timer(cast, None)
    january, february = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
    for month, kind, amount in [
        (january, "allowance", "3400.00"),
        (january, "bonus_month", "1700.00"),
        (january, "salary", "50000.00"),
        (january, "bonus_quarter", "10000.00"),
        (february, "allowance", "9999.00"),
    ]:
        PayrollAccrual.objects.create(employee=person, month=month, kind=kind, amount=D(amount), counts=True)
    params = ReportParams(user=hr.user, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31), language="en")
    with translation.override("en"):
        data = _data(list(build_report(kind="holiday_work", params=params).rows))
    assert [(r[6], r[7], r[9], r[10]) for r in data] == [(D("4.00"), D("810.29"), D(2), D("6482.32"))]
