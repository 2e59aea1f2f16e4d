"""The sweeper: overdue queued rows go out again; rows whose sender died come back, or fail past the cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from notifications import delivery
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services import notify
from notifications.tests.factories import make_person

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []

    def fake_publish(message_ids: list[int]) -> int:
        sent.extend(message_ids)
        return len(message_ids)

    monkeypatch.setattr(delivery, "_publish_sends", fake_publish)
    return sent


def queue_one() -> OutboxMessage:
    person = make_person()
    [message] = notify(event="request_approved", obj=person, recipients=[person])
    return message


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_overdue_queued_rows_are_enqueued_again(published: list[int]) -> None:
    overdue, fresh = queue_one(), queue_one()
    OutboxMessage.objects.filter(pk=overdue.pk).update(due_at=ago(61))
    result = delivery.outbox_sweep()
    assert published == [overdue.pk]
    assert result == {"reclaimed": 0, "failed": 0, "requeued": 1, "published": 1}
    assert fresh.pk not in published


def test_a_requeued_row_waits_another_period_before_the_next_sweep(published: list[int]) -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=ago(61))
    delivery.outbox_sweep()
    delivery.outbox_sweep()
    assert published == [message.pk]


def test_a_scheduled_retry_is_left_to_celery(published: list[int]) -> None:
    message = queue_one()
    # Put back by a transient error: due when the retry's countdown ends, in the future.
    OutboxMessage.objects.filter(pk=message.pk).update(
        due_at=timezone.now() + dt.timedelta(seconds=300), attempts=1, created_at=ago(3600)
    )
    delivery.outbox_sweep(queued_older_than=0)
    assert published == []


def test_the_age_threshold_can_be_shortened(published: list[int]) -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(due_at=ago(2))
    delivery.outbox_sweep()
    assert published == []
    delivery.outbox_sweep(queued_older_than=1)
    assert published == [message.pk]


def test_only_queued_rows_are_swept(published: list[int]) -> None:
    for status in (Status.SENT, Status.FAILED, Status.CANCELLED):
        message = queue_one()
        OutboxMessage.objects.filter(pk=message.pk).update(status=status, due_at=ago(3600))
    delivery.outbox_sweep()
    assert published == []


def claim_at(message: OutboxMessage, seconds_ago: float) -> None:
    assert delivery.message_claim(message_id=message.pk) is not None
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=ago(seconds_ago))


def test_a_row_stuck_in_sending_past_the_hard_limit_is_reclaimed(published: list[int]) -> None:
    stuck, alive = queue_one(), queue_one()
    claim_at(stuck, delivery.stuck_after_seconds() + 1)
    claim_at(alive, settings.HRPORTAL["MAIL_SEND_TIME_LIMIT"] - 1)  # its sender may still be running: hands off
    result = delivery.outbox_sweep()
    assert published == [stuck.pk]
    assert result["reclaimed"] == 1
    assert OutboxMessage.objects.get(pk=stuck.pk).status == Status.QUEUED
    assert OutboxMessage.objects.get(pk=alive.pk).status == Status.SENDING
    attempt = DeliveryAttempt.objects.get(message=stuck)
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert "worker lost" in attempt.error
    assert attempt.finished_at is not None


def test_a_row_that_keeps_killing_its_worker_fails_at_the_cap(published: list[int]) -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.HRPORTAL["MAIL_MAX_ATTEMPTS"] - 1)
    claim_at(message, delivery.stuck_after_seconds() + 1)
    result = delivery.outbox_sweep()
    assert result["failed"] == 1
    assert published == []
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert "attempt cap" in row.last_error


def test_a_reclaimed_row_is_sent_by_the_next_claim(published: list[int], mailoutbox: list[Any]) -> None:
    message = queue_one()
    claim_at(message, delivery.stuck_after_seconds() + 1)
    delivery.outbox_sweep()
    assert published == [message.pk]
    assert delivery.message_deliver(message_id=message.pk) == "sent"
    attempts = DeliveryAttempt.objects.filter(message=message).order_by("number")
    assert [(a.number, a.outcome) for a in attempts] == [(1, "retry"), (2, "sent")]
    assert len(mailoutbox) == 1


def test_publishing_uses_one_producer_and_reports_progress() -> None:
    from tests.harness import celery_broker

    with celery_broker("memory://"):
        assert delivery._publish_sends([1, 2, 3]) == 3
        assert delivery.outbox_dispatch(message_ids=[10**9]) == 0  # gone rows are not published


def test_a_publish_error_stops_and_leaves_the_rest_to_the_next_sweep(caplog: pytest.LogCaptureFixture) -> None:
    from tests.harness import celery_broker, free_port

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        assert delivery._publish_sends([1, 2]) == 0
    assert "published 0 of 2 send tasks" in caplog.text
