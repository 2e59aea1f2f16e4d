"""The send path without a worker: claim, send, retry or fail, the attempt log, the task's retry policy."""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from notifications import delivery
from notifications.models import DeliveryAttempt, OutboxContent, OutboxMessage
from notifications.services import notify
from notifications.tests.backends import ScriptedBackend
from notifications.tests.factories import fake_request, make_person
from tests.harness.util import run_together

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
SCRIPTED = "notifications.tests.backends.ScriptedBackend"


@pytest.fixture
def scripted(settings: Any) -> type[ScriptedBackend]:
    settings.EMAIL_BACKEND = SCRIPTED
    ScriptedBackend.reset()
    return ScriptedBackend


def queue_one(language: str = "ru", event: str = "request_approved") -> OutboxMessage:
    person = make_person(language=language)
    [message] = notify(event=event, obj=person, recipients=[person], context={"request": fake_request(person)})
    return message


def outcomes(message: OutboxMessage) -> list[str]:
    return list(DeliveryAttempt.objects.filter(message=message).order_by("number").values_list("outcome", flat=True))


def test_a_message_is_sent_once_with_its_parts_and_headers(mailoutbox: list[Any], settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "HR <hr@corp.example>"
    message = queue_one()
    assert delivery.message_deliver(message_id=message.pk, task_id="t-1") == "sent"
    assert delivery.message_deliver(message_id=message.pk, task_id="t-2") == "skipped"

    [email] = mailoutbox
    assert email.to == [message.recipient_email]
    assert email.subject == message.subject
    assert email.body == message.body_text
    assert email.alternatives[0][1] == "text/html"
    assert email.extra_headers["Message-ID"] == f"<outbox-{message.pk}@corp.example>"
    assert email.extra_headers["X-HRPortal-Outbox-Id"] == str(message.pk)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    [attempt] = row.delivery_attempts.all()
    assert (attempt.number, attempt.outcome, attempt.task_id) == (1, "sent", "t-1")
    assert attempt.finished_at is not None


def test_the_backend_gets_the_email_timeout(scripted: type[ScriptedBackend], settings: Any) -> None:
    settings.EMAIL_TIMEOUT = 7
    message = queue_one()
    delivery.message_deliver(message_id=message.pk)
    assert scripted.timeouts == [7]
    assert scripted.closed == 1


def test_a_claim_is_taken_once() -> None:
    message = queue_one()
    first = delivery.message_claim(message_id=message.pk)
    assert first is not None
    assert first.message.status == Status.SENDING
    assert delivery.message_claim(message_id=message.pk) is None
    assert delivery.message_claim(message_id=10**9) is None  # gone: nothing to do


def test_cancelled_and_sent_messages_are_not_claimed() -> None:
    cancelled, sent = queue_one(), queue_one()
    OutboxMessage.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    assert delivery.message_claim(message_id=cancelled.pk) is None
    assert delivery.message_claim(message_id=sent.pk) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
def test_concurrent_claims_let_exactly_one_through() -> None:
    with transaction.atomic():
        message = queue_one()
    threads = 8
    results = run_together([lambda: delivery.message_claim(message_id=message.pk) is not None] * threads, timeout=30)
    assert sorted(results) == [False] * (threads - 1) + [True]
    assert DeliveryAttempt.objects.filter(message_id=message.pk).count() == 1


def test_a_transient_error_puts_the_row_back_on_the_schedule(scripted: type[ScriptedBackend]) -> None:
    scripted.reset([smtplib.SMTPDataError(451, b"4.3.0 try later")])
    message = queue_one()
    before = timezone.now()
    with pytest.raises(delivery.RetryLater) as raised:
        delivery.message_deliver(message_id=message.pk)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.QUEUED
    assert row.last_error == "SMTPDataError: 451 4.3.0 try later"
    assert row.last_error_kind == "transient"
    # The first retry: a minute (settings.py's floor), at most 10 % later; the task's countdown says the same.
    assert before + dt.timedelta(seconds=60) <= row.due_at <= timezone.now() + dt.timedelta(seconds=66)
    assert 60 <= raised.value.delay <= 66
    assert raised.value.countdown == raised.value.delay
    assert outcomes(message) == ["retry"]
    assert scripted.closed == 1


def test_no_claim_comes_before_the_floor(scripted: type[ScriptedBackend]) -> None:
    # Issue 23: one message burnt five attempts in 52 s. Whoever asks (a duplicate task, an early retry, the
    # sweeper), a row is not claimed before its next try is due.
    scripted.reset([ConnectionRefusedError(111, "Connection refused")] * 10)
    message = queue_one()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _second in range(52):
            with contextlib.suppress(delivery.RetryLater):
                delivery.message_deliver(message_id=message.pk)
            clock.shift(1)
    assert outcomes(message) == ["retry"]
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


def test_retries_back_off_from_a_minute_to_half_an_hour(scripted: type[ScriptedBackend]) -> None:
    scripted.reset([ConnectionRefusedError(111, "Connection refused")] * 8)
    message = queue_one()
    waits, countdowns = [], []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(8):
            with pytest.raises(delivery.RetryLater) as raised:
                delivery.message_deliver(message_id=message.pk)
            waits.append(raised.value.delay)
            countdowns.append(raised.value.countdown)
            clock.move_to(OutboxMessage.objects.get(pk=message.pk).due_at)
    floors = [60, 120, 240, 480, 960, 1800, 1800, 1800]
    assert all(floor <= wait <= floor * 1.1 for floor, wait in zip(floors, waits, strict=True)), waits
    # Longer than a broker may hold a countdown: the sweeper starts those tries (the row is due then).
    assert countdowns[:4] == waits[:4]
    assert countdowns[5:] == [None] * 3


def test_a_day_long_outage_never_fails_the_row(scripted: type[ScriptedBackend], caplog: Any) -> None:
    scripted.reset([ConnectionRefusedError(111, "Connection refused")] * 200)
    message = queue_one()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(60):  # more than a day at the schedule's pace (~52 tries in 24 h)
            with pytest.raises(delivery.RetryLater):
                delivery.message_deliver(message_id=message.pk)
            clock.move_to(OutboxMessage.objects.get(pk=message.pk).due_at)
        row = OutboxMessage.objects.get(pk=message.pk)
        assert timezone.now() - row.created_at > dt.timedelta(hours=24)
        assert (row.status, row.last_error_kind) == (Status.QUEUED, "transient")
        assert "undelivered for 2" in caplog.text  # past the horizon: logged at ERROR, still retried
        scripted.reset()  # the server is back
        assert delivery.message_deliver(message_id=message.pk) == "sent"
    assert outcomes(message) == ["retry"] * 60 + ["sent"]
    assert OutboxMessage.objects.get(pk=message.pk).last_error_kind == ""


def test_a_permanent_refusal_fails_at_once_with_the_reason(scripted: type[ScriptedBackend]) -> None:
    message = queue_one()
    scripted.reset([smtplib.SMTPRecipientsRefused({message.recipient_email: (550, b"5.1.1 no such user")})])
    assert delivery.message_deliver(message_id=message.pk) == "failed"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert row.last_error_kind == "permanent"
    assert row.last_error == f"SMTPRecipientsRefused: 550 5.1.1 no such user <{message.recipient_email}>"
    assert outcomes(message) == ["failed"]


def test_an_invalid_address_fails_at_once(settings: Any) -> None:
    # Django's SMTP backend refuses to write it on the envelope, before any connection.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # never reached
    person = make_person(email="ivanov@@corp.example")
    [message] = notify(event="request_approved", obj=person, recipients=[person], context={"request": fake_request()})
    with mock.patch("smtplib.SMTP") as smtp:
        assert delivery.message_deliver(message_id=message.pk) == "failed"
    smtp.return_value.sendmail.assert_not_called()
    row = OutboxMessage.objects.get(pk=message.pk)
    assert (row.status, row.last_error_kind) == (Status.FAILED, "permanent")
    assert "Invalid address" in row.last_error or "ValueError" in row.last_error, row.last_error


def test_the_attempt_cap_stops_a_message_that_keeps_killing_its_worker() -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(lost_attempts=delivery.max_lost_attempts())
    assert delivery.message_claim(message_id=message.pk) is None
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert (row.last_error, row.last_error_kind) == ("attempt cap reached", "permanent")


def test_a_missing_attachment_fails_without_sending(scripted: type[ScriptedBackend]) -> None:
    message = queue_one()
    OutboxContent.objects.filter(pk=message.content_id).update(attachments=["reports/gone.xlsx"])
    assert delivery.message_deliver(message_id=message.pk) == "failed"
    assert scripted.sent == []
    assert "FileNotFoundError" in OutboxMessage.objects.get(pk=message.pk).last_error


def test_attachments_travel_with_the_mail(mailoutbox: list[Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("reports/leave.xlsx", ContentFile(b"PK\x03\x04 fake xlsx"))
    person = make_person()
    [message] = notify(event="report_ready", obj=person, recipients=[person], attachments=[name])
    assert delivery.message_deliver(message_id=message.pk) == "sent"
    [(filename, content, mimetype)] = mailoutbox[0].attachments
    assert filename == "leave.xlsx"
    assert content == b"PK\x03\x04 fake xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_sent_is_recorded_even_if_quit_fails(settings: Any) -> None:
    settings.EMAIL_BACKEND = "notifications.tests.backends.QuitFailsBackend"
    ScriptedBackend.reset()
    message = queue_one()
    assert delivery.message_deliver(message_id=message.pk) == "sent"
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT
    assert len(ScriptedBackend.sent) == 1


@pytest.fixture
def no_wait(settings: Any) -> None:
    """Eager Celery runs a retry in place, at once: a schedule without a floor lets the claim take it."""
    settings.HRPORTAL = {**settings.HRPORTAL, "MAIL_RETRY_BACKOFF": 0}


def test_the_send_task_retries_transient_errors_then_sends(scripted: type[ScriptedBackend], no_wait: None) -> None:
    from notifications.tasks import send_message

    scripted.reset([smtplib.SMTPDataError(451, b"try later"), TimeoutError("timed out")])
    message = queue_one()
    send_message.apply(args=[message.pk])  # eager: Celery runs the retries in place, without the countdown
    assert outcomes(message) == ["retry", "retry", "sent"]
    assert len(scripted.sent) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


def test_the_send_task_never_gives_up_on_a_transient_error(scripted: type[ScriptedBackend], no_wait: None) -> None:
    from notifications.tasks import send_message

    scripted.reset([ConnectionRefusedError(111, "Connection refused")] * 30)
    message = queue_one()
    send_message.apply(args=[message.pk])
    assert outcomes(message) == ["retry"] * 30 + ["sent"]
    assert len(scripted.sent) == 1


def test_the_send_task_leaves_a_long_wait_to_the_sweeper(scripted: type[ScriptedBackend], settings: Any) -> None:
    from notifications.tasks import send_message

    settings.HRPORTAL = {**settings.HRPORTAL, "MAIL_RETRY_BACKOFF": 601, "MAIL_RETRY_COUNTDOWN_MAX": 600}
    scripted.reset([ConnectionRefusedError(111, "Connection refused")])
    message = queue_one()
    assert send_message.apply(args=[message.pk]).get() == "retry"  # no Celery retry: nothing held for 10+ min
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.QUEUED
    assert row.due_at > timezone.now() + dt.timedelta(seconds=600)


def test_the_send_task_declares_its_reliability_options() -> None:
    from notifications.tasks import dispatch, send_message, sweep_outbox

    for task in (send_message, dispatch, sweep_outbox):
        assert task.app.amqp.router.route({}, task.name)["queue"].name == "mail"
    assert send_message.acks_late is True
    assert send_message.reject_on_worker_lost is True
    assert send_message.ignore_result is True
    assert send_message.max_retries is None  # the row's schedule decides, not a count
    assert not getattr(send_message, "autoretry_for", ())
    assert send_message.soft_time_limit < send_message.time_limit
    assert delivery.stuck_after_seconds() > send_message.time_limit
    for task in (dispatch, sweep_outbox):
        assert task.ignore_result is True
        assert task.soft_time_limit < task.time_limit
