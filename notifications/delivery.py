"""The worker side of the outbox: claim a row, send it over SMTP, record the attempt; fan out; sweep.

Exactly-once over SMTP is impossible in general (a crash after the server's 250 and before our commit sends
again), so the rules here keep that window small and make every other path send at most once:

- a send starts with a conditional UPDATE `queued → sending` that must touch exactly one row (the claim); a
  second task for the same row, a redelivered one or a scheduled retry finds it claimed and returns;
- `sent` is committed right after the server's 250, before QUIT;
- a transient error puts the row back to `queued` (conditionally on our claim) with `due_at` after the retry's
  latest ETA, so the sweeper and the retry agree on who sends next; the retry's claim is conditional too;
- the sweeper returns a `sending` row to `queued` only after the send task's hard time limit has passed,
  when the pool has certainly killed its sender; past `MAIL_MAX_ATTEMPTS` claims it marks it `failed`.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome

# Seconds between the pool's hard kill and our reclaim: the pool checks its timers about once a second.
RECLAIM_GRACE_SECONDS = 5

# What the send task retries (smtplib's errors are OSErrors too; `is_transient` tells 4xx from 5xx first,
# and only transient errors leave `message_deliver`).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPResponseException,
    smtplib.SMTPRecipientsRefused,
    TimeoutError,
    ConnectionError,
    OSError,
    SoftTimeLimitExceeded,
)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: the server or the network said "later". 5xx replies are permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return any(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False  # e.g. SMTPNotSupportedError: the server cannot do what we ask
    return isinstance(exc, OSError | SoftTimeLimitExceeded)


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:2000]


@dataclass
class Claim:
    message: OutboxMessage
    attempt: DeliveryAttempt


def message_claim(*, message_id: int, task_id: str = "") -> Claim | None:
    """Take the row for sending, or None when it is not ours to send (gone, claimed, sent, cancelled, capped)."""
    now = timezone.now()
    cap = settings.HRPORTAL["MAIL_MAX_ATTEMPTS"]
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status=Status.QUEUED, attempts__lt=F("attempt_base") + cap
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
        if claimed != 1:
            capped = OutboxMessage.objects.filter(
                pk=message_id, status=Status.QUEUED, attempts__gte=F("attempt_base") + cap
            ).update(status=Status.FAILED, last_error="attempt cap reached", updated_at=now)
            if capped:
                logger.error(
                    "outbox message %s: attempt cap reached, marked failed",
                    message_id,
                    extra={"outbox_message_id": message_id},
                )
            return None
        message = OutboxMessage.objects.select_related("content").get(pk=message_id)
        attempt = DeliveryAttempt.objects.create(
            message=message, number=message.attempts, started_at=now, task_id=task_id or ""
        )
    logger.info(
        "outbox message %s: attempt %s started",
        message_id,
        attempt.number,
        extra={"outbox_message_id": message_id, "attempt": attempt.number},
    )
    return Claim(message=message, attempt=attempt)


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "hrportal.localdomain"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient_email],
        headers={
            # The same Message-ID on every attempt: a receiving system that dedupes by it hides a repeat.
            "Message-ID": f"<outbox-{message.pk}@{domain}>",
            "X-HRPortal-Outbox-Id": str(message.pk),
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies to a robot
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for name in message.attachments:
        with default_storage.open(name, "rb") as fh:
            content = fh.read()
        email.attach(posixpath.basename(name), content, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return email


def _retry_due(retries: int) -> timedelta:
    """The latest moment Celery's retry can come (backoff with full jitter never exceeds its bound)."""
    tuning = settings.HRPORTAL
    bound = min(tuning["MAIL_RETRY_BACKOFF_MAX"], tuning["MAIL_RETRY_BACKOFF"] * (2**retries))
    return timedelta(seconds=bound + 1)


def _finish(claim: Claim, *, outcome: str, error: str = "", due_in: timedelta | None = None) -> None:
    """Close the attempt and move the row on, conditionally on our claim still holding."""
    now = timezone.now()
    message, attempt = claim.message, claim.attempt
    with transaction.atomic():
        ours = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=attempt.number)
        if outcome == Outcome.SENT:
            updated = ours.update(status=Status.SENT, sent_at=now, updated_at=now, last_error="")
        elif outcome == Outcome.RETRY:
            updated = ours.update(
                status=Status.QUEUED, due_at=now + (due_in or timedelta()), updated_at=now, last_error=error
            )
        else:
            updated = ours.update(status=Status.FAILED, updated_at=now, last_error=error)
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=now, outcome=outcome, error=error)
    if updated != 1:
        logger.error(
            "outbox message %s: attempt %s ended (%s) after its claim was taken back",
            message.pk,
            attempt.number,
            outcome,
            extra={"outbox_message_id": message.pk, "attempt": attempt.number},
        )


def _commit_sent(claim: Claim) -> None:
    """Record `sent` now. A database blip here would mean a second send later, so try a few times."""
    for pause in (0.5, 1.0, 2.0, None):
        try:
            _finish(claim, outcome=Outcome.SENT)
            return
        except DatabaseError:
            if pause is None:
                raise
            logger.warning("outbox message %s: sent, but recording it failed; retrying", claim.message.pk)
            close_old_connections()
            time.sleep(pause)


def _close_quietly(backend: object) -> None:
    try:
        backend.close()  # type: ignore[attr-defined]
    except Exception:  # QUIT after the 250: the message is delivered whatever happens here
        logger.debug("closing the mail connection failed", exc_info=True)


def message_deliver(*, message_id: int, task_id: str = "", retries: int = 0, last_retry: bool = False) -> str:
    """Send one outbox message; the body of `notifications.send_message`.

    Returns "sent", "failed" or "skipped" (not ours to send). Re-raises a transient error after putting the
    row back to `queued`, for the task's `autoretry_for`; on the last retry marks the row `failed` instead.
    """
    claim = message_claim(message_id=message_id, task_id=task_id)
    if claim is None:
        logger.info("outbox message %s: not queued, nothing to do", message_id)
        return "skipped"
    message, attempt = claim.message, claim.attempt
    log_extra = {"outbox_message_id": message.pk, "attempt": attempt.number}
    try:
        email = build_email(message)
    except Exception as exc:  # a missing attachment will not appear by retrying
        _finish(claim, outcome=Outcome.FAILED, error=_describe(exc))
        logger.exception("outbox message %s: attempt %s failed to build", message.pk, attempt.number, extra=log_extra)
        return "failed"

    backend = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    try:
        backend.open()
        if backend.send_messages([email]) != 1:
            raise smtplib.SMTPRecipientsRefused({message.recipient_email: (550, b"not accepted by the backend")})
    except Exception as exc:
        _close_quietly(backend)
        error = _describe(exc)
        exhausted = last_retry or message.round_attempts > settings.HRPORTAL["MAIL_MAX_RETRIES"]
        if is_transient(exc) and not exhausted:
            _finish(claim, outcome=Outcome.RETRY, error=error, due_in=_retry_due(retries))
            logger.warning(
                "outbox message %s: attempt %s: %s; will retry", message.pk, attempt.number, error, extra=log_extra
            )
            raise
        _finish(claim, outcome=Outcome.FAILED, error=error)
        logger.error(
            "outbox message %s: attempt %s: %s; %s",
            message.pk,
            attempt.number,
            error,
            "retries exhausted" if is_transient(exc) else "permanent error",
            extra=log_extra,
        )
        return "failed"
    _commit_sent(claim)
    _close_quietly(backend)
    logger.info("outbox message %s: attempt %s sent", message.pk, attempt.number, extra=log_extra)
    return "sent"


def _publish_sends(message_ids: list[int]) -> int:
    """One send task per id, over one pooled producer. Stops at the first publish error (the sweeper retries)."""
    from notifications.tasks import send_message

    published = 0
    try:
        with send_message.app.producer_or_acquire() as producer:
            for pk in message_ids:
                send_message.apply_async((pk,), producer=producer)
                published += 1
    except Exception:
        logger.exception(
            "outbox: published %s of %s send tasks; the sweeper will do the rest", published, len(message_ids)
        )
    return published


def outbox_dispatch(*, message_ids: list[int]) -> int:
    """Fan out the still-queued messages of one event."""
    queued = list(
        OutboxMessage.objects.filter(pk__in=message_ids, status=Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _publish_sends(queued)


def stuck_after_seconds() -> float:
    """A `sending` row claimed longer ago than this has no live sender: the pool has killed its task."""
    return float(settings.HRPORTAL["MAIL_SEND_TIME_LIMIT"] + RECLAIM_GRACE_SECONDS)


def outbox_sweep(*, queued_older_than: float | None = None, limit: int = 1000) -> dict[str, int]:
    """Reclaim rows whose sender died and re-enqueue queued rows whose task was lost.

    `queued_older_than` (seconds, default HRPORTAL["OUTBOX_SWEEP_AGE"]) is how overdue a queued row must
    be: its task may simply still be waiting in the broker before that. The `sending` threshold is not a
    parameter: it must stay above the send task's hard time limit (see `stuck_after_seconds`).
    """
    now = timezone.now()
    tuning = settings.HRPORTAL
    age = timedelta(seconds=tuning["OUTBOX_SWEEP_AGE"] if queued_older_than is None else queued_older_than)
    stuck_before = now - timedelta(seconds=stuck_after_seconds())
    cap = tuning["MAIL_MAX_ATTEMPTS"]

    with transaction.atomic():
        stuck = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=stuck_before)
            .order_by("claimed_at")
            .values_list("pk", "attempts", "attempt_base")[:limit]
        )
        requeue = [pk for pk, attempts, base in stuck if attempts - base < cap]
        give_up = [pk for pk, attempts, base in stuck if attempts - base >= cap]
        lost = "worker lost: no result within the send task's time limit"
        if requeue:
            OutboxMessage.objects.filter(pk__in=requeue, status=Status.SENDING).update(
                status=Status.QUEUED, due_at=now, updated_at=now, last_error=lost
            )
            DeliveryAttempt.objects.filter(message_id__in=requeue, finished_at__isnull=True).update(
                finished_at=now, outcome=Outcome.RETRY, error=lost
            )
        if give_up:
            OutboxMessage.objects.filter(pk__in=give_up, status=Status.SENDING).update(
                status=Status.FAILED, updated_at=now, last_error=f"{lost}; attempt cap reached"
            )
            DeliveryAttempt.objects.filter(message_id__in=give_up, finished_at__isnull=True).update(
                finished_at=now, outcome=Outcome.FAILED, error=f"{lost}; attempt cap reached"
            )

    with transaction.atomic():
        overdue = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED, due_at__lt=now - age)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        # Re-enqueued now: not again before another `age` passes, even if the queue is long.
        OutboxMessage.objects.filter(pk__in=overdue, status=Status.QUEUED).update(due_at=now, updated_at=now)

    to_send = sorted(set(requeue) | set(overdue))
    for pk in requeue:
        logger.warning("outbox message %s: reclaimed from a dead sender", pk, extra={"outbox_message_id": pk})
    for pk in give_up:
        logger.error("outbox message %s: attempt cap reached, marked failed", pk, extra={"outbox_message_id": pk})
    published = _publish_sends(to_send) if to_send else 0
    result = {"reclaimed": len(requeue), "failed": len(give_up), "requeued": len(overdue), "published": published}
    if stuck or overdue:
        logger.info("outbox sweep: %s", result)
    return result
