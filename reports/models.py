"""Report jobs: one row per asynchronous export, the truth about its progress (not Celery's result).

A job is written by reports.services only: requested (`queued`), claimed by a worker with a conditional
UPDATE (`running`), then `done` with its file or `failed` with a message the requester can read.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hrportal.storage import private_storage


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY_WORK = "holiday_work", _("work on weekends and public holidays")
        LEAVE_BALANCES = "leave_balances", _("leave balances")
        REQUESTS = "requests", _("register of requests")
        SCHEDULE_T7 = "schedule_t7", _("leave schedule (form T-7)")
        SCHEDULE_ACTUAL = "schedule_actual", _("leave schedule vs actual")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    PENDING_STATUSES = (Status.QUEUED, Status.RUNNING)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs", verbose_name=_("requested by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # {"date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD", "department": id | null}
    params = models.JSONField(_("parameters"), default=dict)
    # The canonical form of `params` ("2025-01-01:2025-03-31:7"): with the requester and kind, the key of
    # "the same report", so asking twice while one is pending returns the pending one (constraint below).
    params_key = models.CharField(_("parameters key"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # A name in the private storage (reports.files); a job finished before it has one in the default storage.
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", storage=private_storage, max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size, bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The current run's last sign of life: set by its claim, renewed with every progress update (which the
    # writer makes at least every REPORT_HEARTBEAT_STALE_SECONDS / 4). A running job without a heartbeat for
    # REPORT_HEARTBEAT_STALE_SECONDS has no live run and is taken over (services.report_take_over).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Claims so far. Also the fencing token: every write of a run is conditional on the attempt it claimed,
    # so a run that lost its claim (see services.report_run) can neither report progress nor finish.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The Celery task id of the current claim: a broker redelivers a message with the same id.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # "hostname:pid" of the process running the current claim (operations; the kill tests aim at it).
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    file_purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "kind", "params_key"],
                condition=Q(status__in=["queued", "running"]),
                name="reportjob_one_pending_per_report",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportjob_progress_range"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="reportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["holiday_work", "leave_balances", "requests", "schedule_t7", "schedule_actual"]),
                name="reportjob_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="reportjob_requester_idx"),
            # The sweeper's scans: only the few rows in flight are indexed.
            models.Index(fields=["started_at"], condition=Q(status="running"), name="reportjob_running_idx"),
            models.Index(fields=["created_at"], condition=Q(status="queued"), name="reportjob_queued_idx"),
            models.Index(fields=["finished_at"], condition=~Q(file=""), name="reportjob_with_file_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.params_key} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("api-report-detail", kwargs={"job_id": self.pk})

    @property
    def date_from(self) -> dt.date | None:
        value = (self.params or {}).get("date_from")
        return dt.date.fromisoformat(value) if value else None

    @property
    def date_to(self) -> dt.date | None:
        value = (self.params or {}).get("date_to")
        return dt.date.fromisoformat(value) if value else None

    @property
    def department_id(self) -> int | None:
        return (self.params or {}).get("department")

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    def download_path(self) -> str:
        return reverse("api-report-download", kwargs={"job_id": self.pk})
