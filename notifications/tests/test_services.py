"""Send again and cancel: the state changes an operator may make, and the ones refused."""

from __future__ import annotations

from typing import Any

import pytest

from hrportal.errors import Conflict
from notifications import delivery
from notifications.models import OutboxMessage
from notifications.services import message_cancel, message_resend, notify
from notifications.tests.factories import make_person

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    from notifications.tasks import dispatch

    calls: list[list[int]] = []
    monkeypatch.setattr(dispatch, "apply_async", lambda args=None, **kw: calls.append(list(args[0])))
    return calls


def queue_one(status: str = Status.QUEUED, attempts: int = 0) -> OutboxMessage:
    person = make_person()
    [message] = notify(event="request_approved", obj=person, recipients=[person])
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, attempts=attempts)
    return OutboxMessage.objects.get(pk=message.pk)


@pytest.mark.parametrize("status", [Status.FAILED, Status.CANCELLED])
def test_send_again_queues_with_a_fresh_budget_and_enqueues_after_commit(
    status: str, django_capture_on_commit_callbacks: Any, dispatched: list[list[int]]
) -> None:
    message = queue_one(status, attempts=6)
    actor = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        row = message_resend(message=message, actor=actor.user)
    assert row.status == Status.QUEUED
    assert (row.attempts, row.attempt_base, row.round_attempts) == (6, 6, 0)
    assert dispatched == [[message.pk]]
    assert delivery.message_claim(message_id=message.pk) is not None


def test_send_again_on_a_queued_message_changes_nothing(
    django_capture_on_commit_callbacks: Any, dispatched: list[list[int]]
) -> None:
    message = queue_one()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert message_resend(message=message, actor=None).status == Status.QUEUED
    assert callbacks == []


@pytest.mark.parametrize("status", [Status.SENT, Status.SENDING])
def test_send_again_is_refused_for_sent_or_sending(status: str) -> None:
    message = queue_one(status)
    with pytest.raises(Conflict):
        message_resend(message=message, actor=None)
    assert OutboxMessage.objects.get(pk=message.pk).status == status


@pytest.mark.parametrize("status", [Status.QUEUED, Status.FAILED])
def test_cancel_stops_a_message_that_is_not_sent(status: str) -> None:
    message = queue_one(status)
    assert message_cancel(message=message, actor=None).status == Status.CANCELLED
    assert delivery.message_claim(message_id=message.pk) is None
    assert message_cancel(message=message, actor=None).status == Status.CANCELLED  # twice: no change


@pytest.mark.parametrize("status", [Status.SENT, Status.SENDING])
def test_cancel_is_refused_once_sending_began(status: str) -> None:
    message = queue_one(status)
    with pytest.raises(Conflict):
        message_cancel(message=message, actor=None)
