"""Requests (leave, business trip, certificate, pay-rate change) and their approval history.

Shared fields live once on `Request`; each kind keeps its own fields in a one-to-one detail row.
The status only changes through requests_app.services, along the transition table in
requests_app.workflow. The database holds the invariants: end ≥ start (check constraint) and, on
PostgreSQL, no two pending/approved absences of one employee overlap (an exclusion constraint
added in migration 0002, since Django's ExclusionConstraint cannot exist on SQLite).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leave.models import Absence
from staff.models import Employee


class RequestQuerySet(models.QuerySet):
    def with_details(self) -> RequestQuerySet:
        """Each row with its kind's detail row (leave with its type, trip, certificate, pay-rate change)."""
        return self.select_related("leave__leave_type", "trip", "certificate", "rate_change")


class Request(models.Model):
    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        BUSINESS_TRIP = "business_trip", _("business trip")
        CERTIFICATE = "certificate", _("certificate")
        RATE_CHANGE = "rate_change", _("pay-rate change")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    class Stage(models.TextChoices):
        MANAGER = "manager", _("manager")
        HR = "hr", _("HR")
        DONE = "", _("none")

    ABSENCE_KINDS = (Kind.LEAVE, Kind.BUSINESS_TRIP)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="requests", verbose_name=_("employee")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The approval step the request waits for; the chain is fixed at creation (`stages`).
    stage = models.CharField(_("waiting for"), max_length=10, choices=Stage.choices, default=Stage.MANAGER, blank=True)
    stages = models.JSONField(_("approval chain"), default=list)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # An approved request that has started cannot be cancelled; before that the employee asks
    # and the approver confirms (or HR cancels directly).
    cancel_requested = models.BooleanField(_("cancellation requested"), default=False)
    # A leave of the approved leave schedule (art. 123): it binds the employer, so the approval policy refuses
    # its rejection — it is moved by agreement in the schedule app instead.
    scheduled = models.BooleanField(_("from the leave schedule"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="request_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["leave", "business_trip"])
                | (Q(start_date__isnull=False) & Q(end_date__isnull=False)),
                name="request_absence_has_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "status"], name="request_employee_status_idx"),
            models.Index(fields=["status", "stage"], name="request_status_stage_idx"),
            # HR's inbox (every HR page's nav badge) ORs the pending HR step with the cancellations asked for: with
            # this beside the one above it is a BitmapOr of the two, not a scan of every request (46 → 10 ms at
            # 30,000 people, EXPLAIN ANALYZE on bench/scale.py's h_scale_30000).
            models.Index(fields=["status"], condition=Q(cancel_requested=True), name="request_cancel_asked_idx"),
            # The inboxes read oldest first (HR's dashboard preview, the approvals page): without this PostgreSQL
            # walked the created_at index over every request ever filed to find the few still open (HR's
            # dashboard p95 5.40× from 300 to 30,000 people, docs/decisions/scale-reads.md). Every arm of
            # policy.inbox lies inside this condition, so the walk covers the open requests alone.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="pending") | Q(status="approved", cancel_requested=True),
                name="request_open_created_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} — {self.employee}"

    def get_absolute_url(self) -> str:
        return reverse("request-detail", kwargs={"request_id": self.pk})

    @property
    def filed_after_start(self) -> bool:
        """A backdated absence: it started before it was filed (the approver sees a warning)."""
        if self.start_date is None or self.created_at is None:
            return False
        return self.start_date < timezone.localtime(self.created_at).date()


class LeaveDetails(models.Model):
    request = models.OneToOneField(Request, on_delete=models.CASCADE, primary_key=True, related_name="leave")
    leave_type = models.ForeignKey("leave.LeaveType", on_delete=models.PROTECT, verbose_name=_("leave type"))
    days = models.DecimalField(_("days charged"), max_digits=6, decimal_places=2)
    # The quote at filing time (days, excluded holidays, pay and its month-by-month breakdown).
    quote = models.JSONField(_("quote"), default=dict)
    # Art. 128: why an unpaid leave is asked for; for a statutory reason the employer cannot refuse it.
    unpaid_reason = models.CharField(
        _("unpaid leave reason"), max_length=20, choices=Absence.UnpaidReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("leave details")
        verbose_name_plural = _("leave details")

    def __str__(self) -> str:
        return _("request No. %(id)s") % {"id": self.request_id}


class TripDetails(models.Model):
    request = models.OneToOneField(Request, on_delete=models.CASCADE, primary_key=True, related_name="trip")
    destination = models.CharField(_("destination"), max_length=200)
    purpose = models.TextField(_("purpose"))

    class Meta:
        verbose_name = _("business trip details")
        verbose_name_plural = _("business trip details")

    def __str__(self) -> str:
        return _("request No. %(id)s") % {"id": self.request_id}


class CertificateDetails(models.Model):
    class Type(models.TextChoices):
        EMPLOYMENT = "employment", _("employment confirmation")
        INCOME = "income", _("income (2-NDFL)")
        WORKBOOK_COPY = "workbook_copy", _("copy of the work record book")
        SALARY = "salary", _("salary certificate")

    request = models.OneToOneField(Request, on_delete=models.CASCADE, primary_key=True, related_name="certificate")
    certificate_type = models.CharField(_("certificate type"), max_length=20, choices=Type.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), validators=[MinValueValidator(1), MaxValueValidator(10)])

    class Meta:
        verbose_name = _("certificate details")
        verbose_name_plural = _("certificate details")
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1) & Q(copies__lte=10), name="certificate_copies_range"),
        ]

    def __str__(self) -> str:
        return _("request No. %(id)s") % {"id": self.request_id}


class RateChangeDetails(models.Model):
    request = models.OneToOneField(Request, on_delete=models.CASCADE, primary_key=True, related_name="rate_change")
    effective_date = models.DateField(_("effective date"))
    fte = models.DecimalField(_("FTE"), max_digits=3, decimal_places=2)
    salary = models.DecimalField(_("monthly salary, RUB"), max_digits=12, decimal_places=2)
    # HR's mark: part of an organisation- or department-wide indexation (Regulation 922 item 16).
    indexation = models.BooleanField(_("indexation"), default=False)
    # The pay-rate row written when HR gives the final approval.
    pay_rate = models.ForeignKey(
        "staff.PayRate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pay rate recorded"),
    )
    # The rate in force on the effective date that this change replaces: when filed, then again when approved.
    previous_fte = models.DecimalField(_("FTE before"), max_digits=3, decimal_places=2, null=True, blank=True)
    previous_salary = models.DecimalField(
        _("monthly salary before, RUB"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    previous_effective_date = models.DateField(_("last change before"), null=True, blank=True)
    # HR's confirmation of a salary below the minimum wage × FTE (art. 133; apprentices and the like): the reason.
    below_minimum_wage_reason = models.TextField(_("reason for a salary below the minimum wage"), blank=True)
    # A later approved change of the same employee and effective date, which replaced this one (never silently).
    superseded_by = models.ForeignKey(
        Request,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    class Meta:
        verbose_name = _("pay-rate change details")
        verbose_name_plural = _("pay-rate change details")
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1.5), name="ratechange_fte_range"),
            models.CheckConstraint(condition=Q(salary__gte=0), name="ratechange_salary_not_negative"),
        ]

    def __str__(self) -> str:
        return _("request No. %(id)s") % {"id": self.request_id}


class RequestTally(models.Model):
    """How many requests of a kind are in a status: the sum of this kind's and status's rows ("slots"). Kept by
    requests_app.services in the transaction that files or moves a request (`_record`; a move takes a slot no one
    holds, or adds one, so it never waits), read by HR's requests list for its `count` instead of counting the
    company's history (243,000 approved requests at 30,000 people: a 20 ms index scan a page; docs/benchmarks.md).
    A bulk writer (the demo seeds) calls `services.tally_recount` after it."""

    kind = models.CharField(_("kind"), max_length=20, choices=Request.Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Request.Status.choices)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("request count")
        verbose_name_plural = _("request counts")
        indexes = [models.Index(fields=["kind", "status"], name="request_tally_kind_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}: {self.count}"


class RequestEvent(models.Model):
    """One step of a request's history: who did what, when, on whose behalf, with which comment."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        APPROVED_STEP = "approved_step", _("approved (step)")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CANCEL_REQUESTED = "cancel_requested", _("cancellation requested")
        CANCEL_DECLINED = "cancel_declined", _("cancellation declined")
        CANCELLED = "cancelled", _("cancelled")
        SUPERSEDES = "supersedes", _("supersedes an earlier approved change")
        SUPERSEDED = "superseded", _("superseded by a later approved change")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events", verbose_name=_("request"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    on_behalf_of = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("on behalf of")
    )
    stage = models.CharField(_("step"), max_length=10, choices=Request.Stage.choices, blank=True)
    from_status = models.CharField(_("status before"), max_length=10, choices=Request.Status.choices, blank=True)
    to_status = models.CharField(_("status after"), max_length=10, choices=Request.Status.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request history")

    def __str__(self) -> str:
        return f"#{self.request_id} {self.action} by {self.actor_id}"
