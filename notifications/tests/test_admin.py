"""The outbox admin: list, filters, search, the reason of a failure, the attempt log inline, and the actions
through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from notifications import delivery
from notifications.models import OutboxMessage
from notifications.services import notify
from notifications.tests.factories import make_person

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
CHANGELIST = "/admin/notifications/outboxmessage/"


def queue_one(email: str | None = None, status: str = Status.QUEUED) -> OutboxMessage:
    person = make_person(email=email)
    [message] = notify(event="request_approved", obj=person, recipients=[person])
    OutboxMessage.objects.filter(pk=message.pk).update(status=status)
    return OutboxMessage.objects.get(pk=message.pk)


def test_the_list_filters_by_status_and_searches_by_recipient(admin_client: Client) -> None:
    queue_one("anna@corp.example", Status.FAILED)
    queue_one("boris@corp.example", Status.SENT)
    response = admin_client.get(CHANGELIST, {"status__exact": "failed"})
    assert response.status_code == 200
    assert b"anna@corp.example" in response.content
    assert b"boris@corp.example" not in response.content
    response = admin_client.get(CHANGELIST, {"q": "boris@"})
    assert b"boris@corp.example" in response.content
    assert b"anna@corp.example" not in response.content
    for params in ({"event": "request_approved"}, {"created_at__gte": "2000-01-01 00:00:00+03:00"}):
        assert admin_client.get(CHANGELIST, params).status_code == 200


def test_the_change_page_shows_the_attempt_log(admin_client: Client, mailoutbox: list[Any]) -> None:
    message = queue_one()
    delivery.message_deliver(message_id=message.pk, task_id="task-abc")
    response = admin_client.get(f"{CHANGELIST}{message.pk}/change/")
    assert response.status_code == 200
    assert b"task-abc" in response.content
    assert b'name="subject"' not in response.content  # read-only: the outbox is not edited by hand


def test_send_again_action_queues_a_failed_message(admin_client: Client) -> None:
    failed, sent = queue_one(status=Status.FAILED), queue_one(status=Status.SENT)
    response = admin_client.post(
        CHANGELIST, {"action": "send_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )
    assert response.status_code == 200
    assert OutboxMessage.objects.get(pk=failed.pk).status == Status.QUEUED
    assert OutboxMessage.objects.get(pk=sent.pk).status == Status.SENT
    text = response.content.decode()
    assert f"#{sent.pk}:" in text  # the refused one is named


def test_cancel_action_cancels_a_queued_message(admin_client: Client) -> None:
    message = queue_one()
    admin_client.post(CHANGELIST, {"action": "cancel", "_selected_action": [message.pk]})
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.CANCELLED


def test_an_employee_without_admin_rights_is_refused(client: Client) -> None:
    person = make_person()
    client.force_login(person.user)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_list_shows_why_a_message_waits_or_failed(admin_client: Client) -> None:
    refused = queue_one("anna@corp.example", Status.FAILED)
    OutboxMessage.objects.filter(pk=refused.pk).update(
        last_error="SMTPRecipientsRefused: 550 5.1.1 no such user <anna@corp.example>", last_error_kind="permanent"
    )
    waiting = queue_one("boris@corp.example")
    OutboxMessage.objects.filter(pk=waiting.pk).update(
        last_error="ConnectionRefusedError: [Errno 111] Connection refused", last_error_kind="transient"
    )
    response = admin_client.get(CHANGELIST)
    text = response.content.decode()
    assert "550 5.1.1 no such user" in text
    assert "[Errno 111] Connection refused" in text
    response = admin_client.get(CHANGELIST, {"last_error_kind__exact": "permanent"})
    assert b"anna@corp.example" in response.content
    assert b"boris@corp.example" not in response.content


def test_retry_now_makes_a_waiting_message_due_and_sends_a_failed_one_again(
    admin_client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notifications import services

    enqueued: list[list[int]] = []
    monkeypatch.setattr(services, "enqueue_dispatch", enqueued.append)
    waiting, failed, sent = queue_one(), queue_one(status=Status.FAILED), queue_one(status=Status.SENT)
    later = timezone.now() + dt.timedelta(minutes=30)
    OutboxMessage.objects.filter(pk=waiting.pk).update(attempts=6, due_at=later, last_error_kind="transient")
    OutboxMessage.objects.filter(pk=failed.pk).update(attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "retry_now", "_selected_action": [waiting.pk, failed.pk, sent.pk]}, follow=True
        )
    assert response.status_code == 200
    row = OutboxMessage.objects.get(pk=waiting.pk)
    assert (row.status, row.attempt_base) == (Status.QUEUED, 0)  # the same round: its schedule goes on
    assert row.due_at <= timezone.now()
    row = OutboxMessage.objects.get(pk=failed.pk)
    assert (row.status, row.attempt_base) == (Status.QUEUED, 1)  # a new round
    assert OutboxMessage.objects.get(pk=sent.pk).status == Status.SENT
    assert sorted(pk for ids in enqueued for pk in ids) == sorted([waiting.pk, failed.pk])
    assert f"#{sent.pk}:" in response.content.decode()  # the refused one is named
