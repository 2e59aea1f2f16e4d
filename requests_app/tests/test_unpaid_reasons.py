"""Unpaid leave (art. 128, art. 263) through the request workflow: a reason on the request; for a statutory reason
the employer cannot refuse — the manager acknowledges — within the reason's yearly or per-event limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from leave.models import Absence
from requests_app.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _unpaid(start: str, end: str, reason: str | None = None) -> dict[str, str]:
    body = {"kind": "leave", "leave_type": "unpaid", "start_date": start, "end_date": end}
    return body | ({"unpaid_reason": reason} if reason is not None else {})


def test_a_statutory_reason_is_acknowledged_not_decided(cast, api, leave_ready) -> None:
    """Art. 128 part 2: marriage, up to 5 calendar days — 4–8 May 2026 is 5 days, accepted; the manager cannot
    reject it, only acknowledge; the absence carries the reason."""
    filed = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-05-04", "2026-05-08", "marriage"))
    assert filed.status_code == 201, filed.json()
    rid = filed.json()["id"]
    assert filed.json()["unpaid_reason"] == "marriage"
    refused = api(cast.manager).post(f"/api/v1/requests/{rid}/reject/")
    assert refused.status_code == 409 and "art. 128" in refused.json()["detail"]
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
    absence = Absence.objects.get(request_id=rid)
    assert (absence.kind, absence.unpaid_reason) == ("unpaid", "marriage")


def test_the_page_offers_acknowledge_only(cast, api, login, leave_ready) -> None:
    rid = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-05-04", "2026-05-08", "marriage")).json()["id"]
    html = login(cast.manager).get(f"/requests/{rid}/").content.decode()
    assert f'formaction="/requests/{rid}/reject/"' not in html
    assert f'action="/requests/{rid}/approve/"' in html


def test_over_the_reasons_limit_is_400_naming_the_article(cast, api, leave_ready) -> None:
    """Marriage: 5 days per event; 4–9 May is 6 days → 400 on the dates, nothing written."""
    response = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-05-04", "2026-05-09", "marriage"))
    assert response.status_code == 400
    assert "art. 128" in response.json()["end_date"][0]
    assert not Request.objects.exists()


def test_pending_requests_count_against_the_yearly_limit(cast, api, leave_ready) -> None:
    """Old-age pensioner: 14 days a calendar year. 10 days pending (1–10 June), then 5 more (1–5 July): 15 > 14 →
    400; 4 more (1–4 July) → 14, accepted."""
    first = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-06-01", "2026-06-10", "old_age_pensioner"))
    assert first.status_code == 201, first.json()
    over = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-07-01", "2026-07-05", "old_age_pensioner"))
    assert over.status_code == 400 and "art. 128" in over.json()["end_date"][0]
    within = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-07-01", "2026-07-04", "old_age_pensioner"))
    assert within.status_code == 201, within.json()


def test_without_a_reason_unpaid_leave_is_by_agreement_and_can_be_refused(cast, api, leave_ready) -> None:
    filed = api(cast.employee).post("/api/v1/requests/", _unpaid("2026-05-04", "2026-05-08"))
    assert filed.status_code == 201 and filed.json()["unpaid_reason"] == "agreement"
    assert api(cast.manager).post(f"/api/v1/requests/{filed.json()['id']}/reject/").status_code == 200


def test_a_reason_on_annual_leave_is_400(cast, api, leave_ready) -> None:
    body = _unpaid("2026-05-04", "2026-05-08", "marriage") | {"leave_type": "annual"}
    response = api(cast.employee).post("/api/v1/requests/", body)
    assert response.status_code == 400 and "unpaid_reason" in response.json()
    assert not Request.objects.exists()
