"""The dashboard, the profile (language) and delegations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from staff.models import Delegation, Employee
from tests.ui.pages import subject_request

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_anonymous_is_sent_to_the_login_page(client: Client) -> None:
    for name in ("dashboard", "profile", "delegations"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@time_machine.travel(TODAY, tick=False)
def test_dashboard_shows_balances_with_a_forecast_my_requests_and_upcoming_leave(cast, calendars, login) -> None:
    leave = subject_request(cast)  # 27.04–15.05.2026, 17 days charged
    client = login(cast.employee)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-leave-type="annual"' in page
    assert f'href="/requests/{leave.pk}/"' in page
    assert "27.04.2026" in page  # upcoming absence
    assert 'data-leave-type="additional"' not in page  # no additional days: no row of zeros

    def available(on: str) -> Decimal:
        html = client.get(reverse("dashboard"), {"on": on}).content.decode()
        return Decimal(html.split('data-available="')[1].split('"')[0])

    # A working year grants its whole leave when it opens (art. 122): the next one (from 09.01.2027) adds 28.
    assert available("2026-12-31") == available("2026-03-02")
    assert available("2027-01-09") == available("2026-03-02") + 28


def test_dashboard_lists_what_awaits_the_manager(cast, calendars, login) -> None:
    leave = subject_request(cast)
    manager_page = login(cast.manager).get(reverse("dashboard")).content.decode()
    assert f'href="/requests/{leave.pk}/"' in manager_page
    assert reverse("approvals") in manager_page
    employee_page = login(cast.employee).get(reverse("dashboard")).content.decode()
    assert reverse("approvals") not in employee_page  # no inbox, no menu entry


def test_a_bad_forecast_date_falls_back_to_today(cast, calendars, login) -> None:
    assert login(cast.employee).get(reverse("dashboard"), {"on": "31.02.2026"}).status_code == 200


def test_the_first_page_after_login_speaks_the_saved_language(cast, login) -> None:
    Employee.objects.filter(pk=cast.employee.pk).update(language="en")
    client = login(cast.employee)
    response = client.get(reverse("dashboard"))
    assert b"Leave balance" in response.content
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_profile_saves_the_language_and_switches_the_session(cast, login) -> None:
    client = login(cast.employee)
    page = client.get(reverse("profile")).content.decode()
    assert cast.employee.full_name in page and "000,00 ₽" in page  # own salary is shown to oneself
    response = client.post(reverse("profile"), {"language": "en"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    cast.employee.refresh_from_db()
    assert cast.employee.language == "en"
    assert b"Language" in client.get(reverse("profile")).content


def test_profile_refuses_an_unknown_language_and_saves_nothing(cast, login) -> None:
    response = login(cast.employee).post(reverse("profile"), {"language": "de"})
    assert response.status_code == 400
    cast.employee.refresh_from_db()
    assert cast.employee.language == "ru"


def test_every_post_needs_the_csrf_token(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.employee.user)
    assert client.post(reverse("profile"), {"language": "en"}).status_code == 403
    cast.employee.refresh_from_db()
    assert cast.employee.language == "ru"


# --- delegations --------------------------------------------------------------------------------------


def test_delegations_are_for_managers(cast, login) -> None:
    assert login(cast.employee).get(reverse("delegations")).status_code == 403
    assert login(cast.manager).get(reverse("delegations")).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_a_manager_names_a_deputy_and_withdraws_them(cast, login) -> None:
    client = login(cast.manager)
    response = client.post(
        reverse("delegations"),
        {"deputy": cast.sub_manager.pk, "start_date": "2026-03-10", "end_date": "2026-03-20"},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(manager=cast.manager)
    assert (delegation.deputy, delegation.start_date, delegation.end_date) == (
        cast.sub_manager,
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 20),
    )
    assert cast.sub_manager.full_name in client.get(reverse("delegations")).content.decode()
    assert client.get(reverse("delegation-delete", args=[delegation.pk])).status_code == 405  # no change by GET
    assert client.post(reverse("delegation-delete", args=[delegation.pk])).status_code == 302
    assert not Delegation.objects.exists()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2026-03-20", "end_date": "2026-03-10"}, "end_date"),  # ends before it starts
        ({"start_date": "2026-02-01", "end_date": "2026-03-10"}, "start_date"),  # in the past
        ({"start_date": "2026-03-10", "end_date": "2027-06-10"}, "end_date"),  # longer than a year
    ],
)
def test_delegation_dates_are_validated_and_nothing_is_saved(cast, login, data, field) -> None:
    response = login(cast.manager).post(reverse("delegations"), {"deputy": cast.sub_manager.pk, **data})
    assert response.status_code == 400
    assert response.context["form"].has_error(field)
    assert not Delegation.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_overlapping_delegations_and_outsiders_are_refused(cast, login) -> None:
    client = login(cast.manager)
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date="2026-03-10", end_date="2026-03-20"
    )
    response = client.post(
        reverse("delegations"), {"deputy": cast.employee.pk, "start_date": "2026-03-15", "end_date": "2026-03-25"}
    )
    assert response.status_code == 400
    assert "Орлов" in response.content.decode()  # names the delegation it overlaps
    response = client.post(
        reverse("delegations"), {"deputy": cast.outsider.pk, "start_date": "2026-04-01", "end_date": "2026-04-02"}
    )
    assert response.status_code == 400 and response.context["form"].has_error("deputy")
    assert Delegation.objects.count() == 1


def test_nobody_withdraws_someone_elses_delegation(cast, login) -> None:
    delegation = Delegation.objects.create(
        manager=cast.other_manager, deputy=cast.outsider, start_date="2026-03-10", end_date="2026-03-20"
    )
    assert login(cast.manager).post(reverse("delegation-delete", args=[delegation.pk])).status_code == 404
    assert Delegation.objects.filter(pk=delegation.pk).exists()
