"""The worker side of the outbox: claim a row, send it over SMTP, record the attempt; fan out; sweep.

Exactly-once over SMTP is impossible in general (a crash after the server's 250 and before our commit sends
again), so the rules here keep that window small and make every other path send at most once:

- a send starts with a conditional UPDATE `queued → sending` that must touch exactly one row (the claim); a
  second task for the same row, a redelivered one or a scheduled retry finds it claimed and returns;
- `sent` is committed right after the server's 250, before QUIT;
- a transient error (notifications/retry.py) puts the row back to `queued` (conditionally on our claim) with
  `due_at` at the next try of the retry schedule, and a claim never takes a row before its `due_at`: the
  Celery retry, the sweeper and any stray duplicate task all wait for the schedule's floor;
- only a permanent refusal (5xx, an invalid address, a message that cannot be built) marks a row `failed`,
  with the reason; a transient cause never does, however long it lasts (docs/decisions/0008);
- the sweeper returns a `sending` row to `queued` only after the send task's hard time limit has passed,
  when the pool has certainly killed its sender; past `MAIL_MAX_ATTEMPTS` lost claims it marks it `failed`.

One module past 400 lines on purpose: the claim, the send, the retry schedule and the sweeper share the row's state
rules, and reading them apart would hide how they keep a message sent once.
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

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from hrportal.storage import open_private
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.retry import classify, retry_delay

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Outcome = DeliveryAttempt.Outcome
ErrorKind = OutboxMessage.ErrorKind

# A claim may come this much before `due_at`: the hosts' clocks differ by a little (keep them on NTP).
DUE_GRACE_SECONDS = 5
# Seconds between the pool's hard kill and our reclaim: the pool checks its timers about once a second.
RECLAIM_GRACE_SECONDS = 5


@dataclass(frozen=True)
class RetrySchedule:
    base: float
    cap: float
    max_age: float
    # Retries up to this far off ride on a Celery countdown; longer ones are left to the sweeper (it
    # re-enqueues a queued row once due). A countdown is held unacknowledged by a worker until it runs: past
    # Redis's visibility timeout (2 h) it would run twice, past RabbitMQ's consumer_timeout (30 min) the
    # channel is closed.
    countdown_max: float


def retry_schedule() -> RetrySchedule:
    """settings.HRPORTAL's schedule, read at call time (tests and `override_settings` change it)."""
    tuning = settings.HRPORTAL
    return RetrySchedule(
        base=float(tuning["MAIL_RETRY_BACKOFF"]),
        cap=float(tuning["MAIL_RETRY_BACKOFF_MAX"]),
        max_age=float(tuning["MAIL_RETRY_MAX_AGE"]),
        countdown_max=float(tuning["MAIL_RETRY_COUNTDOWN_MAX"]),
    )


def max_lost_attempts() -> int:
    return int(settings.HRPORTAL["MAIL_MAX_ATTEMPTS"])


class RetryLater(Exception):
    """A transient error: the row is back in `queued`, due in `delay` seconds.

    `countdown` is what the send task hands to Celery's retry, or None when the sweeper should bring it back
    (a delay too long for a broker to hold, see `RetrySchedule.countdown_max`).
    """

    def __init__(self, reason: str, *, delay: float, countdown: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.countdown = countdown


@dataclass
class Claim:
    message: OutboxMessage
    attempt: DeliveryAttempt


def message_claim(*, message_id: int, task_id: str = "") -> Claim | None:
    """Take the row for sending, or None when it is not ours to send (gone, claimed, sent, cancelled, capped,
    or not due yet: an early duplicate leaves the row to the retry or the sweeper that is due to send it)."""
    now = timezone.now()
    cap = max_lost_attempts()
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(
            pk=message_id,
            status=Status.QUEUED,
            lost_attempts__lt=cap,
            due_at__lte=now + timedelta(seconds=DUE_GRACE_SECONDS),
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now)
        if claimed != 1:
            capped = OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED, lost_attempts__gte=cap).update(
                status=Status.FAILED,
                last_error="attempt cap reached",
                last_error_kind=ErrorKind.PERMANENT,
                updated_at=now,
            )
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
        with open_private(name) as fh:  # attachments are private files (hrportal.storage)
            content = fh.read()
        email.attach(posixpath.basename(name), content, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return email


def _finish(claim: Claim, *, outcome: str, error: str = "", due_in: timedelta | None = None) -> None:
    """Close the attempt and move the row on, conditionally on our claim still holding."""
    now = timezone.now()
    message, attempt = claim.message, claim.attempt
    with transaction.atomic():
        ours = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=attempt.number)
        if outcome == Outcome.SENT:
            updated = ours.update(status=Status.SENT, sent_at=now, updated_at=now, last_error="", last_error_kind="")
        elif outcome == Outcome.RETRY:
            updated = ours.update(
                status=Status.QUEUED,
                due_at=now + (due_in or timedelta()),
                updated_at=now,
                last_error=error,
                last_error_kind=ErrorKind.TRANSIENT,
            )
        else:
            updated = ours.update(
                status=Status.FAILED, updated_at=now, last_error=error, last_error_kind=ErrorKind.PERMANENT
            )
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


def message_deliver(*, message_id: int, task_id: str = "") -> str:
    """Send one outbox message; the body of `notifications.send_message`.

    Returns "sent", "failed" (a permanent refusal) or "skipped" (not ours to send, or not due yet). On a
    transient error puts the row back to `queued`, due at the next try of the schedule, and raises
    `RetryLater` for the task to schedule that try.
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
        _finish(claim, outcome=Outcome.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        logger.exception("outbox message %s: attempt %s failed to build", message.pk, attempt.number, extra=log_extra)
        return "failed"

    backend = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    try:
        backend.open()
        if backend.send_messages([email]) != 1:
            raise smtplib.SMTPRecipientsRefused({message.recipient_email: (550, b"not accepted by the backend")})
    except Exception as exc:
        _close_quietly(backend)
        verdict = classify(exc)
        if verdict.transient:
            raise _retry_later(claim, verdict.reason) from exc
        _finish(claim, outcome=Outcome.FAILED, error=verdict.reason)
        logger.error(
            "outbox message %s: attempt %s: %s; refused for good",
            message.pk,
            attempt.number,
            verdict.reason,
            extra=log_extra,
        )
        return "failed"
    _commit_sent(claim)
    _close_quietly(backend)
    logger.info("outbox message %s: attempt %s sent", message.pk, attempt.number, extra=log_extra)
    return "sent"


def _retry_later(claim: Claim, reason: str) -> RetryLater:
    """Put the row back on the schedule: the n-th transient failure in a row waits base × 2^(n-1), capped."""
    message, attempt = claim.message, claim.attempt
    schedule = retry_schedule()
    delay = retry_delay(message.round_attempts, base=schedule.base, cap=schedule.cap)
    _finish(claim, outcome=Outcome.RETRY, error=reason, due_in=timedelta(seconds=delay))
    waited = (timezone.now() - message.created_at).total_seconds()
    # Never failed for a transient cause (CONTRACT.md, "Email"): past the schedule's horizon it is overdue —
    # said louder, alerted on (hrportal_mail_undelivered_overdue), and still tried every `cap` seconds.
    overdue = waited > schedule.max_age
    logger.log(
        logging.ERROR if overdue else logging.WARNING,
        "outbox message %s: attempt %s: %s; %sretrying in %.0f s",
        message.pk,
        attempt.number,
        reason,
        f"undelivered for {waited / 3600:.1f} h, " if overdue else "",
        delay,
        extra={"outbox_message_id": message.pk, "attempt": attempt.number},
    )
    return RetryLater(reason, delay=delay, countdown=delay if delay <= schedule.countdown_max else None)


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
    """Reclaim rows whose sender died, re-enqueue queued rows whose task was lost or whose next try on the
    retry schedule is the sweeper's to start, and resume rows failed for a transient cause.

    `queued_older_than` (seconds, default HRPORTAL["OUTBOX_SWEEP_AGE"]) is how overdue a queued row must
    be: its task may simply still be waiting in the broker before that. The `sending` threshold is not a
    parameter: it must stay above the send task's hard time limit (see `stuck_after_seconds`).

    Rows `failed` with a transient cause come only from before the retry schedule (migration 0002 classified
    them; issue 23's five): they start a new round, as "send again" would. Permanent refusals stay failed.
    """
    now = timezone.now()
    tuning = settings.HRPORTAL
    age = timedelta(seconds=tuning["OUTBOX_SWEEP_AGE"] if queued_older_than is None else queued_older_than)
    stuck_before = now - timedelta(seconds=stuck_after_seconds())
    cap = max_lost_attempts()

    with transaction.atomic():
        stuck = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=stuck_before)
            .order_by("claimed_at")
            .values_list("pk", "lost_attempts")[:limit]
        )
        requeue = [pk for pk, lost in stuck if lost + 1 < cap]
        give_up = [pk for pk, lost in stuck if lost + 1 >= cap]
        lost = "worker lost: no result within the send task's time limit"
        if requeue:
            OutboxMessage.objects.filter(pk__in=requeue, status=Status.SENDING).update(
                status=Status.QUEUED,
                due_at=now,
                updated_at=now,
                last_error=lost,
                lost_attempts=F("lost_attempts") + 1,
            )
            DeliveryAttempt.objects.filter(message_id__in=requeue, finished_at__isnull=True).update(
                finished_at=now, outcome=Outcome.RETRY, error=lost
            )
        if give_up:
            # A message that kills its worker every time: our problem, not the server's, and not transient.
            OutboxMessage.objects.filter(pk__in=give_up, status=Status.SENDING).update(
                status=Status.FAILED,
                updated_at=now,
                last_error=f"{lost}; attempt cap reached",
                last_error_kind=ErrorKind.PERMANENT,
                lost_attempts=F("lost_attempts") + 1,
            )
            DeliveryAttempt.objects.filter(message_id__in=give_up, finished_at__isnull=True).update(
                finished_at=now, outcome=Outcome.FAILED, error=f"{lost}; attempt cap reached"
            )

    with transaction.atomic():
        resumed = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.FAILED, last_error_kind=ErrorKind.TRANSIENT)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if resumed:
            OutboxMessage.objects.filter(pk__in=resumed, status=Status.FAILED).update(
                status=Status.QUEUED, attempt_base=F("attempts"), lost_attempts=0, due_at=now, updated_at=now
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

    to_send = sorted(set(requeue) | set(resumed) | set(overdue))
    for pk in requeue:
        logger.warning("outbox message %s: reclaimed from a dead sender", pk, extra={"outbox_message_id": pk})
    for pk in give_up:
        logger.error("outbox message %s: attempt cap reached, marked failed", pk, extra={"outbox_message_id": pk})
    for pk in resumed:
        logger.warning("outbox message %s: failed for a transient cause, resumed", pk, extra={"outbox_message_id": pk})
    published = _publish_sends(to_send) if to_send else 0
    result = {
        "reclaimed": len(requeue),
        "failed": len(give_up),
        "resumed": len(resumed),
        "requeued": len(overdue),
        "published": published,
    }
    if stuck or resumed or overdue:
        logger.info("outbox sweep: %s", result)
    return result
