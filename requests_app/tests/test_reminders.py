"""Pending requests remind their approvers once a working day after N working days, and escalate after M
(issue 22). Dates are passed in or frozen; March 2026 has 9 March off (8 March fell on a Sunday)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notifications.models import OutboxMessage
from requests_app import services
from requests_app.models import Request
from requests_app.reminders import pending_reminders
from requests_app.tasks import remind_pending
from staff.models import Delegation

pytestmark = pytest.mark.django_db

FILED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday


def _manager_step(person) -> Request:  # type: ignore[no-untyped-def]
    """A request the person's manager decides: a trip (certificates go to HR alone)."""
    with time_machine.travel(FILED, tick=False):
        return services.request_create(
            actor=person.user,
            kind=Request.Kind.BUSINESS_TRIP,
            start_date=dt.date(2026, 6, 1),
            end_date=dt.date(2026, 6, 2),
            destination="Омск",
            purpose="Аудит",
        )


def _sent(event: str) -> list[tuple[str, str]]:
    return sorted(
        (m.recipient.user.username, m.object_key.rpartition("@")[2])
        for m in OutboxMessage.objects.select_related("recipient__user").filter(event=event)
    )


def test_the_approver_is_reminded_once_a_working_day_from_the_second(cast) -> None:
    _manager_step(cast.employee)
    assert pending_reminders(today=dt.date(2026, 3, 3)).reminded == 0  # one working day
    assert pending_reminders(today=dt.date(2026, 3, 4)).reminded == 1
    pending_reminders(today=dt.date(2026, 3, 4))  # the same day again: nothing new
    assert _sent("request_reminder") == [("manager", "2026-03-04")]
    pending_reminders(today=dt.date(2026, 3, 5))
    assert _sent("request_reminder") == [("manager", "2026-03-04"), ("manager", "2026-03-05")]
    assert _sent("request_escalated") == []
    mail = OutboxMessage.objects.select_related("content").filter(event="request_reminder").first()
    assert "3 раб. дн." in mail.content.subject or "2 раб. дн." in mail.content.subject
    assert "/requests/" in mail.content.body_text


def test_after_m_working_days_the_approvers_manager_hears_of_it_and_days_off_do_not_count(cast) -> None:
    request = _manager_step(cast.employee)
    assert pending_reminders(today=dt.date(2026, 3, 7)).reminded == 0  # a Saturday: nobody is mailed
    assert pending_reminders(today=dt.date(2026, 3, 9)).reminded == 0  # the day off for 8 March
    run = pending_reminders(today=dt.date(2026, 3, 10))  # 3, 4, 5, 6, 10 March: five working days
    assert (run.reminded, run.escalated) == (1, 1)
    assert _sent("request_escalated") == [("ceo", "2026-03-10")]  # the manager's own manager
    mail = OutboxMessage.objects.select_related("content").get(event="request_escalated")
    assert "5 раб. дн." in mail.content.body_text and cast.manager.full_name in mail.content.body_text
    assert mail.object_key == f"requests_app.request:{request.pk}@2026-03-10"
    # Decided: no more reminders.
    services.request_approve(request_id=request.pk, actor=cast.manager.user)
    assert pending_reminders(today=dt.date(2026, 3, 11)).reminded == 0


def test_a_top_approver_with_no_manager_escalates_to_hr(cast) -> None:
    _manager_step(cast.manager)  # decided by the CEO, who has no manager
    pending_reminders(today=dt.date(2026, 3, 10))
    assert _sent("request_reminder") == [("ceo", "2026-03-10")]
    assert _sent("request_escalated") == [("hr", "2026-03-10")]


def test_the_settings_are_read_at_each_run_and_the_deputy_is_reminded_too(cast, settings) -> None:
    _manager_step(cast.employee)
    Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 3)
    )
    settings.HRPORTAL = {**settings.HRPORTAL, "REQUEST_REMIND_AFTER_WORKING_DAYS": 1}
    pending_reminders(today=dt.date(2026, 3, 3))
    assert _sent("request_reminder") == [("manager", "2026-03-03"), ("sub_manager", "2026-03-03")]


def test_the_step_counts_from_when_the_request_reached_it(cast) -> None:
    """A rate change HR filed reaches HR after the manager: HR's days start then, and the HR member who filed
    it is not reminded (they may not decide it)."""
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from conftest import make_employee
    from staff.models import HR_GROUP

    colleague = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    colleague.user.groups.add(Group.objects.get(name=HR_GROUP))

    with time_machine.travel(FILED, tick=False):
        change = services.request_create(
            actor=cast.hr.user,
            kind=Request.Kind.RATE_CHANGE,
            employee=cast.employee,
            effective_date=dt.date(2026, 4, 1),
            fte=Decimal("1.00"),
            salary=Decimal("130000.00"),
        )
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC), tick=False):
        services.request_approve(request_id=change.pk, actor=cast.manager.user)  # now at the HR step
    assert pending_reminders(today=dt.date(2026, 3, 6)).reminded == 0  # one working day at HR
    pending_reminders(today=dt.date(2026, 3, 10))
    assert [who for who, _ in _sent("request_reminder")] == ["hr2"]


@time_machine.travel(dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC), tick=False)
def test_the_beat_task_calls_the_service_for_today(cast) -> None:
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["remind-pending-requests"]["task"] == remind_pending.name
    _manager_step(cast.employee)
    assert remind_pending() == {"day": "2026-03-04", "reminded": 1, "escalated": 0}
    assert remind_pending.run(on="2026-03-04")["reminded"] == 1
    assert len(_sent("request_reminder")) == 1
