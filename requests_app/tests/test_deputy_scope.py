"""A deputy acts over the manager's team, never over the manager (issue 23): the manager's own balance, requests and
record stay the manager's boss's and HR's to see."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from staff.models import Delegation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_a_deputy_sees_the_team_but_not_the_manager(cast, api) -> None:
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=TODAY, end_date=TODAY)
    own = api(cast.manager).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    trip = {"kind": "business_trip", "start_date": "2026-06-01", "end_date": "2026-06-02", "destination": "Омск"}
    team = api(cast.employee).post("/api/v1/requests/", {**trip, "purpose": "Аудит"})  # the manager decides it
    deputy = api(cast.outsider)
    assert deputy.get(f"/api/v1/leave/balance/?employee={cast.manager.pk}").status_code == 404
    assert deputy.get(f"/api/v1/requests/{own.json()['id']}/").status_code == 404
    assert deputy.get(f"/api/v1/employees/{cast.manager.pk}/").status_code == 404
    listed = {r["id"] for r in deputy.get("/api/v1/requests/").json()["results"]}
    assert own.json()["id"] not in listed and team.json()["id"] in listed
    # The team: seen and decided on the manager's behalf.
    assert deputy.get(f"/api/v1/leave/balance/?employee={cast.employee.pk}").status_code == 200
    decided = deputy.post(f"/api/v1/requests/{team.json()['id']}/approve/")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    # The manager's boss still sees the manager.
    assert api(cast.ceo).get(f"/api/v1/requests/{own.json()['id']}/").status_code == 200
