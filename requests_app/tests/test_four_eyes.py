"""Four eyes on pay (docs/decisions/four-eyes-on-pay.md): nobody changes their own pay, and a pay change proposed by
someone is approved by someone else — through the API, the pages, the admin and the bulk paths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group

from conftest import make_employee
from requests_app import policy, services
from requests_app.models import Request
from staff.models import HR_GROUP, PayRate
from staff.selectors import rate_on
from staff.services import hr_group_ensure

TODAY = dt.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def second_hr(cast):
    person = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    person.user.groups.add(Group.objects.get(name=HR_GROUP))
    return person


def _rates(employee) -> list[tuple[dt.date, Decimal]]:
    return list(PayRate.objects.filter(employee=employee).values_list("effective_date", "salary"))


def test_hr_cannot_set_their_own_salary_through_the_rates_api(cast, api) -> None:
    """The probe: HR posted 9 999 999 ₽ for themself and it applied at once."""
    before = _rates(cast.hr)
    response = api(cast.hr).post(
        f"/api/v1/employees/{cast.hr.pk}/rates/",
        {"effective_date": "2026-03-01", "fte": "1.00", "salary": "9999999.00", "reason": "raise"},
    )
    assert response.status_code == 400
    assert response.json() == {"employee": ["You may not propose a rate change for this employee."]}
    assert _rates(cast.hr) == before and not Request.objects.exists()


def test_a_direct_rate_write_is_a_correction_another_hr_member_confirms(cast, api, second_hr) -> None:
    before = _rates(cast.employee)
    body = {"effective_date": "2026-01-15", "fte": "1.00", "salary": "123456.00", "reason": "Ошибка в приказе"}
    filed = api(cast.hr).post(f"/api/v1/employees/{cast.employee.pk}/rates/", body)
    assert filed.status_code == 202, filed.json()
    rid = filed.json()["id"]
    assert filed.json()["status"] == "pending" and filed.json()["stage"] == "hr"
    assert _rates(cast.employee) == before  # nothing applied yet
    own = api(cast.hr).post(f"/api/v1/requests/{rid}/approve/")
    assert own.status_code == 403  # the proposer never approves
    assert rid not in set(policy.inbox(cast.hr.user).values_list("pk", flat=True))
    assert rid in set(policy.inbox(second_hr.user).values_list("pk", flat=True))
    assert api(second_hr).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
    assert rate_on(cast.employee, dt.date(2026, 1, 15)).salary == Decimal("123456.00")


def test_a_correction_needs_a_reason_and_hr(cast, api) -> None:
    body = {"effective_date": "2026-01-15", "fte": "1.00", "salary": "123456.00"}
    no_reason = api(cast.hr).post(f"/api/v1/employees/{cast.employee.pk}/rates/", body)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    by_manager = api(cast.manager).post(f"/api/v1/employees/{cast.employee.pk}/rates/", {**body, "reason": "x"})
    assert by_manager.status_code == 403
    assert not Request.objects.exists()


def test_an_hr_member_heading_a_department_does_not_approve_the_change_they_proposed(cast, api) -> None:
    """The probe: HR (head of the HR department) proposed a rate for their report and approved it at the HR step."""
    report = make_employee(username="hr_report", department=cast.hr_department, last_name="Титов")
    filed = api(cast.hr).post(
        "/api/v1/requests/",
        {"kind": "rate_change", "employee": report.pk, "effective_date": "2026-04-01", "fte": "1", "salary": "30000"},
    )
    assert filed.status_code == 201
    rid = filed.json()["id"]
    assert filed.json()["stage"] == "hr"  # the manager step is the filer's own
    assert api(cast.hr).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    assert Request.objects.get(pk=rid).status == Request.Status.PENDING


def test_nobody_proposes_their_own_pay_on_the_page_or_in_the_service(cast, login) -> None:
    client = login(cast.manager)
    response = client.post(
        "/rates/new/",
        {"employee": cast.manager.pk, "effective_date": "2026-04-01", "fte": "1.00", "salary": "500000.00"},
    )
    assert response.status_code == 400
    with pytest.raises(Exception, match="may not propose"):
        services.request_create(
            actor=cast.hr.user,
            kind=Request.Kind.RATE_CHANGE,
            employee=cast.hr,
            effective_date=TODAY,
            fte=Decimal(1),
            salary=Decimal(30000),
        )
    assert not Request.objects.exists()


def test_the_proposer_is_refused_on_the_page_the_bulk_inbox_and_the_admin(cast, login, second_hr) -> None:
    obj = services.request_create(
        actor=cast.hr.user,
        kind=Request.Kind.RATE_CHANGE,
        employee=cast.employee,
        effective_date=dt.date(2026, 1, 15),
        fte=Decimal(1),
        salary=Decimal("30777.00"),
        comment="correction",
        correction=True,
    )
    cast.hr.user.is_staff = True  # HR's admin access, with the group's permissions as production sets them
    cast.hr.user.save(update_fields=["is_staff"])
    hr_group_ensure()
    client = login(cast.hr)
    page = client.get(f"/requests/{obj.pk}/")
    assert page.status_code == 200 and f'action="/requests/{obj.pk}/approve/"' not in page.content.decode()
    client.post(f"/requests/{obj.pk}/approve/")
    client.post("/approvals/", {"ids": [obj.pk], "decision": "approve", "comment": ""})
    admin_action = client.post(
        "/admin/requests_app/request/",
        {"action": "approve_selected", "_selected_action": [obj.pk], "index": 0},
        follow=True,
    )
    assert "You cannot approve this request." in admin_action.content.decode()
    obj.refresh_from_db()
    assert obj.status == Request.Status.PENDING and not obj.events.exclude(action="created").exists()
    # The admin offers no way to write a rate directly.
    assert client.get("/admin/staff/payrate/add/").status_code == 403
    assert login(second_hr).post(f"/requests/{obj.pk}/approve/").status_code == 302
    obj.refresh_from_db()
    assert obj.status == Request.Status.APPROVED
