"""Acceptance 3 (ledger part): accrue() posts each month once, in any order, and matches the balance."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cast, make_employee
from leave import selectors, services, tasks
from leave.models import LeaveEntry, LeaveType
from leave.tests.conftest import D, d
from staff.models import Employee

pytestmark = pytest.mark.django_db
_people = itertools.count(1)


def _ledger(employee: Employee) -> list[tuple[str, object, object, object, object]]:
    return [
        (e.idempotency_key.replace(f":{employee.pk}:", ":"), e.days, e.effective_date, e.period_start, e.period_end)
        for e in LeaveEntry.objects.filter(account__employee=employee, kind="accrual").order_by("effective_date", "id")
    ]


def test_accrue_posts_every_counted_month_once(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    person = make_employee(username="newbie", department=cast.sales, hire_date=d("2024-03-10"))
    created = services.accrue(up_to=d("2025-03-09"), employees=[person])
    # 12 months of service (10 March 2024 – 9 March 2025): 12 entries summing to exactly 28.00.
    entries = LeaveEntry.objects.filter(account__employee=person, kind="accrual").order_by("effective_date")
    assert created == 12 == entries.count()
    assert sum(e.days for e in entries) == D("28.00")
    first = entries.first()
    assert (first.period_start, first.period_end, first.effective_date) == (
        d("2024-03-10"),
        d("2024-04-09"),
        d("2024-03-24"),
    )
    assert services.accrue(up_to=d("2025-03-09"), employees=[person]) == 0
    assert services.accrue(up_to=d("2024-06-01"), employees=[person.pk]) == 0


def test_balance_is_the_same_before_and_after_posting(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    """The projection for months not posted yet equals what accrue() then posts."""
    days = [d("2023-01-22"), d("2023-01-23"), d("2023-07-01"), d("2024-01-08"), d("2025-06-30"), d("2026-02-01")]
    projected = [selectors.balance(employee=cast.employee, leave_type="annual", on=day) for day in days]
    services.accrue(up_to=days[-1], employees=[cast.employee])
    posted = [selectors.balance(employee=cast.employee, leave_type="annual", on=day) for day in days]
    assert projected == posted
    # 22 Jan: 14 days, nothing yet; 23 Jan: half of month 1; 1 Feb 2026: 36 months and 24 days → 37.
    assert [b.accrued for b in posted] == [D("0.00"), D("2.33"), D("14.00"), D("28.00"), D("70.00"), D("86.33")]


def test_terminated_employee_accrues_to_the_termination_date(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    person = make_employee(username="leaver", department=cast.sales, hire_date=d("2024-01-01"))
    person.termination_date = d("2024-05-10")
    person.save()
    services.accrue(up_to=d("2025-01-01"), employees=[person])
    # January – April full, 1–10 May less than half a month: 4 × 28/12 = 9.33.
    assert sum(e[1] for e in _ledger(person)) == D("9.33")


def test_unpaid_leave_shifts_accrual(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    person = make_employee(username="unpaid", department=cast.sales, hire_date=d("2024-01-01"))
    services.absence_record(
        employee=person, kind="unpaid", start_date=d("2024-03-01"), end_date=d("2024-03-30"), request_id=501
    )
    # 30 days unpaid, 14 count, 15–30 March (16 days) do not: the working year ends on 16 January 2025.
    # 30 December 2024 is virtual 14 December: 11 months and 14 days → 11 × 28/12 = 25.67.
    services.accrue(up_to=d("2024-12-30"), employees=[person])
    assert sum(e[1] for e in _ledger(person)) == D("25.67")
    # 31 December is virtual 15 December: the 12th month counts.
    assert selectors.balance(employee=person, leave_type="annual", on=d("2024-12-31")).accrued == D("28.00")
    assert selectors.balance(employee=person, leave_type="annual", on=d("2025-01-16")).accrued == D("28.00")
    assert selectors.timeline_for(employee=person).working_year(d("2025-01-16")) == (d("2024-01-01"), d("2025-01-16"))


def test_accrue_command_and_task(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    call_command("accrue_leave", "--date", "2023-03-01")
    # Every cast member is hired 9 January 2023: months 1 and 2 count by 1 March (22 Feb is day 15 of month 2).
    assert LeaveEntry.objects.filter(kind="accrual", account__employee=cast.employee).count() == 2
    call_command("accrue_leave", "--date", "2023-03-01")
    assert LeaveEntry.objects.filter(kind="accrual", account__employee=cast.employee).count() == 2
    assert tasks.accrue_daily.name == "leave.accrue_daily"
    assert tasks.accrue_daily.run(up_to="2023-04-01") == 9  # one more month each for the 9 of the cast
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("accrue_leave", "--date", "1 March")


def test_accrue_without_accruing_types_does_nothing(cast: Cast) -> None:
    LeaveType.objects.filter(needs_balance=True).update(active=False)
    assert services.accrue(up_to=d("2026-01-01")) == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    hire=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2024, 12, 31)),
    offsets=st.lists(st.integers(min_value=0, max_value=800), min_size=1, max_size=5),
)
def test_running_accrual_twice_or_out_of_order_gives_the_same_ledger(
    cast: Cast, leave_types: dict[str, LeaveType], hire: dt.date, offsets: list[int]
) -> None:
    n = next(_people)
    ordered = make_employee(username=f"ordered{n}", department=cast.sales, hire_date=hire)
    shuffled = make_employee(username=f"shuffled{n}", department=cast.sales, hire_date=hire)
    dates = [hire + dt.timedelta(days=o) for o in offsets]
    services.accrue(up_to=max(dates), employees=[ordered])
    for day in dates + dates:  # in the drawn order, each twice
        services.accrue(up_to=day, employees=[shuffled])
    assert _ledger(ordered) == _ledger(shuffled)
    total = sum((e[1] for e in _ledger(ordered)), D(0))
    assert total == selectors.balance(employee=ordered, leave_type="annual", on=max(dates)).accrued
