"""The approvals inbox lists exactly what its owner may decide: the manager step follows `manager_of`'s whole
head chain, as the approve/reject services do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from requests_app import policy, services
from requests_app.models import Request
from staff import access
from staff.models import Delegation

pytestmark = pytest.mark.django_db


def _certificate(employee) -> Request:
    return services.request_create(
        actor=employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment", copies=1
    )


def _inbox(employee) -> set[int]:
    return set(policy.inbox(employee.user).values_list("pk", flat=True))


def test_a_head_whose_parent_department_has_no_head_goes_to_the_next_head_up(cast) -> None:
    cast.sales.head = None  # sales_east's parent is now headless: sub_manager's manager is the CEO
    cast.sales.save()
    assert access.manager_of(cast.sub_manager) == cast.ceo
    filed = _certificate(cast.sub_manager)
    assert filed.stage == "manager"
    assert filed.pk in _inbox(cast.ceo)
    assert "approve" in policy.allowed(cast.ceo.user, filed)
    assert filed.pk not in _inbox(cast.manager)  # no longer anyone's head here


def test_inbox_agrees_with_approval_capacity_for_everyone(cast) -> None:
    today = timezone.localdate()
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=today, end_date=today)
    cast.sub_employee.manager_override = cast.other_manager
    cast.sub_employee.save()
    filed = [_certificate(e) for e in (cast.employee, cast.sub_employee, cast.sub_manager, cast.manager, cast.hr)]
    people = [cast.ceo, cast.manager, cast.sub_manager, cast.other_manager, cast.outsider, cast.hr, cast.employee]
    for person in people:
        expected = {r.pk for r in filed if "approve" in policy.allowed(person.user, r)}
        assert _inbox(person) == expected, person.user.username
    # The deputy's inbox is the manager's (but their own request is not theirs to decide).
    assert _inbox(cast.outsider) == {r.pk for r in filed if r.employee in (cast.employee, cast.sub_manager)}
    # The day after the delegation, it is gone.
    assert not policy.inbox(cast.outsider.user, on=today + dt.timedelta(days=1)).exists()
