"""The send path without a worker: claim, send, retry or fail, the attempt log, the task's retry policy."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from notifications import delivery
from notifications.models import DeliveryAttempt, OutboxContent, OutboxMessage
from notifications.services import notify
from notifications.tests.backends import ScriptedBackend
from notifications.tests.factories import fake_request, make_person
from tests.harness import run_together

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


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), True),
        (smtplib.SMTPDataError(554, b"5.7.1 rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.test": (450, b"mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"no such user")}), False),
        (smtplib.SMTPSenderRefused(421, b"later", "hr@example.test"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(554, b"no service"), True),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (TimeoutError("timed out"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (OSError("network unreachable"), True),
        (SoftTimeLimitExceeded(), True),
        (ValueError("bug"), False),
    ],
)
def test_errors_are_classified(error: BaseException, transient: bool) -> None:
    assert delivery.is_transient(error) is transient


def test_a_transient_error_puts_the_row_back_and_raises(scripted: type[ScriptedBackend]) -> None:
    scripted.reset([smtplib.SMTPDataError(451, b"4.3.0 try later")])
    message = queue_one()
    before = timezone.now()
    with pytest.raises(smtplib.SMTPDataError):
        delivery.message_deliver(message_id=message.pk, retries=2)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.QUEUED
    assert "451" in row.last_error
    # The sweeper leaves it alone until the retry's latest ETA has passed.
    bound = min(settings.HRPORTAL["MAIL_RETRY_BACKOFF_MAX"], settings.HRPORTAL["MAIL_RETRY_BACKOFF"] * 4)
    assert row.due_at >= before + dt.timedelta(seconds=bound)
    assert outcomes(message) == ["retry"]
    assert scripted.closed == 1


def test_a_permanent_error_fails_at_once(scripted: type[ScriptedBackend]) -> None:
    message = queue_one()
    scripted.reset([smtplib.SMTPRecipientsRefused({message.recipient_email: (550, b"5.1.1 no such user")})])
    assert delivery.message_deliver(message_id=message.pk) == "failed"
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert "550" in row.last_error
    assert outcomes(message) == ["failed"]


def test_the_last_retry_fails_instead_of_raising(scripted: type[ScriptedBackend]) -> None:
    scripted.reset([smtplib.SMTPServerDisconnected("gone")])
    message = queue_one()
    assert delivery.message_deliver(message_id=message.pk, last_retry=True) == "failed"
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.FAILED


def test_the_rows_own_budget_ends_retries_whoever_enqueued_the_task(scripted: type[ScriptedBackend]) -> None:
    # A task from the sweeper starts at retries=0; the row still knows how many tries this round had.
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.HRPORTAL["MAIL_MAX_RETRIES"])
    scripted.reset([TimeoutError("timed out")])
    assert delivery.message_deliver(message_id=message.pk, retries=0) == "failed"


def test_the_attempt_cap_stops_a_message_that_keeps_killing_its_worker() -> None:
    message = queue_one()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=settings.HRPORTAL["MAIL_MAX_ATTEMPTS"])
    assert delivery.message_claim(message_id=message.pk) is None
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status == Status.FAILED
    assert row.last_error == "attempt cap reached"


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


def test_the_send_task_retries_transient_errors_then_sends(scripted: type[ScriptedBackend]) -> None:
    from notifications.tasks import send_message

    scripted.reset([smtplib.SMTPDataError(451, b"try later"), TimeoutError("timed out")])
    message = queue_one()
    send_message.apply(args=[message.pk])  # eager: Celery runs the retries in place, without the countdown
    assert outcomes(message) == ["retry", "retry", "sent"]
    assert len(scripted.sent) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


def test_the_send_task_gives_up_after_max_retries(scripted: type[ScriptedBackend]) -> None:
    from notifications.tasks import send_message

    retries = send_message.max_retries
    scripted.reset([smtplib.SMTPDataError(451, b"try later")] * (retries + 5))
    message = queue_one()
    send_message.apply(args=[message.pk])
    assert outcomes(message) == ["retry"] * retries + ["failed"]
    assert scripted.sent == []
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.FAILED


def test_the_send_task_declares_its_reliability_options() -> None:
    from notifications.tasks import dispatch, send_message, sweep_outbox

    for task in (send_message, dispatch, sweep_outbox):
        assert task.app.amqp.router.route({}, task.name)["queue"].name == "mail"
    assert send_message.acks_late is True
    assert send_message.reject_on_worker_lost is True
    assert send_message.ignore_result is True
    assert send_message.retry_jitter is True
    assert send_message.retry_backoff_max == settings.HRPORTAL["MAIL_RETRY_BACKOFF_MAX"]
    assert send_message.max_retries == settings.HRPORTAL["MAIL_MAX_RETRIES"]
    assert send_message.soft_time_limit < send_message.time_limit
    assert delivery.stuck_after_seconds() > send_message.time_limit
    for task in (dispatch, sweep_outbox):
        assert task.ignore_result is True
        assert task.soft_time_limit < task.time_limit
