"""The schedule API (CONTRACT.md "Leave schedule", "Notices") and every bad input of issue 18: each refusal names
its reason, with the status the contract gives it, and saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from conftest import make_employee
from requests_app.models import Request
from schedule.models import Acknowledgement, Campaign, Change, Notice, Part
from schedule.tests.conftest import DEADLINE, YEAR

pytestmark = pytest.mark.django_db


def propose(api: Any, who: Any, start: str, end: str, **extra: Any) -> Any:
    return api(who).post(
        f"/api/v1/schedule/{YEAR}/parts/", {"start_date": start, "end_date": end, **extra}, format="json"
    )


def test_hr_opens_a_year_with_the_default_approval_deadline(api: Any, cast: Any, autumn: Any) -> None:
    response = api(cast.hr).post(f"/api/v1/schedule/{YEAR}/", {"proposal_deadline": "2026-12-01"}, format="json")
    assert response.status_code == 201, response.json()
    # Art. 123: two weeks before 1 January 2027 is 18 December; "at least" two weeks: 17 December at the latest.
    assert response.json()["approval_deadline"] == "2026-12-17"
    assert response.json()["status"] == "open"


def test_only_hr_opens_a_year_and_only_once(api: Any, cast: Any, campaign: Campaign) -> None:
    body = {"proposal_deadline": "2026-12-01"}
    assert api(cast.manager).post("/api/v1/schedule/2028/", body, format="json").status_code == 403
    again = api(cast.hr).post(f"/api/v1/schedule/{YEAR}/", body, format="json")
    assert again.status_code == 409
    assert "already open" in again.json()["detail"]
    late = api(cast.hr).post("/api/v1/schedule/2028/", {"proposal_deadline": "2028-01-10"}, format="json")
    assert late.status_code == 400 and "proposal_deadline" in late.json()
    absurd = api(cast.hr).post("/api/v1/schedule/99999/", body, format="json")
    assert absurd.status_code == 400 and "year" in absurd.json()
    assert api(cast.hr).get("/api/v1/schedule/99999999999/").status_code == 404
    assert api(cast.employee).post("/api/v1/schedule/2027/parts/99999999999999999999/move/", {}).status_code in (
        400,
        404,
    )
    assert Campaign.objects.count() == 1


def test_an_employee_proposes_a_part_with_its_days(api: Any, cast: Any, campaign: Campaign) -> None:
    """1–14 June 2027: 14 calendar days, 12 June (Russia Day) inside is not charged (art. 120): 13 days."""
    response = propose(api, cast.employee, "2027-06-01", "2027-06-14")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["calendar_days"], body["days"], body["employee"]) == (14, "13.00", cast.employee.pk)


@pytest.mark.parametrize(
    ("start", "end", "status", "field", "reason"),
    [
        ("2027-06-10", "2027-06-20", 409, "detail", "overlap another part"),
        ("2026-12-28", "2027-01-10", 400, "start_date", "within 2027"),
        ("2027-12-25", "2028-01-05", 400, "end_date", "within 2027"),
        ("2027-06-20", "2027-06-18", 400, "end_date", "before the start"),
    ],
)
def test_bad_parts_are_refused_and_nothing_saved(
    api: Any, cast: Any, campaign: Campaign, start: str, end: str, status: int, field: str, reason: str
) -> None:
    assert propose(api, cast.employee, "2027-06-01", "2027-06-14").status_code == 201
    response = propose(api, cast.employee, start, end)
    assert response.status_code == status, response.json()
    message = response.json()[field]
    assert reason in (message if isinstance(message, str) else message[0])
    assert Part.objects.count() == 1


def test_a_part_before_the_hire_date_is_refused(api: Any, cast: Any, campaign: Campaign) -> None:
    newcomer = make_employee(username="newcomer", department=cast.sales, hire_date=dt.date(2027, 3, 1))
    response = propose(api, newcomer, "2027-02-20", "2027-03-10")
    assert response.status_code == 400
    assert "before the hire date (01.03.2027)" in response.json()["start_date"][0]
    assert not Part.objects.exists()


def test_parts_beyond_the_entitlement_plus_carry_over_are_refused(api: Any, cast: Any, campaign: Campaign) -> None:
    """Hired 1 March 2027: by 31 December one working year has opened (1 March 2027 – 29 February 2028), 28 days
    (art. 115, 122) and nothing carried over. 1–14 June charges 13 (12 June is a holiday); 1–16 August 16 more
    would make 29 > 28: refused; 1–15 August, 15 days, makes exactly 28: accepted."""
    newcomer = make_employee(username="newcomer", department=cast.sales, hire_date=dt.date(2027, 3, 1))
    assert propose(api, newcomer, "2027-06-01", "2027-06-14").status_code == 201
    response = propose(api, newcomer, "2027-08-01", "2027-08-16")
    assert response.status_code == 400
    assert "28.00 days for 2027" in response.json()["end_date"][0]
    assert "29.00 planned" in response.json()["end_date"][0]
    assert Part.objects.count() == 1
    assert propose(api, newcomer, "2027-08-01", "2027-08-15").status_code == 201


def test_a_proposal_after_the_deadline_is_refused(api: Any, cast: Any, campaign: Campaign) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        response = propose(api, cast.employee, "2027-06-01", "2027-06-14")
    assert response.status_code == 409
    assert "closed on 01.12.2026" in response.json()["detail"]
    assert not Part.objects.exists()
    # The manager can still add it for the employee until the approval (not through this own-parts endpoint).
    from schedule import services

    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        part = services.part_add(
            actor=cast.manager.user,
            year=YEAR,
            employee=cast.employee,
            start_date=dt.date(2027, 6, 1),
            end_date=dt.date(2027, 6, 14),
        )
    assert part.employee == cast.employee


def test_approving_twice_is_a_conflict(api: Any, cast: Any, campaign: Campaign) -> None:
    assert propose(api, cast.employee, "2027-06-01", "2027-06-14").status_code == 201
    assert api(cast.manager).post(f"/api/v1/schedule/{YEAR}/approve/").status_code == 403
    first = api(cast.hr).post(f"/api/v1/schedule/{YEAR}/approve/")
    assert first.status_code == 200 and first.json()["status"] == "approved"
    approved_at = Campaign.objects.get().approved_at
    second = api(cast.hr).post(f"/api/v1/schedule/{YEAR}/approve/")
    assert second.status_code == 409
    assert "already approved" in second.json()["detail"]
    assert Campaign.objects.get().approved_at == approved_at
    part = Part.objects.get()
    assert (part.planned_start, part.planned_end) == (dt.date(2027, 6, 1), dt.date(2027, 6, 14))
    # After the approval nobody proposes new parts.
    assert propose(api, cast.employee, "2027-08-01", "2027-08-14").status_code == 409


def test_the_year_is_scoped_by_access(api: Any, cast: Any, campaign: Campaign) -> None:
    for who, start in ((cast.employee, "2027-06-01"), (cast.sub_employee, "2027-07-01"), (cast.outsider, "2027-08-02")):
        assert propose(api, who, start, start[:8] + "14").status_code == 201

    def names(who: Any, query: str = "") -> set[int]:
        response = api(who).get(f"/api/v1/schedule/{YEAR}/{query}")
        assert response.status_code == 200
        return {p["employee"] for p in response.json()["parts"]}

    assert names(cast.employee) == {cast.employee.pk}
    assert names(cast.manager) == {cast.employee.pk, cast.sub_employee.pk}
    assert names(cast.hr) == {cast.employee.pk, cast.sub_employee.pk, cast.outsider.pk}
    assert names(cast.hr, f"?department={cast.engineering.pk}") == {cast.outsider.pk}
    assert api(cast.manager).get(f"/api/v1/schedule/{YEAR}/?department={cast.engineering.pk}").status_code == 400
    assert api(cast.employee).get("/api/v1/schedule/2031/").status_code == 404
    assert api(None).get(f"/api/v1/schedule/{YEAR}/").status_code in (401, 403)


def test_the_manager_moves_a_part_before_the_approval_and_it_is_recorded(
    api: Any, cast: Any, campaign: Campaign
) -> None:
    part_id = propose(api, cast.employee, "2027-06-01", "2027-06-14").json()["id"]
    url = f"/api/v1/schedule/{YEAR}/parts/{part_id}/move/"
    body = {"start_date": "2027-07-05", "end_date": "2027-07-18", "reason": "the season"}
    assert api(cast.outsider).post(url, body, format="json").status_code == 404
    response = api(cast.manager).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    part = Part.objects.get()
    assert (part.start_date, part.days) == (dt.date(2027, 7, 5), Decimal("14.00"))
    change = Change.objects.get()
    assert (change.status, change.old_start, change.proposed_by) == ("applied", dt.date(2027, 6, 1), cast.manager.user)


def test_after_the_approval_a_move_needs_a_reason_and_the_other_sides_consent(
    api: Any, cast: Any, campaign: Campaign
) -> None:
    part_id = propose(api, cast.employee, "2027-06-01", "2027-06-14").json()["id"]
    api(cast.hr).post(f"/api/v1/schedule/{YEAR}/approve/")
    url = f"/api/v1/schedule/{YEAR}/parts/{part_id}/move/"
    no_reason = api(cast.employee).post(url, {"start_date": "2027-09-01", "end_date": "2027-09-14"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    asked = api(cast.employee).post(
        url, {"start_date": "2027-09-01", "end_date": "2027-09-14", "reason": "family"}, format="json"
    )
    assert asked.status_code == 200 and asked.json()["status"] == "proposed"
    assert Part.objects.get().start_date == dt.date(2027, 6, 1)  # not moved until the manager consents
    from notifications.models import OutboxMessage

    [asked_mail] = OutboxMessage.objects.filter(event="schedule_move_proposed")
    assert asked_mail.recipient == cast.manager and "01.09.2027" in asked_mail.content.body_text
    consent_url = f"/api/v1/schedule/{YEAR}/changes/{asked.json()['id']}/consent/"
    assert api(cast.employee).post(consent_url, {"consent": True}, format="json").status_code == 403
    assert api(cast.manager).post(consent_url, {"consent": True}, format="json").status_code == 200
    part = Part.objects.get()
    assert (part.start_date, part.planned_start) == (dt.date(2027, 9, 1), dt.date(2027, 6, 1))
    assert api(cast.manager).post(consent_url, {"consent": True}, format="json").status_code == 409


def test_a_scheduled_leave_becomes_a_request_the_manager_cannot_refuse(api: Any, cast: Any, campaign: Campaign) -> None:
    from leave import services as leave_services

    leave_services.load_calendar(year=2026)
    part_id = propose(api, cast.employee, "2027-06-01", "2027-06-14").json()["id"]
    api(cast.hr).post(f"/api/v1/schedule/{YEAR}/approve/")
    made = api(cast.employee).post(f"/api/v1/schedule/{YEAR}/parts/{part_id}/request/")
    assert made.status_code == 201, made.json()
    request = Request.objects.get(pk=made.json()["request"])
    assert request.scheduled and (request.start_date, request.end_date) == (dt.date(2027, 6, 1), dt.date(2027, 6, 14))
    refused = api(cast.manager).post(f"/api/v1/requests/{request.pk}/reject/", {"comment": "no"}, format="json")
    assert refused.status_code == 409
    assert "cannot be refused" in refused.json()["detail"]
    assert Request.objects.get(pk=request.pk).status == "pending"
    # A part already made a request does not move until that request is cancelled.
    moved = api(cast.employee).post(
        f"/api/v1/schedule/{YEAR}/parts/{part_id}/move/",
        {"start_date": "2027-09-01", "end_date": "2027-09-14", "reason": "x"},
        format="json",
    )
    assert moved.status_code == 409
    assert api(cast.manager).post(f"/api/v1/requests/{request.pk}/approve/").status_code == 200


def test_notices_are_own_and_acknowledged_once(api: Any, cast: Any, campaign: Campaign) -> None:
    from schedule import notices

    propose(api, cast.employee, "2027-06-01", "2027-06-14")
    api(cast.hr).post(f"/api/v1/schedule/{YEAR}/approve/")
    notices.send_due_notices(on=dt.date(2027, 5, 18))
    notice = Notice.objects.get()
    assert api(cast.employee).get("/api/v1/notices/").json()[0]["id"] == notice.pk
    assert api(cast.manager).get("/api/v1/notices/").json() == []
    url = f"/api/v1/notices/{notice.pk}/acknowledge/"
    assert api(cast.manager).post(url).status_code == 404  # someone else's: not even visible
    assert api(cast.hr).post(url).status_code == 403  # HR sees it (to print it) but does not sign for the employee
    assert not Acknowledgement.objects.exists()
    client = api(cast.employee)
    response = client.post(url, HTTP_USER_AGENT="Firefox/128", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    ack = response.json()["acknowledgement"]
    assert (ack["ip_address"], ack["user_agent"]) == ("10.1.2.3", "Firefox/128")
    assert client.post(url).status_code == 409
    assert Acknowledgement.objects.get().user == cast.employee.user


def test_the_t7_export_is_a_report_job_for_hr(api: Any, cast: Any, campaign: Campaign, monkeypatch: Any) -> None:
    monkeypatch.setattr("reports.services.enqueue_export", lambda job_id: None)
    assert api(cast.manager).post(f"/api/v1/schedule/{YEAR}/export/").status_code == 403
    assert api(cast.hr).post("/api/v1/schedule/2031/export/").status_code == 404
    response = api(cast.hr).post(f"/api/v1/schedule/{YEAR}/export/")
    assert response.status_code == 202
    from reports.models import ReportJob

    job = ReportJob.objects.get(pk=response.json()["id"])
    assert (job.kind, job.params["date_from"], job.params["date_to"]) == ("schedule_t7", "2027-01-01", "2027-12-31")
    assert dt.date(YEAR, 1, 1) > DEADLINE
