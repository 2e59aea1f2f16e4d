"""The sweeper: overdue queued rows go out again; rows whose sender died come back, or fail past the cap;
rows failed for a transient cause are resumed, permanent refusals are not."""

from __future__ import annotations

import datetime as dt
import importlib
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
    assert result == {"reclaimed": 0, "failed": 0, "resumed": 0, "requeued": 1, "published": 1}
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
    OutboxMessage.objects.filter(pk=message.pk).update(lost_attempts=delivery.max_lost_attempts() - 2)
    claim_at(message, delivery.stuck_after_seconds() + 1)
    assert delivery.outbox_sweep()["reclaimed"] == 1  # one more loss is still below the cap
    assert OutboxMessage.objects.get(pk=message.pk).lost_attempts == delivery.max_lost_attempts() - 1
    claim_at(message, delivery.stuck_after_seconds() + 1)
    result = delivery.outbox_sweep()
    assert result["failed"] == 1
    assert published == [message.pk]
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert row.last_error_kind == "permanent"
    assert "attempt cap" in row.last_error


def test_transient_retries_do_not_count_towards_the_cap(published: list[int]) -> None:
    # A day of outage is ~50 tries: only claims lost to a dead worker count against MAIL_MAX_ATTEMPTS.
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=5 * delivery.max_lost_attempts())
    assert delivery.message_claim(message_id=message.pk) is not None


def test_a_reclaimed_row_is_sent_by_the_next_claim(published: list[int], mailoutbox: list[Any]) -> None:
    message = queue_one()
    claim_at(message, delivery.stuck_after_seconds() + 1)
    delivery.outbox_sweep()
    assert published == [message.pk]
    assert delivery.message_deliver(message_id=message.pk) == "sent"
    attempts = DeliveryAttempt.objects.filter(message=message).order_by("number")
    assert [(a.number, a.outcome) for a in attempts] == [(1, "retry"), (2, "sent")]
    assert len(mailoutbox) == 1


def fail(message: OutboxMessage, kind: str, error: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=6, last_error=error, last_error_kind=kind, due_at=ago(3600)
    )


def test_rows_failed_for_a_transient_cause_are_resumed_and_permanent_ones_are_not(published: list[int]) -> None:
    # Issue 23: before the schedule, five messages ended failed after six ConnectionRefusedErrors.
    outage, refused = queue_one(), queue_one()
    fail(outage, "transient", "ConnectionRefusedError: [Errno 111] Connection refused")
    fail(refused, "permanent", "SMTPRecipientsRefused: 550 5.1.1 no such user <a@example.test>")
    result = delivery.outbox_sweep()
    assert (result["resumed"], result["published"]) == (1, 1)
    assert published == [outage.pk]
    row = OutboxMessage.objects.get(pk=outage.pk)
    assert row.status == Status.QUEUED
    assert (row.attempts, row.attempt_base) == (6, 6)  # a new round: the schedule starts again at a minute
    assert OutboxMessage.objects.get(pk=refused.pk).status == Status.FAILED
    delivery.outbox_sweep()
    assert published == [outage.pk]  # resumed once; from now on it is an ordinary queued row


def test_a_resumed_row_is_sent_once(published: list[int], mailoutbox: list[Any]) -> None:
    message = queue_one()
    fail(message, "transient", "ConnectionRefusedError: [Errno 111] Connection refused")
    delivery.outbox_sweep()
    assert delivery.message_deliver(message_id=message.pk) == "sent"
    assert delivery.message_deliver(message_id=message.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_a_row_waiting_on_the_schedule_is_swept_once_due(published: list[int]) -> None:
    message = queue_one()
    # Put back by a transient error half an hour ago, due now after its 30-minute wait: its try is the
    # sweeper's to start (no Celery countdown that long), one sweep period after it is due.
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=7, last_error_kind="transient", due_at=ago(61), created_at=ago(3 * 3600)
    )
    delivery.outbox_sweep()
    assert published == [message.pk]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("ConnectionRefusedError: [Errno 111] Connection refused", "transient"),
        ("TimeoutError: timed out", "transient"),
        ("SMTPServerDisconnected: Connection unexpectedly closed", "transient"),
        ("SMTPDataError: (451, b'4.3.0 try later')", "transient"),
        ("SMTPRecipientsRefused: {'a@example.test': (450, b'4.2.1 busy')}", "transient"),
        ("SMTPRecipientsRefused: {'a@example.test': (550, b'5.1.1 no such user')}", "permanent"),
        ("SMTPDataError: (554, b'5.7.1 rejected')", "permanent"),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'reports/gone.xlsx'", "permanent"),
        ("attempt cap reached", "permanent"),
        ("worker lost: no result within the send task's time limit; attempt cap reached", "permanent"),
    ],
)
def test_the_migration_classifies_the_old_failures_by_their_text(error: str, kind: str) -> None:
    migration = importlib.import_module("notifications.migrations.0002_retry_schedule")
    assert migration._kind(error) == kind


def test_publishing_uses_one_producer_and_reports_progress() -> None:
    from tests.harness.broker import celery_broker

    with celery_broker("memory://"):
        assert delivery._publish_sends([1, 2, 3]) == 3
        assert delivery.outbox_dispatch(message_ids=[10**9]) == 0  # gone rows are not published


def test_a_publish_error_stops_and_leaves_the_rest_to_the_next_sweep(caplog: pytest.LogCaptureFixture) -> None:
    from tests.harness.broker import celery_broker
    from tests.harness.util import free_port

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        assert delivery._publish_sends([1, 2]) == 0
    assert "published 0 of 2 send tasks" in caplog.text
