"""Who is offered the pay-rate change page: whoever `staff.access.can_change_rate` lets change someone's rate.

The "New request" page shows the card and the page itself lets in exactly the same people (both read
`Nav.can_approve`); the form and the service then check the chosen employee."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from staff import access
from staff.models import Delegation, Employee

pytestmark = pytest.mark.django_db

PEOPLE = ["employee", "manager", "sub_manager", "other_manager", "outsider", "hr", "ceo", "sub_employee"]


def test_the_card_and_the_page_follow_the_rate_change_rule(cast) -> None:
    today = timezone.localdate()
    # A deputy for today (outsider for manager) and a manager by override (employee of sub_employee).
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=today, end_date=today)
    cast.sub_employee.manager_override = cast.employee
    cast.sub_employee.save()
    everyone = list(Employee.objects.select_related("department"))
    offered = {}
    for role in PEOPLE:
        person = cast.by_role(role)
        client = Client()
        client.force_login(person.user)
        card = reverse("rate-change-new") in client.get(reverse("request-new")).content.decode()
        page = client.get(reverse("rate-change-new")).status_code
        assert page == (200 if card else 403), role
        may = any(access.can_change_rate(person.user, other) for other in everyone)
        assert card == may, role
        offered[role] = card
    assert offered == {
        "employee": True,  # sub_employee's manager by override
        "manager": True,
        "sub_manager": True,
        "other_manager": True,
        "outsider": True,  # manager's deputy today
        "hr": True,
        "ceo": True,
        "sub_employee": False,
    }


def test_a_deputy_may_not_change_the_rate_of_the_manager_they_stand_in_for(cast) -> None:
    today = timezone.localdate()
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=today, end_date=today)
    outsider = cast.outsider.user
    assert access.can_change_rate(outsider, cast.employee)  # the manager's team: yes, while deputising
    assert not access.can_change_rate(outsider, cast.manager)  # the manager: no
    client = Client()
    client.force_login(outsider)
    response = client.post(
        "/api/v1/requests/",
        {
            "kind": "rate_change",
            "employee": cast.manager.pk,
            "effective_date": today.isoformat(),
            "fte": "1.00",
            "salary": "1.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"employee": ["You may not propose a rate change for this employee."]}
