"""The shapes of input that answered 500 (or were accepted and approvable) in the probe of issue 23, for every role
that may send them: each is now a 400 with a field message (JSON on the API, also with DEBUG off), and nothing is
saved. The schemathesis run (test_schemathesis.py) fuzzes around them; these keep the class closed by name."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from hrportal.views import _timeout
from leave import services as leave_services
from reports.models import ReportJob
from requests_app.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture
def leave_ready(cast) -> None:
    leave_services.load_calendar(year=2026)
    leave_services.load_calendar(year=2027)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _leave(start: str, end: str, leave_type: str = "annual") -> dict[str, Any]:
    return {"kind": "leave", "leave_type": leave_type, "start_date": start, "end_date": end}


def _trip(start: str, end: str) -> dict[str, Any]:
    return {"kind": "business_trip", "start_date": start, "end_date": end, "destination": "Омск", "purpose": "A"}


BAD_REQUESTS = [
    ("leave in year 9999", _leave("9999-12-01", "9999-12-31"), "start_date"),
    ("leave in year 1", _leave("0001-01-01", "0001-01-05"), "start_date"),
    ("annual leave of 73 years", _leave("2027-01-01", "2099-12-31"), "end_date"),
    ("unpaid leave of five years", _leave("2027-01-01", "2031-12-31", "unpaid"), "end_date"),
    ("unpaid leave in year 9000", _leave("9000-01-01", "9000-01-10", "unpaid"), "start_date"),
    ("a trip 2040-2090", _trip("2040-01-01", "2090-01-01"), "end_date"),
    ("a trip in year 1", _trip("0001-01-01", "0001-01-03"), "start_date"),
    ("a trip in year 9999", _trip("9999-01-01", "9999-01-03"), "start_date"),
    ("a leave before the hire date", _leave("2021-03-01", "2021-03-05"), "start_date"),
    ("a NUL in the leave type", {**_leave("2026-05-04", "2026-05-08"), "leave_type": "ann\u0000ual"}, "leave_type"),
]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(("label", "body", "field"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_requests_of_absurd_shapes_are_400_with_the_field(cast, api, leave_ready, label, body, field) -> None:
    response = api(cast.employee).post("/api/v1/requests/", body)
    assert response.status_code == 400, (label, response.content)
    assert field in response.json(), response.json()
    assert not Request.objects.exists()


BAD_QUOTES = [
    ({"leave_type": "annual", "start_date": "9999-12-01", "end_date": "9999-12-31"}, "start_date"),
    ({"leave_type": "annual", "start_date": "0001-01-01", "end_date": "0001-01-05"}, "start_date"),
    ({"leave_type": "annual", "start_date": "2027-01-01", "end_date": "2099-12-31"}, "end_date"),
]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(("body", "field"), BAD_QUOTES)
def test_quotes_of_absurd_dates_are_400(cast, api, leave_ready, body, field) -> None:
    response = api(cast.employee).post("/api/v1/leave/quote/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()


@override_settings(DEBUG=False)
def test_a_balance_on_year_9999_is_400(cast, api) -> None:
    response = api(cast.employee).get("/api/v1/leave/balance/?on=9999-12-31")
    assert response.status_code == 400 and "on" in response.json()


@override_settings(DEBUG=False)
def test_a_report_for_year_9999_is_400_and_queues_nothing(cast, api) -> None:
    response = api(cast.hr).post(
        "/api/v1/reports/", {"kind": "requests", "date_from": "9999-12-01", "date_to": "9999-12-31"}
    )
    assert response.status_code == 400 and "date_from" in response.json()
    assert not ReportJob.objects.exists()


@override_settings(DEBUG=False)
def test_a_body_of_deeply_nested_arrays_is_400_json(cast, api) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api(cast.employee).post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


@override_settings(DEBUG=False)
def test_a_ten_megabyte_body_is_a_json_400(cast, api) -> None:
    body = json.dumps({"kind": "certificate", "comment": "x" * 10_000_000})
    response = api(cast.employee).post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Request.objects.exists()


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2100-12", "1990-01"])
def test_the_team_calendar_of_an_absurd_month_shows_this_month(cast, login, month) -> None:
    response = login(cast.manager).get(f"/team/calendar/?month={month}")
    assert response.status_code == 200
    assert response.context["month"] == dt.date(2026, 3, 1)


def test_an_id_of_5000_digits_in_the_bulk_inbox_is_refused_calmly(cast, login) -> None:
    response = login(cast.manager).post("/approvals/", {"ids": ["9" * 5000], "decision": "approve"})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("raw", "seconds"), [("abc", 5.0), ("nan", 5.0), ("inf", 5.0), ("-1", 0.5), ("99", 30.0)])
def test_readyz_reads_a_sane_timeout(raw, seconds) -> None:
    assert _timeout(raw) == seconds


def test_readyz_deep_with_a_text_timeout_is_not_a_500(client: Client, monkeypatch) -> None:
    monkeypatch.setattr("hrportal.views._check_worker", lambda timeout: None)
    response = client.get("/readyz?deep=1&timeout=abc")
    assert response.status_code == 200
