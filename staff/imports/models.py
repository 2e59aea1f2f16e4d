"""An import file's job: the upload, its plan (the preview), the confirmation and the write, with progress.

The row is the job's state for the pages (they read it, never Celery's result): a worker claims it with a
conditional update (`queued → planning`, `confirmed → applying`) so two deliveries of a task never run it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hrportal.storage import private_storage


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        PLANNING = "planning", _("checking the file")
        READY = "ready", _("ready to confirm")
        INVALID = "invalid", _("has errors: nothing written")
        CONFIRMED = "confirmed", _("confirmed, waiting to write")
        APPLYING = "applying", _("writing")
        DONE = "done", _("written")
        FAILED = "failed", _("failed: nothing written")

    kind = models.CharField(_("what"), max_length=30)
    file = models.FileField(_("file"), storage=private_storage, upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)  # {"new": n, "update": n, "skip": n, "error": n}
    rows = models.JSONField(_("rows"), default=list, blank=True)  # RowPlan.as_json() of every row
    errors = models.JSONField(_("errors"), default=list, blank=True)  # the file's own errors (header, format)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
