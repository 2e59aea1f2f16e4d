"""The ledger services: reserve, use, release, adjust, absences; the database keeps entries append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from conftest import Cast, make_employee
from hrportal.errors import Conflict, ValidationFailed
from leave import selectors, services
from leave.models import Absence, LeaveAccount, LeaveEntry, LeaveType
from leave.tests.conftest import D, d
from staff.models import Position

pytestmark = pytest.mark.django_db

START, END = d("2025-07-14"), d("2025-07-27")
# The cast is hired 2023-01-09; by 14 July 2025: 30 months (to 8 July) and 6 days → 30 × 28/12 = 70.00 earned
# month by month. Working years opened by then: from 09.01.2023, 09.01.2024 and 09.01.2025 → 3 × 28 = 84.00
# entitled (art. 122), which is what is available; 56.00 of it carried over from the first two years.
ACCRUED_BY_START = D("70.00")
ENTITLED_BY_START = D("84.00")


def _balance(employee, on=START, code="annual") -> selectors.Balance:  # type: ignore[no-untyped-def]
    return selectors.balance(employee=employee, leave_type=code, on=on)


def test_reserve_holds_days_and_is_idempotent(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    entry = services.leave_reserve(
        request_id=101, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(14)
    )
    assert (entry.kind, entry.days, entry.period_start, entry.period_end) == ("reserve", D("-14.00"), START, END)
    again = services.leave_reserve(
        request_id=101,
        employee=cast.employee,
        leave_type=leave_types["annual"],
        start_date=START,
        end_date=END,
        days=D(14),
    )
    assert again.pk == entry.pk
    assert LeaveEntry.objects.filter(request_id=101).count() == 1
    assert _balance(cast.employee) == selectors.Balance(
        leave_type="annual",
        on=START,
        accrued=ACCRUED_BY_START,
        used=D("0.00"),
        pending=D("14.00"),
        available=D("70.00"),
        entitled=ENTITLED_BY_START,
        adjustments=D("0.00"),
        carried_over=D("42.00"),  # 56 of the first two years − 14 pending, oldest first
        working_year_start=d("2025-01-09"),
        working_year_end=d("2026-01-08"),
        earned_unused=D("56.00"),
    )


def test_reserve_refuses_more_than_the_working_years_grant(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.leave_reserve(
            request_id=102, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D("84.01")
        )
    assert error.value.detail == {"end_date": ["Not enough leave balance: 84.00 days available, 84.01 requested."]}
    # Exactly what is available is fine; then nothing is left for a second request.
    services.leave_reserve(
        request_id=103, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(84)
    )
    with pytest.raises(ValidationFailed, match=r"0\.00 days available, 1\.00 requested"):
        services.leave_reserve(
            request_id=104, employee=cast.employee, leave_type="annual", start_date=START, end_date=START, days=D(1)
        )


def test_reserve_validates_input(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    with pytest.raises(ValidationFailed) as error:
        services.leave_reserve(
            request_id=1, employee=cast.employee, leave_type="annual", start_date=END, end_date=START, days=D(1)
        )
    assert list(error.value.detail) == ["end_date"]
    with pytest.raises(ValidationFailed) as error:
        services.leave_reserve(
            request_id=1, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(0)
        )
    assert list(error.value.detail) == ["days"]
    services.leave_reserve(
        request_id=1, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(1)
    )
    with pytest.raises(Conflict):
        services.leave_reserve(
            request_id=1, employee=cast.outsider, leave_type="annual", start_date=START, end_date=END, days=D(1)
        )


def test_approve_then_cancel_gives_the_days_back(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_reserve(
        request_id=7, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(14)
    )
    use = services.leave_use(request_id=7, actor=cast.manager.user)
    assert (use.kind, use.days, use.actor_id) == ("use", D("-14.00"), cast.manager.user.pk)
    assert services.leave_use(request_id=7).pk == use.pk  # idempotent
    balance = _balance(cast.employee)
    assert (balance.used, balance.pending, balance.available) == (D("14.00"), D("0.00"), D("70.00"))
    reversal = services.leave_release(request_id=7, actor=cast.hr.user)
    assert (reversal.kind, reversal.days) == ("use", D("14.00"))
    assert services.leave_release(request_id=7).pk == reversal.pk  # idempotent
    balance = _balance(cast.employee)
    assert (balance.used, balance.pending, balance.available) == (D("0.00"), D("0.00"), ENTITLED_BY_START)
    assert services.leave_use(request_id=7).pk == use.pk
    assert [e.idempotency_key for e in LeaveEntry.objects.filter(request_id=7).order_by("id")] == [
        "reserve:7",
        "approve-release:7",
        "use:7",
        "use-reversal:7",
    ]


def test_reject_releases_and_a_released_request_cannot_be_used(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_reserve(
        request_id=8, employee=cast.employee, leave_type="annual", start_date=START, end_date=END, days=D(14)
    )
    release = services.leave_release(request_id=8)
    assert (release.kind, release.days) == ("release", D("14.00"))
    assert services.leave_release(request_id=8).pk == release.pk
    assert _balance(cast.employee).available == ENTITLED_BY_START
    with pytest.raises(Conflict):
        services.leave_use(request_id=8)
    assert services.leave_release(request_id=999) is None
    with pytest.raises(Conflict):
        services.leave_use(request_id=999)


def test_unpaid_leave_needs_no_balance(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_reserve(
        request_id=9, employee=cast.employee, leave_type="unpaid", start_date=START, end_date=END, days=D(200)
    )
    assert _balance(cast.employee).available == ENTITLED_BY_START
    assert _balance(cast.employee, code="unpaid").pending == D("200.00")


def test_hr_adjustment_grants_days_in_advance(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    entry = services.leave_adjust(
        employee=cast.employee,
        leave_type="annual",
        days=D(5),
        actor=cast.hr.user,
        comment="grant",
        idempotency_key="k1",
        effective_date=d("2025-01-01"),
    )
    assert (
        services.leave_adjust(
            employee=cast.employee,
            leave_type="annual",
            days=D(5),
            actor=cast.hr.user,
            comment="grant",
            idempotency_key="k1",
        ).pk
        == entry.pk
    )
    with pytest.raises(Conflict):
        services.leave_adjust(
            employee=cast.employee,
            leave_type="annual",
            days=D(6),
            actor=cast.hr.user,
            comment="x",
            idempotency_key="k1",
        )
    assert _balance(cast.employee).available == ENTITLED_BY_START + 5
    # Effective from 1 January 2025: not in the balance of the day before. By 31 December 2024 the cast has
    # 23 full months (to 8 December) and 23 days of the 24th (15 or more: it counts) → 24 × 28/12 = 56.00.
    assert _balance(cast.employee, on=d("2024-12-31")).accrued == D("56.00")
    assert _balance(cast.employee, on=d("2025-01-01")).accrued == D("61.00")
    services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(-2), actor=cast.hr.user, comment="fix")
    with pytest.raises(ValidationFailed) as error:
        services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(0), actor=cast.hr.user, comment="x")
    assert list(error.value.detail) == ["days"]
    with pytest.raises(ValidationFailed) as error:
        services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(1), actor=cast.hr.user, comment=" ")
    assert list(error.value.detail) == ["comment"]
    with pytest.raises(ValidationFailed):
        services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(400), actor=cast.hr.user, comment="x")


def test_balances_lists_the_balance_types(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    cast.employee.extra_leave_days = D(3)
    cast.employee.save()
    lines = {b.leave_type: b for b in selectors.balances(employee=cast.employee, on=START)}
    assert set(lines) == {"annual", "additional"}
    assert lines["additional"].accrued == D("7.50")  # 30 months × 3/12
    assert selectors.balances_for_employees(employees=[cast.employee], on=START)[cast.employee.pk] == list(
        selectors.balances(employee=cast.employee, on=START)
    )


def test_ledger_rows_cannot_be_updated(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    entry = services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(1), actor=None, comment="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        LeaveEntry.objects.filter(pk=entry.pk).update(days=D(100))
    assert LeaveEntry.objects.get(pk=entry.pk).days == D(1)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_ledger_rows_cannot_be_deleted_on_postgresql(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    entry = services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(1), actor=None, comment="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        LeaveEntry.objects.filter(pk=entry.pk).delete()
    assert LeaveEntry.objects.filter(pk=entry.pk).exists()


def test_account_is_created_once(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    for days in (1, 2):
        services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(days), actor=None, comment="x")
    assert LeaveAccount.objects.filter(employee=cast.employee).count() == 1


# --- absences -----------------------------------------------------------------------------------


def test_absence_record_and_cancel(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    trip = services.absence_record(
        employee=cast.employee, kind="business_trip", start_date=START, end_date=END, request_id=11
    )
    assert trip.keeps_average and trip.kind == "business_trip"
    assert (
        services.absence_record(
            employee=cast.employee, kind="business_trip", start_date=START, end_date=END, request_id=11
        ).pk
        == trip.pk
    )
    # The same request with other dates replaces the row; the old one is kept, cancelled.
    moved = services.absence_record(
        employee=cast.employee, kind="business_trip", start_date=START, end_date=d("2025-07-20"), request_id=11
    )
    assert moved.pk != trip.pk
    trip.refresh_from_db()
    assert trip.cancelled_at is not None
    assert services.absence_cancel(request_id=11) == 1
    assert services.absence_cancel(request_id=11) == 0
    assert Absence.objects.filter(request_id=11).count() == 2
    assert not Absence.objects.filter(request_id=11, cancelled_at__isnull=True).exists()


def test_absence_kind_follows_the_leave_type(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    unpaid = services.absence_record(
        employee=cast.employee, kind="leave", start_date=START, end_date=END, request_id=12, leave_type="unpaid"
    )
    assert (unpaid.kind, unpaid.keeps_average) == ("unpaid", False)
    annual = services.absence_record(
        employee=cast.employee, kind="leave", start_date=START, end_date=END, request_id=13, leave_type="annual"
    )
    assert (annual.kind, annual.keeps_average) == ("leave", True)
    sick = services.absence_record(employee=cast.employee, kind="sick", start_date=START, end_date=END)
    assert (sick.kind, sick.keeps_average, sick.request_id) == ("sick", False, None)
    with pytest.raises(ValidationFailed):
        services.absence_record(employee=cast.employee, kind="holiday", start_date=START, end_date=END)
    with pytest.raises(ValidationFailed):
        services.absence_record(employee=cast.employee, kind="sick", start_date=END, end_date=START)


def test_position_and_personal_days_feed_additional_leave(leave_types: dict[str, LeaveType], cast: Cast) -> None:
    position = Position.objects.create(name="Водитель", extra_leave_days=D(3))
    person = make_employee(username="driver", department=cast.sales, position=position, hire_date=d("2025-01-01"))
    person.extra_leave_days = D(4)
    assert selectors.yearly_entitlement(employee=person, leave_type=leave_types["additional"]) == D(7)
    assert selectors.yearly_entitlement(employee=person, leave_type=leave_types["annual"]) == D(28)
    # Hired 1 January 2025: 12 months by 31 December → exactly 7.00 additional days.
    assert selectors.balance(employee=person, leave_type="additional", on=d("2025-12-31")).accrued == D("7.00")
    assert selectors.balance(employee=person, leave_type="additional", on=d("2025-01-14")).accrued == D("0.00")
    assert selectors.balance(employee=person, leave_type="additional", on=d("2025-01-15")).accrued == D("0.58")
