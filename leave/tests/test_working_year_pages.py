"""HR's settlement page, the "Settle leave on dismissal" action on employees, and absences HR records."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from conftest import Cast, make_employee
from leave import selectors
from leave.models import Absence, EarlyLeaveRight, LeaveSettlement, LeaveType
from leave.tests.conftest import D, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_hr(cast: Cast) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.test", "x"))
    return client


def test_settlement_page_shows_the_breakdown_and_records(cast: Cast, leave_types: dict[str, LeaveType], login) -> None:  # type: ignore[no-untyped-def]
    """Hired 13.01.2025, dismissed 12.12.2025 (11 months): 28 days compensated (rule 28)."""
    person = make_employee(username="leaver", department=cast.sales, hire_date=d("2025-01-13"))
    url = f"/leave/settlement/{person.pk}/"
    page = login(cast.hr).get(f"{url}?on=2025-12-12&ground=own_wish")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-compensated="28.00"' in html and 'data-rule="rule28_11"' in html
    response = login(cast.hr).post(url, {"on": "2025-12-12", "ground": "own_wish"})
    assert response.status_code == 302
    record = LeaveSettlement.objects.get(employee=person)
    assert (record.compensated_days, record.ground, record.actor_id) == (D("28.00"), "own_wish", cast.hr.user.pk)
    bad = login(cast.hr).get(f"{url}?on=2024-12-12&ground=own_wish")
    assert bad.status_code == 200 and "art. 84.1" in bad.content.decode()


def test_settlement_page_outsiders_are_refused(cast: Cast, leave_types: dict[str, LeaveType], login) -> None:  # type: ignore[no-untyped-def]
    url = f"/leave/settlement/{cast.employee.pk}/?on=2025-12-12&ground=own_wish"
    assert login(cast.manager).get(url).status_code == 403
    assert login(cast.outsider).get(url).status_code == 403
    assert login(cast.employee).post(url, {"on": "2025-12-12", "ground": "own_wish"}).status_code == 403
    assert not LeaveSettlement.objects.exists()


def test_employee_admin_action_opens_the_settlement(
    cast: Cast, leave_types: dict[str, LeaveType], admin_hr: Client
) -> None:
    cast.employee.termination_date = d("2025-12-12")
    cast.employee.save(update_fields=["termination_date"])
    response = admin_hr.post(
        "/admin/staff/employee/",
        {"action": "settle_leave_on_dismissal", "_selected_action": [cast.employee.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/leave/settlement/{cast.employee.pk}/?on=2025-12-12&ground=own_wish"


def test_hr_records_an_absence_that_shifts_the_working_year(  # type: ignore[no-untyped-def]
    cast: Cast, leave_types: dict[str, LeaveType], admin_hr: Client, login
) -> None:
    """The cast is hired 09.01.2023; 3 days of absence without good cause (art. 121 part 2) in March 2025 move the
    working year 09.01.2025–08.01.2026 to end on 11.01.2026."""
    response = admin_hr.post(
        "/admin/leave/absence/add/",
        {"employee": cast.employee.pk, "kind": "no_good_cause", "start_date": "2025-03-03", "end_date": "2025-03-05"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Absence.objects.get(employee=cast.employee).kind == "no_good_cause"
    balance = selectors.balance(employee=cast.employee, leave_type="annual", on=d("2025-06-01"))
    assert balance.working_year == {"start": d("2025-01-09"), "end": d("2026-01-11")}
    assert login(cast.manager).get("/admin/leave/absence/add/").status_code in (302, 403)


def test_hr_records_an_early_leave_right(cast: Cast, leave_types: dict[str, LeaveType], admin_hr: Client) -> None:
    response = admin_hr.post(
        "/admin/leave/earlyleaveright/add/",
        {"employee": cast.employee.pk, "category": "under_18", "valid_from": "2025-01-01", "valid_to": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EarlyLeaveRight.objects.get().created_by.username == "boss"
