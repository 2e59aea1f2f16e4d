"""The durable mail outbox: one row per message and recipient, its rendered content, and the attempt log.

Rows are written by `notifications.services.notify` in the transaction of the change that causes them and
sent by `notifications.send_message`; the row, not Celery's result, is the truth about a message.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """The events that send mail (each has templates under templates/notifications/<event>/): their codes are
    what the outbox stores, their labels what the admin shows."""

    REQUEST_CREATED = "request_created", _("new request to decide")
    REQUEST_APPROVED = "request_approved", _("request approved")
    REQUEST_REJECTED = "request_rejected", _("request rejected")
    REQUEST_CANCELLED = "request_cancelled", _("request cancelled")
    REQUEST_CANCEL_REQUESTED = "request_cancel_requested", _("cancellation asked for")
    REQUEST_CANCEL_DECLINED = "request_cancel_declined", _("cancellation declined")
    REQUEST_REMINDER = "request_reminder", _("reminder of a pending request")
    REQUEST_ESCALATED = "request_escalated", _("pending request escalated")
    CERTIFICATE_DECIDED = "certificate_decided", _("certificate request decided")
    DELEGATION_NAMED = "delegation_named", _("named a deputy")
    DELEGATION_ENDED = "delegation_ended", _("deputy withdrawn")
    REPORT_READY = "report_ready", _("report ready")
    REPORT_FAILED = "report_failed", _("report failed")
    LEAVE_OVERDUE = "leave_overdue", _("leave not used two years running")
    LEAVE_OVERDUE_HR = "leave_overdue_hr", _("HR's list of leave not used two years running")
    CERTIFICATE_DUE = "certificate_due", _("certificates due")
    CERTIFICATE_ISSUED = "certificate_issued", _("certificate issued")
    DOCUMENT_TO_SIGN = "document_to_sign", _("document to sign")
    DOCUMENT_CODE = "document_code", _("signature code")
    LEAVE_NOTICE = "leave_notice", _("leave notice (art. 123)")
    PAYROLL_LIST = "payroll_list", _("leaves starting: list for payroll (art. 136)")
    SCHEDULE_NOT_PROPOSED = "schedule_not_proposed", _("leave schedule: no proposal yet")
    SCHEDULE_DEPARTMENT_LATE = "schedule_department_late", _("leave schedule: department late")
    SCHEDULE_MOVE_PROPOSED = "schedule_move_proposed", _("leave schedule: move proposed")


class OutboxContent(models.Model):
    """The rendered mail of one event in one language, shared by the messages to its recipients.

    Stored once per language rather than on each recipient's row: an event for 50 people writes 50 small rows
    and one or two bodies, so what the caller pays hardly grows with the number of recipients.
    """

    event = models.CharField(_("event"), max_length=64, choices=Event.choices)
    # What the mail is about. No FK to it: the outbox outlives the objects it talks about.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # Names of files in Django's default storage, attached when the message is sent.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("message content")
        verbose_name_plural = _("message contents")

    def __str__(self) -> str:
        return f"{self.event} [{self.language}] {self.subject}"


class OutboxMessage(models.Model):
    class ErrorKind(models.TextChoices):
        TRANSIENT = "transient", _("transient (will retry)")
        PERMANENT = "permanent", _("permanent refusal")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    event = models.CharField(_("event"), max_length=64, choices=Event.choices)
    # "app_label.model:pk" of the object the mail is about: part of the unique key. The content row carries the
    # content type and id that make it navigable (`obj`).
    object_key = models.CharField(_("object"), max_length=150)
    recipient = models.ForeignKey(
        "staff.Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(_("recipient email"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    content = models.ForeignKey(
        OutboxContent, on_delete=models.PROTECT, related_name="messages", verbose_name=_("content")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Claims so far (a claim is one try to send). Never reset, so the attempt log numbers stay unique;
    # `attempt_base` is its value when the current round began ("send again" starts a new round).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    attempt_base = models.PositiveIntegerField(_("attempts before this round"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    # How the last attempt failed (notifications/retry.py): a transient cause (the server or the network said
    # "later") keeps the message queued on the retry schedule; a permanent refusal (5xx, bad address) fails it.
    last_error_kind = models.CharField(
        _("kind of the last error"), max_length=10, choices=ErrorKind.choices, blank=True
    )
    # Claims of this round whose worker died before it could say how the attempt went (the sweeper counts
    # them when it takes the row back): a message that kills its worker every time fails at MAIL_MAX_ATTEMPTS.
    lost_attempts = models.PositiveIntegerField(_("attempts lost to a dead worker"), default=0, editable=False)
    # When the message is due: creation, the next try on the retry schedule, "send again". No claim takes it
    # earlier (but for a few seconds' clock skew), and the sweeper re-enqueues a queued row only once it is
    # overdue, so it never races a scheduled retry and no retry comes before the schedule's floor.
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            # A retried service (or a second call for the same event) never queues a message twice.
            models.UniqueConstraint(
                fields=["event", "object_key", "recipient_email"], name="outbox_one_per_event_object_recipient"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "cancelled"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(condition=Q(attempt_base__lte=models.F("attempts")), name="outbox_attempt_base"),
            models.CheckConstraint(
                condition=Q(last_error_kind__in=["", "transient", "permanent"]), name="outbox_last_error_kind_valid"
            ),
        ]
        indexes = [
            # The sweeper's two scans; only the few rows still in flight are indexed.
            models.Index(fields=["due_at"], condition=Q(status="queued"), name="outbox_queued_due_idx"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="outbox_sending_claimed_idx"),
            models.Index(fields=["status", "-created_at"], name="outbox_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_event_display()} → {self.recipient_email} ({self.get_status_display()})"

    # The message's own parts, as the sender and the admin read them.
    @property
    def obj(self) -> models.Model | None:
        return self.content.obj

    @property
    def subject(self) -> str:
        return self.content.subject

    @property
    def body_text(self) -> str:
        return self.content.body_text

    @property
    def body_html(self) -> str:
        return self.content.body_html

    @property
    def attachments(self) -> list[str]:
        return list(self.content.attachments)

    @property
    def round_attempts(self) -> int:
        """Attempts in the current round (since creation or the last "send again")."""
        return self.attempts - self.attempt_base


class DeliveryAttempt(models.Model):
    """One claim of an outbox row: when it started and ended, and how it went.

    An attempt without `finished_at` is in flight, or its worker died; the sweeper closes it when it
    reclaims the row.
    """

    class Outcome(models.TextChoices):
        SENT = "sent", _("sent")
        RETRY = "retry", _("will retry")
        FAILED = "failed", _("failed")

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts", verbose_name=_("message")
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="delivery_attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.message_id}/{self.number} {self.outcome or 'in flight'}"
