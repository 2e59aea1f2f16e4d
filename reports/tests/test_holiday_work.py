"""holiday_work: the hand-checked fixture (conftest.holiday_fixture), scoping, and rows equal a direct query."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Q
from django.utils import translation

from reports.exporters import ReportParams, build_report, export_to_file
from reports.tests.conftest import HolidayFixture, entry, read_rows
from reports.xlsx import SummaryRow
from staff.models import TimesheetEntry
from staff.selectors import rate_on

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
        (a, dt.date(2025, 10, 26), D("8.00"), D("543.48"), D(2), D("8695.68")),
        (a, dt.date(2025, 11, 2), D("4.00"), D("662.25"), D(2), D("5298.00")),
        (a, dt.date(2025, 11, 3), D("5.00"), D("662.25"), D(2), D("6622.50")),
        (a, dt.date(2025, 11, 4), D("8.00"), D("662.25"), D(2), D("10596.00")),
        (a, dt.date(2025, 11, 8), D("6.50"), D("794.70"), D(1), D("5165.55")),
        (b, dt.date(2025, 11, 4), D("4.00"), D("596.03"), D(2), D("4768.24")),
        (o, dt.date(2025, 11, 4), D("8.00"), D("662.25"), D(2), D("10596.00")),
    ]
    # Kind of day and holiday name.
    assert (data[0][4], data[0][5]) == ("Weekend", "")
    assert (data[2][4], data[2][5]) == ("Transferred day off", "")
    assert (data[3][4], data[3][5]) == ("Public holiday", "День народного единства")
    assert data[4][8] == "Single pay + a day off" and data[3][8] == "Double pay"
    totals = [line for line in lines if type(line) is SummaryRow]
    assert [(t[6], t[10]) for t in totals] == [
        (D("31.50"), D("36377.73")),  # A
        (D("4.00"), D("4768.24")),  # B
        (D("8.00"), D("10596.00")),  # outsider
        (D("43.50"), D("51741.97")),  # the report
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
    assert (lines[-1][6], lines[-1][10]) == (D("35.50"), D("41145.97"))


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


def test_rows_equal_a_direct_query(holiday_fixture: HolidayFixture, hr: Any, tmp_path: Path) -> None:
    """The file's data rows are exactly the entries on days off, with the rate from rate_on(), in order."""
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
    assert written == total == 7
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
    direct = (
        TimesheetEntry.objects.filter(days_off, date__range=(holiday_fixture.date_from, holiday_fixture.date_to))
        .select_related("employee__department")
        .order_by("employee__department__path", "employee__last_name", "employee__first_name", "date")
    )
    expected = []
    for e in direct:
        norm = D(151) if e.date.month == 11 else D(184)
        rate = (rate_on(e.employee, e.date).salary / norm).quantize(D("0.01"))
        multiplier = 1 if e.day_off_instead else 2
        expected.append(
            (
                e.employee.department.name,
                e.employee.personnel_number,
                e.employee.full_name,
                e.date,
                float(e.hours),
                float(rate),
                multiplier,
                round(float(e.hours * rate * multiplier), 2),
            )
        )
    got = [(r[0], r[1], r[2], r[3].date(), r[6], r[7], r[9], r[10]) for r in file_rows]
    assert got == expected


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
