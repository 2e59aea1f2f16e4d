"""A deactivated user or a terminated employee is refused on the next request of an open session."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from staff.models import Employee

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def test_deactivated_users_open_session_is_rejected(cast, login):
    client = login(cast.employee)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("api-me")).status_code == 200
    User.objects.filter(pk=cast.employee.user.pk).update(is_active=False)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 302 and page.headers["Location"].startswith(reverse("login"))
    assert client.get(reverse("api-me")).status_code == 401


@time_machine.travel(TODAY, tick=False)
def test_terminated_employees_open_session_is_rejected_and_ended(cast, login):
    client = login(cast.employee)
    assert client.get(reverse("dashboard")).status_code == 200
    Employee.objects.filter(pk=cast.employee.pk).update(termination_date=dt.date(2025, 3, 9))
    page = client.get(reverse("dashboard"))
    assert page.status_code == 302 and page.headers["Location"] == reverse("login")
    # The session is over: even with the termination undone, the client is anonymous now.
    Employee.objects.filter(pk=cast.employee.pk).update(termination_date=None)
    assert client.get(reverse("api-me")).status_code == 401


@time_machine.travel(TODAY, tick=False)
def test_terminated_employees_api_session_gets_401_json(cast, login):
    client = login(cast.employee)
    Employee.objects.filter(pk=cast.employee.pk).update(termination_date=dt.date(2025, 1, 31))
    response = client.get(reverse("api-employee-list"))
    assert response.status_code == 401
    assert "detail" in response.json()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("last_day", [dt.date(2025, 3, 10), dt.date(2025, 12, 31)])
def test_the_last_working_day_and_a_future_termination_still_work(cast, login, last_day):
    Employee.objects.filter(pk=cast.employee.pk).update(termination_date=last_day)
    client = login(cast.employee)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("api-me")).status_code == 200


def test_a_deactivated_user_cannot_log_in(cast, client):
    from conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "deactivated", "password": PASSWORD})
    assert response.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session


def test_the_saved_language_is_spoken_on_any_first_page_and_a_chosen_one_wins(cast, login):
    Employee.objects.filter(pk=cast.employee.pk).update(language="en")
    client = login(cast.employee)
    response = client.get(reverse("profile"))
    assert response.headers["Content-Language"] == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get(reverse("profile"))
    assert response.headers["Content-Language"] == "ru"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_anonymous_visitor_gets_no_language_cookie(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_admin_and_the_api_keep_the_negotiated_language(cast, login):
    Employee.objects.filter(pk=cast.hr.pk).update(language="en")
    User.objects.filter(pk=cast.hr.user.pk).update(is_staff=True)
    client = login(cast.hr)
    for url in ("/admin/", reverse("api-me")):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Content-Language"] == "ru", url
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, url
