"""The approvals inbox decides cancellations too (confirm or decline, with a comment, mailed back) and shows the
context of each leave: the balance after it and who else in the team is away then (issue 22)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from leave.models import LeaveType
from notifications.models import OutboxMessage
from requests_app.models import Request, RequestEvent
from requests_app.services import request_approve, request_cancel, request_create

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _trip(person, start: dt.date, days: int = 3) -> Request:  # type: ignore[no-untyped-def]
    return request_create(
        actor=person.user,
        kind="business_trip",
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        destination="Казань",
        purpose="Выставка",
    )


def _asked_to_cancel(cast, start: dt.date) -> Request:  # type: ignore[no-untyped-def]
    trip = _trip(cast.employee, start)
    request_approve(request_id=trip.pk, actor=cast.manager.user)
    return request_cancel(request_id=trip.pk, actor=cast.employee.user, comment="Планы изменились")


@time_machine.travel(TODAY, tick=False)
def test_a_cancellation_is_in_the_inbox_and_its_badge_with_both_buttons(cast, calendars, login) -> None:
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    page = login(cast.manager).get(reverse("approvals")).content.decode()
    assert f'data-request="{asked.pk}" data-cancellation' in page
    assert f'value="confirm:{asked.pk}"' in page and f'value="decline:{asked.pk}"' in page
    assert f'value="approve:{asked.pk}"' not in page
    assert 'name="cancellations"' in page
    assert "Планы изменились" in page  # why the employee asks
    dashboard = login(cast.manager).get(reverse("dashboard")).content.decode()
    assert f"#{asked.pk}" in dashboard and "Просит отменить" in dashboard
    assert '<span class="count" aria-label="1 ' in page  # the header's badge counts it
    assert 'data-request="' not in login(cast.employee).get(reverse("approvals")).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_declining_a_cancellation_in_the_inbox_keeps_it_and_mails_the_comment(cast, calendars, login) -> None:
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    client = login(cast.manager)
    refused = client.post(reverse("approvals"), {"single": f"decline:{asked.pk}", "comment": ""})
    assert refused.status_code == 302
    assert Request.objects.get(pk=asked.pk).cancel_requested  # a decline needs its reason
    client.post(reverse("approvals"), {"single": f"decline:{asked.pk}", "comment": "Выставку не перенести"})
    kept = Request.objects.get(pk=asked.pk)
    assert (kept.status, kept.cancel_requested) == ("approved", False)
    event = kept.events.get(action=RequestEvent.Action.CANCEL_DECLINED)
    assert event.comment == "Выставку не перенести"
    mail = OutboxMessage.objects.select_related("content").get(event="request_cancel_declined")
    assert mail.recipient == cast.employee
    assert "Выставку не перенести" in mail.content.body_text
    assert f'data-request="{asked.pk}"' not in client.get(reverse("approvals")).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_confirming_in_the_inbox_cancels_and_mails_the_employee(cast, calendars, login) -> None:
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    login(cast.manager).post(reverse("approvals"), {"single": f"confirm:{asked.pk}", "comment": "Хорошо"})
    assert Request.objects.get(pk=asked.pk).status == "cancelled"
    mail = OutboxMessage.objects.select_related("content").get(event="request_cancelled")
    assert mail.recipient == cast.employee and "Хорошо" in mail.content.body_text


@time_machine.travel(TODAY, tick=False)
def test_the_bulk_form_routes_each_id_to_its_own_service(cast, calendars, login) -> None:
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    certificate = request_create(  # a request the manager decides (certificates go to HR alone)
        actor=cast.employee.user,
        kind="business_trip",
        start_date=dt.date(2026, 5, 12),
        end_date=dt.date(2026, 5, 13),
        destination="Омск",
        purpose="Аудит",
    )
    client = login(cast.manager)
    client.post(
        reverse("approvals"),
        {"ids": [certificate.pk], "cancellations": [asked.pk], "decision": "reject", "comment": "Нет"},
    )
    statuses = dict(Request.objects.values_list("pk", "status"))
    assert statuses == {asked.pk: "approved", certificate.pk: "rejected"}
    assert not Request.objects.get(pk=asked.pk).cancel_requested


@time_machine.travel(TODAY, tick=False)
def test_a_button_for_the_other_kind_of_row_does_nothing(cast, calendars, login) -> None:
    """ "Approve" on a cancellation (or "confirm" on a pending request) is a stale page: refused, not rerouted."""
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    pending = _trip(cast.employee, dt.date(2026, 5, 18))
    client = login(cast.manager)
    response = client.post(reverse("approvals"), {"single": f"approve:{asked.pk}"}, follow=True)
    assert f"№{asked.pk}" in response.content.decode()
    client.post(reverse("approvals"), {"single": f"confirm:{pending.pk}"})
    statuses = dict(Request.objects.values_list("pk", "status"))
    assert statuses == {asked.pk: "approved", pending.pk: "pending"}
    assert Request.objects.get(pk=asked.pk).cancel_requested


@time_machine.travel(TODAY, tick=False)
def test_the_outsider_cannot_decide_a_cancellation_from_the_inbox(cast, calendars, login) -> None:
    asked = _asked_to_cancel(cast, dt.date(2026, 4, 6))
    response = login(cast.other_manager).post(
        reverse("approvals"), {"single": f"confirm:{asked.pk}", "comment": "x"}, follow=True
    )
    assert f"№{asked.pk}" in response.content.decode()
    assert Request.objects.get(pk=asked.pk).cancel_requested


@time_machine.travel(TODAY, tick=False)
def test_each_leave_shows_the_balance_after_it_and_who_else_is_away(cast, calendars, login) -> None:
    leave = request_create(
        actor=cast.employee.user,
        kind="leave",
        leave_type=LeaveType.objects.get(code="annual"),
        start_date=dt.date(2026, 4, 6),
        end_date=dt.date(2026, 4, 10),
    )
    available_after = leave.leave.quote["available_after"]
    colleague = cast.deactivated  # also in Sales
    colleague.user.is_active = True
    colleague.user.save()
    overlapping = _trip(colleague, dt.date(2026, 4, 9))
    _trip(colleague, dt.date(2026, 4, 20))  # after the leave: not shown
    _trip(cast.outsider, dt.date(2026, 4, 7))  # another department: not shown
    page = login(cast.manager).get(reverse("approvals")).content.decode()
    row = page[page.index(f'data-request="{leave.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'data-available-after="{available_after}"' in row
    assert f'data-away-employee="{colleague.pk}"' in row
    assert row.count("data-away-employee=") == 1
    assert cast.outsider.last_name not in row
    # The colleague's own trip lists the employee's leave in turn.
    other_row = page[page.index(f'data-request="{overlapping.pk}"') :]
    assert f'data-away-employee="{cast.employee.pk}"' in other_row[: other_row.index("</tr>")]
