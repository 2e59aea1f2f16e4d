"""Selectors beyond the API: quotes fed by recorded absences, re-quotes, the ledger listing."""

from __future__ import annotations

import json

import pytest

from conftest import Cast
from hrportal.errors import ValidationFailed
from leave import selectors, services
from leave.models import LeaveType
from leave.tests.conftest import D, d

pytestmark = pytest.mark.django_db
START, END = d("2025-07-14"), d("2025-07-27")


def test_recorded_absences_are_excluded_from_vacation_pay(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    plain = selectors.quote(employee=cast.employee, leave_type="annual", start_date=START, end_date=END)
    assert plain.average_daily_earnings == D("3412.97")
    services.absence_record(
        employee=cast.employee, kind="sick", start_date=d("2025-02-10"), end_date=d("2025-02-14"), request_id=900
    )
    sick = selectors.quote(employee=cast.employee, leave_type="annual", start_date=START, end_date=END)
    # The worked example of test_pay.test_sick_leave_inside_a_month, now from the database.
    assert (sick.average_daily_earnings, sick.vacation_pay) == (D("3392.35"), D("47492.90"))
    february = next(m for m in sick.breakdown if m["month"] == "2025-02")
    assert (february["earnings"], february["days_counted"], february["full"]) == (D("75000.00"), D("24.0679"), False)
    # A cancelled absence no longer counts.
    services.absence_cancel(request_id=900)
    again = selectors.quote(employee=cast.employee, leave_type="annual", start_date=START, end_date=END)
    assert again.average_daily_earnings == D("3412.97")


def test_requote_leaves_the_request_itself_out(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_reserve(
        request_id=31, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(14)
    )
    services.leave_use(request_id=31)
    fresh = selectors.quote(employee=cast.employee, leave_type="annual", start_date=START, end_date=END)
    assert fresh.available_after == D("56.00")  # 84 entitled (3 working years) − 14 approved − 14 asked
    requote = selectors.quote(
        employee=cast.employee, leave_type="annual", start_date=START, end_date=END, exclude_request_id=31
    )
    assert requote.available_after == D("70.00")


def test_quote_as_json_is_serialisable(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    result = selectors.quote(
        employee=cast.employee, leave_type="annual", start_date=d("2025-01-01"), end_date=d("2025-01-14")
    )
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["days_charged"] == "6.00" and data["holidays_excluded"][0] == "2025-01-01"
    assert data["breakdown"][0]["segments"][0]["start"] == "2024-01-01"
    assert data["average_daily_earnings"] == "3412.97"


def test_quote_without_pay_and_bad_dates(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    result = selectors.quote(
        employee=cast.employee, leave_type="annual", start_date=START, end_date=END, include_pay=False
    )
    assert result.vacation_pay is None and result.breakdown == []
    with pytest.raises(ValidationFailed) as error:
        selectors.quote(employee=cast.employee, leave_type="annual", start_date=END, end_date=START)
    assert list(error.value.detail) == ["end_date"]


def test_before_six_months_every_leave_goes_to_hr_unless_a_right_is_recorded(
    cast: Cast, leave_types: dict[str, LeaveType]
) -> None:
    """Hired 03.03.2025: the first year's leave may be used from 03.09.2025 (art. 122 part 2). Earlier leave,
    first or not, is by agreement (needs_hr) — within the 28 days the first year grants, never refused on
    the balance. With a right of art. 122 part 3 recorded by HR (an employee under 18), on request: no HR."""
    from conftest import make_employee
    from leave.models import EarlyLeaveRight

    person = make_employee(username="fresh", department=cast.sales, hire_date=d("2025-03-03"))
    early = selectors.quote(employee=person, leave_type="annual", start_date=d("2025-05-05"), end_date=d("2025-05-07"))
    assert early.needs_hr and early.available_after == D("25.00")  # 28 − 3
    assert early.working_year == {"start": d("2025-03-03"), "end": d("2026-03-02")}
    assert early.draws_on == [{"start": d("2025-03-03"), "end": d("2026-03-02"), "days": D("3.00")}]
    services.leave_reserve(
        request_id=41,
        employee=person,
        leave_type="annual",
        start_date=d("2025-05-05"),
        end_date=d("2025-05-07"),
        days=D(3),
    )
    services.leave_use(request_id=41)
    second = selectors.quote(employee=person, leave_type="annual", start_date=d("2025-06-02"), end_date=d("2025-06-03"))
    assert second.needs_hr
    after = selectors.quote(employee=person, leave_type="annual", start_date=d("2025-09-03"), end_date=d("2025-09-04"))
    assert not after.needs_hr
    EarlyLeaveRight.objects.create(employee=person, category="under_18", valid_from=d("2025-03-03"))
    by_right = selectors.quote(
        employee=person, leave_type="annual", start_date=d("2025-06-02"), end_date=d("2025-06-03")
    )
    assert not by_right.needs_hr and "art. 122 part 3" in by_right.warnings[0]
    unpaid = selectors.quote(employee=person, leave_type="unpaid", start_date=d("2025-04-01"), end_date=d("2025-04-02"))
    assert not unpaid.needs_hr and unpaid.warnings == []


def test_ledger_listing(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_adjust(
        employee=cast.employee, leave_type="annual", days=D(1), actor=None, comment="a", effective_date=d("2025-02-01")
    )
    services.leave_adjust(
        employee=cast.employee,
        leave_type="additional",
        days=D(2),
        actor=None,
        comment="b",
        effective_date=d("2025-01-01"),
    )
    assert [e.days for e in selectors.ledger(employee=cast.employee)] == [D(2), D(1)]
    assert [e.days for e in selectors.ledger(employee=cast.employee, leave_type="annual")] == [D(1)]
    assert str(selectors.ledger(employee=cast.employee)[0]).startswith("adjustment 2.00")


def test_calendar_year_selector(cast: Cast) -> None:
    year = selectors.calendar_year(year=2024)
    assert [m.working_days for m in year.months][:2] == [17, 20]
    assert year.days[0].date == d("2024-01-01")
