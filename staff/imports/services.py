"""The import job's writes: upload, check (the preview), confirm, write. Tasks call `import_job_plan` and
`import_job_apply`; the admin calls `import_job_create` and `import_job_confirm`.

Progress is written through a second database connection: the write runs in one transaction (nothing is
written from a file that turns out bad half-way), and a page must see the count move while it runs.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrportal.errors import Conflict, NotAllowed, ValidationFailed
from staff.imports import engine
from staff.imports.files import read_table
from staff.imports.models import ImportJob

logger = logging.getLogger(__name__)
ALLOWED_SUFFIXES = (".csv", ".xlsx")


@transaction.atomic
def import_job_create(*, kind: str, upload: UploadedFile, actor: Any) -> ImportJob:
    """Store the file privately and queue its check; nothing of the file is written to the staff tables yet."""
    if kind not in engine.KINDS:
        raise ValidationFailed(_("Choose what the file holds."), field="kind")
    name = PurePath(upload.name or "").name[:255]
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), field="file")
    if upload.size is None or upload.size > settings.HRPORTAL["IMPORT_MAX_BYTES"]:
        raise ValidationFailed(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.HRPORTAL["IMPORT_MAX_BYTES"] // 2**20},
            field="file",
        )
    job = ImportJob(kind=kind, file_name=name, created_by=actor)
    job.file.save(f"{uuid.uuid4().hex}{PurePath(name).suffix.lower()}", upload, save=False)
    job.save()
    from staff import tasks

    transaction.on_commit(lambda: tasks.import_plan.delay(job.pk))
    return job


def _claim(job_id: int, from_status: str, to_status: str) -> ImportJob | None:
    claimed = ImportJob.objects.filter(pk=job_id, status=from_status).update(status=to_status)
    return ImportJob.objects.select_related("created_by", "confirmed_by").get(pk=job_id) if claimed else None


class _Progress:
    """Writes rows_done on a side connection, so it shows while the write's transaction is still open."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        # SQLite has one writer at a time: a side connection would wait for the import's own transaction.
        self.side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor != "sqlite" else None

    def __call__(self, done: int, total: int) -> None:
        if self.side is None:
            if not connection.in_atomic_block:
                ImportJob.objects.filter(pk=self.job_id).update(rows_done=done, rows_total=total)
            return
        try:
            with self.side.cursor() as cursor:
                cursor.execute(  # the table name is the model's own, not input
                    f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",  # noqa: S608
                    [done, total, self.job_id],
                )
        except DatabaseError:  # progress is a nicety: never fail an import for it
            logger.warning("import %s: progress not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _run(job: ImportJob, *, write: bool) -> engine.Outcome:
    kind = engine.KINDS[job.kind]
    with job.file.open("rb") as handle:
        data = handle.read()
    progress = _Progress(job.pk)
    context = engine.Context(
        file_name=job.file_name,
        actor=job.confirmed_by if write else None,
        uploaded_by=job.created_by,
        job_id=job.pk,
        progress=progress,
    )
    try:
        table = read_table(name=job.file_name, data=data)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=len(table.rows), rows_done=0)
        return engine.run(kind, table, context, write=write)
    except ValidationFailed as exc:
        return engine.Outcome(plans=[], header_errors=[m for msgs in exc.detail.values() for m in msgs])
    finally:
        progress.close()


def _finish(job: ImportJob, outcome: engine.Outcome, status: str) -> None:
    job.status = status
    job.rows = [p.as_json() for p in outcome.plans]
    job.counts = outcome.counts()
    job.errors = outcome.header_errors
    job.rows_total = job.rows_done = len(outcome.plans)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows", "counts", "errors", "rows_total", "rows_done", "finished_at"])


def import_job_plan(*, job_id: int) -> None:
    """Check every row of the file against the database and store the preview. Writes nothing else."""
    job = _claim(job_id, ImportJob.Status.QUEUED, ImportJob.Status.PLANNING)
    if job is None:
        return  # gone, or a second delivery of the task
    try:
        outcome = _run(job, write=False)
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
        raise
    _finish(job, outcome, ImportJob.Status.READY if outcome.ok else ImportJob.Status.INVALID)
    logger.info("import %s planned: %s", job_id, job.counts)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, actor: Any) -> ImportJob:
    """Confirm a checked file; a file that changes pay is confirmed by someone other than its uploader."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJob.Status.READY:
        raise Conflict(_("Only a checked file without errors can be confirmed."))
    if engine.KINDS[locked.kind].changes_pay and locked.created_by_id == actor.pk:
        raise NotAllowed(_("A file that changes pay is confirmed by another HR member (four eyes)."))
    locked.status = ImportJob.Status.CONFIRMED
    locked.confirmed_by = actor
    locked.save(update_fields=["status", "confirmed_by"])
    from staff import tasks

    transaction.on_commit(lambda: tasks.import_apply.delay(locked.pk))
    return locked


def import_job_apply(*, job_id: int) -> None:
    """Write a confirmed file: checked again inside the writing transaction, all rows or none."""
    job = _claim(job_id, ImportJob.Status.CONFIRMED, ImportJob.Status.APPLYING)
    if job is None:
        return
    try:
        outcome = _run(job, write=True)
    except Exception:
        logger.exception("import %s failed; nothing written", job_id)
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
        raise
    _finish(job, outcome, ImportJob.Status.DONE if outcome.applied else ImportJob.Status.INVALID)
    logger.info("import %s applied=%s: %s", job_id, outcome.applied, job.counts)
