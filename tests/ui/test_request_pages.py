"""Filing, following and deciding requests through the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from leave.models import LeaveType
from requests_app.models import Request, RequestEvent
from requests_app.services import request_create
from staff.models import Delegation
from tests.ui.pages import subject_request

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
MAY = {"leave_type": "annual", "start_date": "2026-04-27", "end_date": "2026-05-15", "comment": "Майские"}


# --- filing ----------------------------------------------------------------------------------------------


def test_the_leave_form_shows_the_quote_without_javascript_and_saves_nothing(cast, calendars, login) -> None:
    response = login(cast.employee).post(reverse("request-new-leave"), {**MAY, "action": "quote"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-days-charged>17<" in page  # 19 calendar days less 1 and 9 May
    assert 'datetime="2026-05-01"' in page and 'datetime="2026-05-09"' in page
    assert 'datetime="2026-05-11"' not in page  # a transferred day off is charged (art. 120)
    assert "data-vacation-pay" in page  # one's own pay is shown
    assert not Request.objects.exists()


def test_filing_a_leave_creates_it_and_opens_its_page(cast, calendars, login) -> None:
    response = login(cast.employee).post(reverse("request-new-leave"), {**MAY, "action": "submit"})
    leave = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("request-detail", args=[leave.pk])
    assert (leave.kind, leave.status, leave.employee, leave.comment) == ("leave", "pending", cast.employee, "Майские")
    assert leave.leave.days == Decimal(17)


def test_a_refused_leave_shows_the_reason_on_the_form_and_saves_nothing(cast, calendars, login) -> None:
    client = login(cast.employee)
    subject_request(cast)
    response = client.post(reverse("request-new-leave"), {**MAY, "start_date": "2026-05-04", "action": "submit"})
    assert response.status_code == 400
    assert f"№{Request.objects.get().pk}" in response.content.decode()  # the overlapped request is named
    assert Request.objects.count() == 1
    response = client.post(reverse("request-new-leave"), {**MAY, "end_date": "2026-04-01", "action": "submit"})
    assert response.status_code == 400 and response.context["form"].has_error("end_date")
    assert Request.objects.count() == 1


def test_not_enough_balance_is_refused_with_the_quote_still_shown(cast, calendars, login) -> None:
    response = login(cast.employee).post(
        reverse("request-new-leave"), {**MAY, "start_date": "2026-01-12", "end_date": "2026-12-20"}
    )
    assert response.status_code == 400
    assert "data-days-charged" in response.content.decode()
    assert not Request.objects.exists()


def test_a_business_trip_and_a_certificate(cast, login) -> None:
    client = login(cast.employee)
    response = client.post(
        reverse("request-new-trip"),
        {"start_date": "2026-06-01", "end_date": "2026-06-03", "destination": "Казань", "purpose": "Выставка"},
    )
    assert response.status_code == 302
    trip = Request.objects.get(kind="business_trip")
    assert trip.trip.destination == "Казань"
    response = client.post(reverse("request-new-trip"), {"start_date": "2026-07-01", "end_date": "2026-07-03"})
    assert response.status_code == 400 and response.context["form"].has_error("destination")
    response = client.post(reverse("request-new-certificate"), {"certificate_type": "income", "copies": 2})
    assert response.status_code == 302
    assert Request.objects.get(kind="certificate").certificate.copies == 2
    assert client.post(reverse("request-new-certificate"), {"certificate_type": "x", "copies": 2}).status_code == 400
    assert Request.objects.count() == 2


@time_machine.travel(TODAY, tick=False)
def test_pay_rate_changes_are_proposed_by_managers_for_their_team_and_by_hr(cast, login) -> None:
    assert login(cast.employee).get(reverse("rate-change-new")).status_code == 403
    manager = login(cast.manager)
    data = {"employee": cast.employee.pk, "effective_date": "2026-04-01", "fte": "1.00", "salary": "120000.00"}
    assert manager.post(reverse("rate-change-new"), data).status_code == 302
    change = Request.objects.get(kind="rate_change")
    assert (change.employee, change.rate_change.salary, change.stage) == (cast.employee, Decimal("120000.00"), "hr")
    response = manager.post(reverse("rate-change-new"), {**data, "employee": cast.outsider.pk})
    assert response.status_code == 400 and response.context["form"].has_error("employee")
    response = manager.post(reverse("rate-change-new"), {**data, "effective_date": "2026-02-01"})
    assert response.status_code == 400 and response.context["form"].has_error("effective_date")
    assert login(cast.hr).post(reverse("rate-change-new"), {**data, "employee": cast.outsider.pk}).status_code == 302
    assert Request.objects.filter(kind="rate_change").count() == 2
    hr_page = login(cast.hr).get(reverse("rate-change-new"), {"employee": cast.employee.pk}).content.decode()
    assert "100" in hr_page and "000,00" in hr_page  # HR sees the current salary
    manager_page = manager.get(reverse("rate-change-new"), {"employee": cast.employee.pk}).content.decode()
    assert "000,00" not in manager_page  # a manager does not


# --- one request -----------------------------------------------------------------------------------------


def test_the_request_page_is_visible_to_the_employee_their_manager_and_hr_only(cast, calendars, login) -> None:
    leave = subject_request(cast)
    url = reverse("request-detail", args=[leave.pk])
    for role in ("employee", "manager", "hr"):
        assert login(getattr(cast, role)).get(url).status_code == 200, role
    for role in ("outsider", "other_manager", "sub_employee"):
        assert login(getattr(cast, role)).get(url).status_code == 404, role
    assert login(cast.employee).get(reverse("request-detail", args=[leave.pk + 1000])).status_code == 404


def test_the_request_page_shows_details_history_and_the_right_buttons(cast, calendars, login) -> None:
    leave = subject_request(cast)
    url = reverse("request-detail", args=[leave.pk])
    employee_page = login(cast.employee).get(url).content.decode()
    assert 'data-action="created"' in employee_page
    assert reverse("request-cancel", args=[leave.pk]) in employee_page
    assert reverse("request-approve", args=[leave.pk]) not in employee_page
    manager_page = login(cast.manager).get(url).content.decode()
    assert reverse("request-approve", args=[leave.pk]) in manager_page
    assert reverse("request-reject", args=[leave.pk]) in manager_page
    assert "data-vacation-pay" not in manager_page and "₽" not in manager_page  # a manager sees no pay


def test_approving_with_a_comment_records_it_in_the_history(cast, calendars, login) -> None:
    leave = subject_request(cast)
    client = login(cast.manager)
    response = client.post(reverse("request-approve", args=[leave.pk]), {"comment": "Хорошего отдыха"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == "approved"
    event = leave.events.get(action=RequestEvent.Action.APPROVED)
    assert (event.actor, event.comment) == (cast.manager.user, "Хорошего отдыха")
    page = client.get(reverse("request-detail", args=[leave.pk])).content.decode()
    assert "Хорошего отдыха" in page and 'data-action="approved"' in page


def test_rejecting_needs_a_reason(cast, calendars, login) -> None:
    leave = subject_request(cast)
    client = login(cast.manager)
    client.post(reverse("request-reject", args=[leave.pk]), {"comment": ""})
    leave.refresh_from_db()
    assert leave.status == "pending"
    client.post(reverse("request-reject", args=[leave.pk]), {"comment": "Сдача проекта"})
    leave.refresh_from_db()
    assert leave.status == "rejected"


def test_decisions_are_posts_by_the_approver_only(cast, calendars, login) -> None:
    leave = subject_request(cast)
    assert login(cast.manager).get(reverse("request-approve", args=[leave.pk])).status_code == 405
    assert login(cast.outsider).post(reverse("request-approve", args=[leave.pk])).status_code == 404
    response = login(cast.employee).post(reverse("request-approve", args=[leave.pk]), follow=True)
    assert response.status_code == 200  # seen but not theirs to decide: a message, nothing changes
    leave.refresh_from_db()
    assert leave.status == "pending"
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(cast.manager.user)
    assert csrf.post(reverse("request-approve", args=[leave.pk])).status_code == 403
    leave.refresh_from_db()
    assert leave.status == "pending"


def test_the_employee_cancels_a_pending_request(cast, calendars, login) -> None:
    leave = subject_request(cast)
    assert login(cast.outsider).post(reverse("request-cancel", args=[leave.pk])).status_code == 404
    response = login(cast.employee).post(reverse("request-cancel", args=[leave.pk]), {"comment": "Передумал"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    response = login(cast.employee).post(reverse("request-cancel", args=[leave.pk]), follow=True)
    assert response.status_code == 200  # cancelling twice changes nothing


@time_machine.travel(TODAY, tick=False)
def test_a_deputy_decides_on_the_managers_behalf_and_the_history_says_so(cast, calendars, login) -> None:
    leave = subject_request(cast)
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date="2026-03-01", end_date="2026-03-31"
    )
    client = login(cast.sub_manager)
    page = client.get(reverse("request-detail", args=[leave.pk])).content.decode()
    assert cast.manager.full_name in page  # "you decide on behalf of …"
    client.post(reverse("request-approve", args=[leave.pk]), {"comment": ""})
    event = leave.events.get(action=RequestEvent.Action.APPROVED)
    assert (event.actor, event.on_behalf_of) == (cast.sub_manager.user, cast.manager)


# --- my requests and the inbox ---------------------------------------------------------------------------


def test_my_requests_and_the_teams(cast, calendars, login) -> None:
    leave = subject_request(cast)
    assert f"#{leave.pk}" in login(cast.employee).get(reverse("request-list")).content.decode()
    assert f"#{leave.pk}" not in login(cast.manager).get(reverse("request-list")).content.decode()
    team = login(cast.manager).get(reverse("request-list"), {"scope": "team", "status": "pending"})
    assert f"#{leave.pk}" in team.content.decode()
    other = login(cast.other_manager).get(reverse("request-list"), {"scope": "team"})
    assert f"#{leave.pk}" not in other.content.decode()


def _trip(person, month: int) -> Request:  # type: ignore[no-untyped-def]
    """A request the person's manager decides (certificates go to HR alone), one per month so none overlap."""
    start = dt.date(2027, month, 1)
    return request_create(
        actor=person.user,
        kind="business_trip",
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        destination="Омск",
        purpose="Аудит",
    )


def test_the_inbox_lists_what_awaits_and_filters_by_kind(cast, calendars, login) -> None:
    leave = subject_request(cast)
    trip = _trip(cast.employee, 1)
    client = login(cast.manager)
    page = client.get(reverse("approvals")).content.decode()
    assert f'data-request="{leave.pk}"' in page and f'data-request="{trip.pk}"' in page
    page = client.get(reverse("approvals"), {"kind": "business_trip"}).content.decode()
    assert f'data-request="{leave.pk}"' not in page and f'data-request="{trip.pk}"' in page
    assert 'data-request="' not in login(cast.outsider).get(reverse("approvals")).content.decode()
    assert 'data-request="' not in login(cast.other_manager).get(reverse("approvals")).content.decode()


def test_approving_several_at_once(cast, calendars, login) -> None:
    leave = subject_request(cast)
    trip = _trip(cast.employee, 1)
    untouched = _trip(cast.employee, 2)
    client = login(cast.manager)
    response = client.post(reverse("approvals"), {"ids": [leave.pk, trip.pk], "decision": "approve", "comment": "Ок"})
    assert response.status_code == 302
    statuses = dict(Request.objects.values_list("pk", "status"))
    assert statuses == {leave.pk: "approved", trip.pk: "approved", untouched.pk: "pending"}
    assert set(RequestEvent.objects.filter(action="approved").values_list("comment", flat=True)) == {"Ок"}


def test_one_rows_button_and_refusals_in_the_inbox(cast, calendars, login) -> None:
    trip = _trip(cast.employee, 1)
    other = _trip(cast.employee, 2)
    outsiders = _trip(cast.outsider, 3)
    client = login(cast.manager)
    client.post(reverse("approvals"), {"ids": [other.pk], "single": f"approve:{trip.pk}"})
    assert Request.objects.get(pk=trip.pk).status == "approved"
    assert Request.objects.get(pk=other.pk).status == "pending"  # the row's button wins over the checkboxes
    client.post(reverse("approvals"), {"ids": [other.pk], "decision": "reject", "comment": ""})
    assert Request.objects.get(pk=other.pk).status == "pending"  # a rejection needs a reason
    response = client.post(reverse("approvals"), {"ids": [outsiders.pk], "decision": "approve"}, follow=True)
    assert Request.objects.get(pk=outsiders.pk).status == "pending"  # not theirs to decide
    assert f"№{outsiders.pk}" in response.content.decode()  # "Request No. … no longer awaits your decision"


def test_hr_sees_the_hr_step_in_its_inbox(cast, calendars, login) -> None:
    change = request_create(
        actor=cast.manager.user,
        kind="rate_change",
        employee=cast.employee,
        effective_date=dt.date(2030, 1, 1),
        fte=Decimal("1.00"),
        salary=Decimal("130000.00"),
    )
    assert f'data-request="{change.pk}"' in login(cast.hr).get(reverse("approvals")).content.decode()
    assert f'data-request="{change.pk}"' not in login(cast.manager).get(reverse("approvals")).content.decode()


def test_unknown_kinds_are_not_pages(cast, login) -> None:
    assert login(cast.employee).get("/requests/new/rate_change/").status_code == 404
    assert login(cast.employee).get("/requests/new/holiday/").status_code == 404


def test_leave_type_choices_exclude_sick_leave(cast, calendars, login) -> None:
    assert LeaveType.objects.filter(code="sick").exists()
    form = login(cast.employee).get(reverse("request-new-leave")).context["form"]
    assert "sick" not in {t.code for t in form.fields["leave_type"].queryset}


@time_machine.travel(TODAY, tick=False)
def test_an_approved_leave_is_cancelled_by_asking_and_confirming(cast, calendars, login) -> None:
    leave = subject_request(cast)  # starts 27.04, after TODAY
    login(cast.manager).post(reverse("request-approve", args=[leave.pk]), {"comment": ""})
    url = reverse("request-detail", args=[leave.pk])
    employee = login(cast.employee)
    assert "Попросить отменить" in employee.get(url).content.decode()
    employee.post(reverse("request-cancel", args=[leave.pk]), {"comment": "Планы изменились"})
    leave.refresh_from_db()
    assert (leave.status, leave.cancel_requested) == ("approved", True)
    manager = login(cast.manager)
    assert "Подтвердить отмену" in manager.get(url).content.decode()
    manager.post(reverse("request-cancel", args=[leave.pk]))
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    actions = list(leave.events.values_list("action", flat=True))
    assert actions == ["created", "approved", "cancel_requested", "cancelled"]
