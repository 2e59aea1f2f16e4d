"""Requests against the employee's record (docs/decisions/backdated-requests.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from requests_app.models import Request

pytestmark = pytest.mark.django_db
TRIP = {"kind": "business_trip", "destination": "Омск", "purpose": "Аудит"}


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_a_trip_before_the_hire_date_is_400(cast, api) -> None:
    hired = cast.employee.hire_date
    start = hired - dt.timedelta(days=10)
    body = {**TRIP, "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=2)).isoformat()}
    response = api(cast.employee).post("/api/v1/requests/", body)
    assert response.status_code == 400
    assert response.json() == {"start_date": [f"The dates start before the hire date ({hired:%d.%m.%Y})."]}
    assert not Request.objects.exists()


def test_a_trip_after_the_termination_date_is_400(cast, api) -> None:
    cast.employee.termination_date = dt.date(2026, 3, 31)
    cast.employee.save()
    body = {**TRIP, "start_date": "2026-03-30", "end_date": "2026-04-02"}
    response = api(cast.employee).post("/api/v1/requests/", body)
    assert response.status_code == 400 and "end_date" in response.json()


def test_a_backdated_trip_is_filed_and_its_approver_is_warned(cast, api, login) -> None:
    body = {**TRIP, "start_date": "2026-02-25", "end_date": "2026-02-27"}
    response = api(cast.employee).post("/api/v1/requests/", body)
    assert response.status_code == 201
    page = login(cast.manager).get(f"/requests/{response.json()['id']}/")
    assert 'id="backdated"' in page.content.decode()
    future = api(cast.employee).post(
        "/api/v1/requests/", {**TRIP, "start_date": "2026-04-06", "end_date": "2026-04-07"}
    )
    page = login(cast.manager).get(f"/requests/{future.json()['id']}/")
    assert 'id="backdated"' not in page.content.decode()
