"""Who is offered the pay-rate change page, and whom its form offers.

The "New request" page shows the card and the page itself lets in exactly the same people (both read
`Nav.can_approve`: the roles that may propose a rate); in the cast that is whoever `staff.access.can_change_rate`
lets change someone's rate (a head of an empty department would get the page with nobody to choose). The form
offers exactly the employees the rule allows; the service checks the chosen one again."""

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
            "salary": "30000.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    # The deputy does not even see the manager (a deputy acts over the team, never over the manager).
    assert response.json() == {"employee": ["Unknown employee, or one you may not file for."]}


def test_a_boss_who_deputises_for_their_report_still_manages_them(cast) -> None:
    today = timezone.localdate()
    Delegation.objects.create(manager=cast.manager, deputy=cast.ceo, start_date=today, end_date=today)
    assert access.can_change_rate(cast.ceo.user, cast.manager)  # the company's head, in their own right
    assert access.can_change_rate(cast.ceo.user, cast.employee)


def test_the_form_offers_exactly_whom_the_rule_allows(cast) -> None:
    from requests_app.forms import rate_change_candidates

    today = timezone.localdate()
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=today, end_date=today)
    Delegation.objects.create(manager=cast.sub_manager, deputy=cast.manager, start_date=today, end_date=today)
    cast.sub_employee.manager_override = cast.employee
    cast.sub_employee.save()
    active = list(Employee.objects.filter(termination_date__isnull=True).select_related("department"))
    for role in PEOPLE:
        user = cast.by_role(role).user
        offered = set(rate_change_candidates(user).values_list("pk", flat=True))
        allowed = {e.pk for e in active if access.can_change_rate(user, e)}
        assert offered == allowed, role
        # can_change_rate reads the paths once per user; `manages` is the rule it must agree with.
        me = cast.by_role(role)
        assert allowed == {e.pk for e in active if (access.is_hr(user) and e != me) or access.manages(me, e)}, role
    assert cast.manager.pk not in set(rate_change_candidates(cast.outsider.user).values_list("pk", flat=True))
    assert cast.sub_manager.pk in set(rate_change_candidates(cast.manager.user).values_list("pk", flat=True))


def test_a_deputy_for_a_manager_and_their_boss_is_not_offered_the_manager(cast) -> None:
    """Standing in for the company's head too, the deputy sees the sales head through the company, but the sales head
    is a manager they stand in for: no pay change for a deputy's principal (issue 17)."""
    from requests_app.forms import rate_change_candidates

    today = timezone.localdate()
    for manager in (cast.manager, cast.ceo):
        Delegation.objects.create(manager=manager, deputy=cast.outsider, start_date=today, end_date=today)
    user = cast.outsider.user
    assert access.rate_change_refusal(user, cast.manager) == access.NOT_PRINCIPAL
    assert access.can_change_rate(user, cast.employee)  # the team, still
    assert not access.can_change_rate(user, cast.ceo)  # the company's head has no boss here to stand in for
    offered = set(rate_change_candidates(user).values_list("pk", flat=True))
    assert cast.manager.pk not in offered and cast.employee.pk in offered
    assert cast.ceo.pk not in offered
