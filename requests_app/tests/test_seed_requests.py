"""The demo has a history on first login (issue 22): seed_demo files requests of every kind and status for the demo
logins' teams through the services, so the dashboard, the approvals inbox and the team calendar are not empty."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from requests_app import policy
from requests_app.models import Request
from staff.models import Employee

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _seed() -> str:
    out = StringIO()
    call_command("load_calendar", year=2025, stdout=out)
    call_command("load_calendar", year=2026, stdout=out)
    call_command("seed_demo", employees=40, seed=11, today=TODAY, password="pw-demo", stdout=out)
    return out.getvalue()


def test_the_demo_logins_see_a_history_and_a_second_run_adds_nothing() -> None:
    _seed()
    employee = Employee.objects.get(user__username="employee")
    manager = Employee.objects.get(user__username="manager")
    mine = Request.objects.filter(employee=employee)
    assert set(mine.values_list("kind", flat=True)) >= {"leave", "business_trip", "certificate", "rate_change"}
    assert set(mine.values_list("status", flat=True)) >= {"pending", "approved", "rejected", "cancelled"}
    assert mine.filter(cancel_requested=True).exists()
    inbox = policy.inbox(manager.user)
    assert inbox.count() >= 2
    assert set(inbox.values_list("kind", flat=True)) >= {"leave", "business_trip"}

    client = Client()
    client.force_login(manager.user)
    calendar = client.get("/team/calendar/").content.decode()
    assert 'class="absent' in calendar or "absent " in calendar
    dashboard = client.get("/").content.decode()
    assert "/requests/" in dashboard

    before = Request.objects.count()
    again = StringIO()
    call_command("seed_requests", date=TODAY.isoformat(), stdout=again)
    assert "already present" in again.getvalue() and Request.objects.count() == before
