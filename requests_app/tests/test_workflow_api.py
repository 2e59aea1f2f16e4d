"""Issue 4: each kind's path through the API, approval rights, delegation, bad input.

Past 400 lines: each kind's whole path through the API, kept in one file so the paths read side by side.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group

from conftest import make_employee
from requests_app.models import Request, RequestEvent
from staff.models import HR_GROUP, Delegation, PayRate
from staff.selectors import rate_on

TODAY = dt.date(2026, 3, 2)

pytestmark = [pytest.mark.django_db]

# A request the employee's manager decides (certificates go to HR alone).
TRIP = {
    "kind": "business_trip",
    "start_date": "2027-06-01",
    "end_date": "2027-06-03",
    "destination": "Омск",
    "purpose": "Аудит",
}


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def actions(request_id: int) -> list[tuple[str, str]]:
    return list(
        RequestEvent.objects.filter(request_id=request_id).order_by("id").values_list("action", "actor__username")
    )


def test_leave_path_employee_files_manager_approves(cast, api, leave_ready) -> None:
    response = api(cast.employee).post(
        "/api/v1/requests/",
        {
            "kind": "leave",
            "leave_type": "annual",
            "start_date": "2026-04-06",
            "end_date": "2026-04-10",
            "comment": "Отпуск",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["kind"] == "leave" and body["days"] == "5.00"
    assert body["employee"] == cast.employee.pk
    approved = api(cast.manager).post(f"/api/v1/requests/{body['id']}/approve/", {"comment": "OK"})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert actions(body["id"]) == [("created", "employee"), ("approved", "manager")]
    history = approved.json()["history"]
    assert history[-1]["comment"] == "OK" and history[-1]["on_behalf_of"] is None


def test_trip_path(cast, api) -> None:
    response = api(cast.employee).post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "destination": "Казань",
            "purpose": "Переговоры",
        },
    )
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    assert response.json()["destination"] == "Казань"
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
    assert actions(rid) == [("created", "employee"), ("approved", "manager")]


def test_certificate_path_with_rejection(cast, api) -> None:
    response = api(cast.employee).post(
        "/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment", "copies": 2}
    )
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    assert response.json()["stage"] == "hr"  # HR issues certificates: the line manager does not decide them
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/reject/").status_code == 403
    rejected = api(cast.hr).post(f"/api/v1/requests/{rid}/reject/", {"comment": "Уже выдана"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert actions(rid) == [("created", "employee"), ("rejected", "hr")]


def test_rate_change_filed_by_manager_goes_to_hr_and_applies(cast, api) -> None:
    response = api(cast.manager).post(
        "/api/v1/requests/",
        {
            "kind": "rate_change",
            "employee": cast.employee.pk,
            "effective_date": "2026-04-01",
            "fte": "0.5",
            "salary": "120000.00",
        },
    )
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    assert response.json()["stage"] == "hr"
    # The manager cannot give HR's approval.
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    approved = api(cast.hr).post(f"/api/v1/requests/{rid}/approve/", {"comment": "Согласовано"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert rate_on(cast.employee, dt.date(2026, 4, 1)).fte == Decimal("1.00")  # not before the agreement is signed
    _employee_signs_the_agreement(rid, cast.hr)
    rate = rate_on(cast.employee, dt.date(2026, 4, 1))
    assert (rate.fte, rate.salary) == (Decimal("0.50"), Decimal("120000.00"))
    assert rate_on(cast.employee, dt.date(2026, 3, 31)).fte == Decimal("1.00")
    assert actions(rid) == [("created", "manager"), ("approved", "hr")]


def test_rate_change_filed_by_hr_goes_manager_then_hr(cast, api) -> None:
    response = api(cast.hr).post(
        "/api/v1/requests/",
        {
            "kind": "rate_change",
            "employee": cast.employee.pk,
            "effective_date": "2026-01-01",
            "fte": "1.00",
            "salary": "150000.00",
        },
    )
    assert response.status_code == 201, response.json()
    rid = response.json()["id"]
    step = api(cast.manager).post(f"/api/v1/requests/{rid}/approve/")
    assert step.json()["status"] == "pending" and step.json()["stage"] == "hr"
    # A retried step approval by the same manager changes nothing and says so (409, not a silent 200).
    retried = api(cast.manager).post(f"/api/v1/requests/{rid}/approve/")
    assert retried.status_code == 409
    assert retried.json() == {"detail": "You have already approved this request; it now waits for the next step."}
    # The HR member who proposed it never approves it (four eyes): another HR member does.
    assert api(cast.hr).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    second_hr = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    second_hr.user.groups.add(Group.objects.get(name=HR_GROUP))
    assert api(second_hr).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
    assert actions(rid) == [("created", "hr"), ("approved_step", "manager"), ("approved", "hr2")]
    _employee_signs_the_agreement(rid, second_hr)
    assert PayRate.objects.filter(employee=cast.employee, salary=Decimal("150000.00")).count() == 1


def test_manager_own_request_goes_to_next_manager_up(cast, api) -> None:
    rid = api(cast.manager).post("/api/v1/requests/", TRIP).json()["id"]
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    assert api(cast.ceo).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"


def test_top_head_request_goes_to_hr(cast, api) -> None:
    rid = (
        api(cast.ceo)
        .post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "income", "copies": 1})
        .json()["id"]
    )
    assert Request.objects.get(pk=rid).stage == "hr"
    assert api(cast.hr).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"


def test_approval_rights(cast, api) -> None:
    rid = api(cast.employee).post("/api/v1/requests/", TRIP).json()["id"]
    # Outside the subtree: cannot even see it.
    assert api(cast.other_manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 404
    assert api(cast.outsider).post(f"/api/v1/requests/{rid}/approve/").status_code == 404
    # The employee cannot approve their own request.
    assert api(cast.employee).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    # HR sees it but the manager step is the manager's.
    assert api(cast.hr).post(f"/api/v1/requests/{rid}/approve/").status_code == 403
    assert Request.objects.get(pk=rid).status == "pending"


def test_deputy_approves_only_within_delegation_dates(cast, api) -> None:
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.outsider, start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 20)
    )
    rid = api(cast.employee).post("/api/v1/requests/", TRIP).json()["id"]
    # Before the delegation starts the deputy does not even see the request.
    assert api(cast.outsider).post(f"/api/v1/requests/{rid}/approve/").status_code == 404
    with time_machine.travel(dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        response = api(cast.outsider).post(f"/api/v1/requests/{rid}/approve/", {"comment": "За руководителя"})
        assert response.status_code == 200, response.json()
    event = RequestEvent.objects.get(request_id=rid, action="approved")
    assert event.actor == cast.outsider.user and event.on_behalf_of == cast.manager


def test_deputy_after_delegation_ended_is_refused(cast, api) -> None:
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 2, 28)
    )
    rid = api(cast.employee).post("/api/v1/requests/", TRIP).json()["id"]
    # sub_manager heads a sub-department, not the employee's: without a live delegation, nothing.
    assert api(cast.sub_manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 404


def test_double_approve_and_state_conflicts(cast, api) -> None:
    rid = api(cast.employee).post("/api/v1/requests/", TRIP).json()["id"]
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 200
    again = api(cast.manager).post(f"/api/v1/requests/{rid}/approve/")
    assert again.status_code == 409  # the contract's 409 for an action the state forbids
    assert again.json() == {"detail": "The request is no longer pending: it cannot be approved."}
    assert RequestEvent.objects.filter(request_id=rid, action="approved").count() == 1
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/reject/").status_code == 409


def test_cancel_pending_by_employee_and_approved_before_start(cast, api) -> None:
    client = api(cast.employee)
    rid = client.post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "destination": "Омск",
            "purpose": "Аудит",
        },
    ).json()["id"]
    assert client.post(f"/api/v1/requests/{rid}/cancel/").json()["status"] == "cancelled"

    rid = client.post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "destination": "Омск",
            "purpose": "Аудит",
        },
    ).json()["id"]
    api(cast.manager).post(f"/api/v1/requests/{rid}/approve/")
    asked = client.post(f"/api/v1/requests/{rid}/cancel/", {"comment": "Перенесли"})
    assert asked.json()["status"] == "approved" and asked.json()["cancel_requested"] is True
    confirmed = api(cast.manager).post(f"/api/v1/requests/{rid}/cancel/")
    assert confirmed.json()["status"] == "cancelled"
    assert [a for a, _ in actions(rid)] == ["created", "approved", "cancel_requested", "cancelled"]


def test_approved_absence_that_started_cannot_be_cancelled_by_the_manager(cast, api) -> None:
    client = api(cast.employee)
    rid = client.post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "destination": "Тверь",
            "purpose": "Монтаж",
        },
    ).json()["id"]
    api(cast.manager).post(f"/api/v1/requests/{rid}/approve/")
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/cancel/").status_code == 409
    assert api(cast.hr).post(f"/api/v1/requests/{rid}/cancel/").json()["status"] == "cancelled"


def test_list_is_scoped_and_filterable(cast, api) -> None:
    api(cast.employee).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    api(cast.outsider).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    mine = api(cast.employee).get("/api/v1/requests/").json()["results"]
    assert {r["employee"] for r in mine} == {cast.employee.pk}
    managed = api(cast.manager).get("/api/v1/requests/?status=pending&kind=certificate").json()["results"]
    assert {r["employee"] for r in managed} == {cast.employee.pk}
    assert len(api(cast.hr).get("/api/v1/requests/").json()["results"]) == 2
    assert api(cast.hr).get("/api/v1/requests/?status=nope").status_code == 400
    assert api(None).get("/api/v1/requests/").status_code in (401, 403)


def test_rate_change_amounts_hidden_from_a_deputy_manager_view(cast, api) -> None:
    rid = (
        api(cast.manager)
        .post(
            "/api/v1/requests/",
            {
                "kind": "rate_change",
                "employee": cast.employee.pk,
                "effective_date": "2026-04-01",
                "fte": "1.0",
                "salary": "130000.00",
            },
        )
        .json()["id"]
    )
    assert api(cast.employee).get(f"/api/v1/requests/{rid}/").json()["salary"] == "130000.00"
    assert api(cast.hr).get(f"/api/v1/requests/{rid}/").json()["salary"] == "130000.00"
    assert api(cast.outsider).get(f"/api/v1/requests/{rid}/").status_code == 404


BAD_INPUT = [
    (
        "end before start",
        {
            "kind": "business_trip",
            "start_date": "2026-05-14",
            "end_date": "2026-05-12",
            "destination": "X",
            "purpose": "Y",
        },
        "end_date",
    ),
    (
        "dates not dates",
        {
            "kind": "business_trip",
            "start_date": "tomorrow",
            "end_date": "2026-13-45",
            "destination": "X",
            "purpose": "Y",
        },
        "start_date",
    ),
    ("unknown kind", {"kind": "vacation_on_mars"}, "kind"),
    (
        "unknown leave type",
        {"kind": "leave", "leave_type": "sabbatical", "start_date": "2026-04-06", "end_date": "2026-04-07"},
        "leave_type",
    ),
    (
        "leave longer than balance",
        {"kind": "leave", "leave_type": "annual", "start_date": "2026-04-01", "end_date": "2026-12-31"},
        "end_date",
    ),
    (
        "rate fte zero",
        {
            "kind": "rate_change",
            "employee": "EMPLOYEE",
            "effective_date": "2026-04-01",
            "fte": "0",
            "salary": "31000.00",
        },
        "fte",
    ),
    (
        "rate fte above 1.5",
        {
            "kind": "rate_change",
            "employee": "EMPLOYEE",
            "effective_date": "2026-04-01",
            "fte": "1.75",
            "salary": "31000.00",
        },
        "fte",
    ),
    (
        "rate negative salary",
        {
            "kind": "rate_change",
            "employee": "EMPLOYEE",
            "effective_date": "2026-04-01",
            "fte": "1.0",
            "salary": "-5.00",
        },
        "salary",
    ),
    (
        "another employee for a leave",
        {
            "kind": "leave",
            "leave_type": "annual",
            "employee": "OUTSIDER",
            "start_date": "2026-04-06",
            "end_date": "2026-04-07",
        },
        "employee",
    ),
    (
        "another employee for a certificate",
        {"kind": "certificate", "certificate_type": "employment", "employee": "MANAGER"},
        "employee",
    ),
    (
        "rate change outside subtree",
        {
            "kind": "rate_change",
            "employee": "OUTSIDER",
            "effective_date": "2026-04-01",
            "fte": "1.0",
            "salary": "31000.00",
        },
        "employee",
    ),
    ("missing fields", {"kind": "business_trip", "start_date": "2026-05-12"}, "end_date"),
    ("missing kind", {"start_date": "2026-05-12"}, "kind"),
    ("copies out of range", {"kind": "certificate", "certificate_type": "employment", "copies": 0}, "copies"),
]


@pytest.mark.parametrize(("label", "payload", "field"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_400_with_field_messages_and_saves_nothing(cast, api, leave_ready, label, payload, field) -> None:
    ids = {"EMPLOYEE": cast.employee.pk, "OUTSIDER": cast.outsider.pk, "MANAGER": cast.manager.pk}
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    actor = cast.manager if payload.get("kind") == "rate_change" else cast.employee
    before = (Request.objects.count(), RequestEvent.objects.count(), PayRate.objects.count())
    response = api(actor).post("/api/v1/requests/", payload, format="json")
    assert response.status_code == 400, (label, response.status_code, response.content)
    assert field in response.json(), (label, response.json())
    assert all(isinstance(m, str) for m in response.json()[field])
    assert (Request.objects.count(), RequestEvent.objects.count(), PayRate.objects.count()) == before


def test_non_json_body_is_400(cast, api) -> None:
    response = api(cast.employee).post("/api/v1/requests/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Request.objects.count() == 0
    response = api(cast.employee).post("/api/v1/requests/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_overlapping_absence_is_409(cast, api) -> None:
    client = api(cast.employee)
    first = client.post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-05-12",
            "end_date": "2026-05-14",
            "destination": "Омск",
            "purpose": "Аудит",
        },
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2026-05-14",
            "end_date": "2026-05-16",
            "destination": "Омск",
            "purpose": "Аудит",
        },
    )
    assert second.status_code == 409
    assert "overlap" in second.json()["detail"]
    # Once the first is cancelled the dates are free again.
    client.post(f"/api/v1/requests/{first.json()['id']}/cancel/")
    assert (
        client.post(
            "/api/v1/requests/",
            {
                "kind": "business_trip",
                "start_date": "2026-05-14",
                "end_date": "2026-05-16",
                "destination": "Омск",
                "purpose": "Аудит",
            },
        ).status_code
        == 201
    )


def _employee_signs_the_agreement(request_id: int, hr) -> None:
    """Art. 72: an approved pay change applies once the supplementary agreement is signed (HR records paper)."""
    from documents.models import Document
    from documents.services import signature_record_paper

    agreement = Document.objects.get(request_id=request_id, kind="rate_agreement")
    signature_record_paper(document_id=agreement.pk, actor=hr.user)
