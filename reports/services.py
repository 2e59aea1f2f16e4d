"""The only writers of report jobs: request one, run it, fail it, purge old files, sweep stuck jobs.

The run, and why it completes once:

- `report_request` writes the job and enqueues `reports.export` with `transaction.on_commit`; asking again for
  the same report while one is queued or running returns that job (a partial unique constraint makes the
  check race-free) — unless its run is dead (below): then the job is taken over and queued again first.
- `report_run` claims the job with one conditional UPDATE (exactly one row or nothing) that bumps `attempts`
  and sets the heartbeat. The claim is allowed when the job is `queued`, or `running` and its run is dead:
    * the claim carries this delivery's task id — the broker redelivered our own message, which it does only
      when the consumer that held it is gone (a pool process killed: `task_reject_on_worker_lost` requeues
      it; a worker killed outright: RabbitMQ at once, Redis only after the visibility timeout, hours); or
    * the claim is stale (`_stale_claim`): no heartbeat for REPORT_HEARTBEAT_STALE_SECONDS (2 minutes). A run
      renews the heartbeat with its progress, at least every quarter of that while rows flow, so a silent
      claim belongs to a worker killed outright or a host that is gone.
- `report_take_over` ends a stale claim (`running` → `queued`, conditional on the claim it judged dead) and
  enqueues the job again: the beat sweeper calls it for every stale job, `report_request` for the one asked
  for again. A job out of attempts is failed instead.
- `attempts` is also a fencing token: every progress UPDATE and the final transition are conditional on the
  attempt this run claimed. Should an earlier run still be alive after a takeover, its next write finds
  the row taken and it stops (ClaimLost) without storing anything or mailing; only the newest claim can
  mark the job done. The mail is queued by `notify` in the same transaction as `done`, and the outbox's
  unique (event, object, recipient) key would refuse a second one anyway.
- A job whose run kills its worker every time (OOM) is failed once its claims exceed REPORT_MAX_ATTEMPTS.
- The rows stream from a server-side cursor in autocommit mode, and each progress update is its own short
  UPDATE, so no transaction stays open for the length of the export.

Past 400 lines: the job's whole life (request, claim, run, heartbeat, take-over, finish, fail, purge) shares one set
of state rules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hrportal.dates import check_date
from hrportal.errors import NotAllowed, ValidationFailed
from notifications.services import PUBLISH_RETRY_POLICY, notify
from reports import conf, files
from reports.exporters import export_to_file, may_run_reports
from reports.models import ReportJob
from staff import access
from staff.models import Department, Employee

logger = logging.getLogger(__name__)


class ClaimLost(Exception):
    """This run's claim on the job was taken over: stop without storing or mailing anything."""


# --- request ---------------------------------------------------------------------------------------------


def params_key(*, date_from: dt.date, date_to: dt.date, department_id: int | None) -> str:
    return f"{date_from.isoformat()}:{date_to.isoformat()}:{department_id or ''}"


def validate_request(
    *, user: Any, kind: str, date_from: dt.date, date_to: dt.date, department: Department | int | None
) -> int | None:
    """Raise NotAllowed (403) or ValidationFailed (400); return the department id."""
    if not may_run_reports(user):
        raise NotAllowed(_("Only HR and managers may run reports."))
    if kind not in ReportJob.Kind.values:
        raise ValidationFailed(_("Unknown report kind."), field="kind")
    check_date(date_from, field="date_from")
    check_date(date_to, field="date_to")
    if date_to < date_from:
        raise ValidationFailed(_("The period cannot end before it starts."), field="date_to")
    max_days = settings.HRPORTAL["REPORT_MAX_PERIOD_DAYS"]
    if (date_to - date_from).days + 1 > max_days:
        raise ValidationFailed(
            _("A report covers at most %(days)s days: split the period.") % {"days": max_days},
            field="date_to",
        )
    if department is None:
        return None
    department_id = department.pk if isinstance(department, Department) else department
    if not access.visible_departments(user).filter(pk=department_id).exists():
        raise ValidationFailed(_("Unknown department, or one you may not see."), field="department")
    return int(department_id)


def report_request(
    *,
    user: Any,
    kind: str,
    date_from: dt.date,
    date_to: dt.date,
    department: Department | int | None = None,
) -> tuple[ReportJob, bool]:
    """Queue a report for `user`; return (job, created). A pending job for the same report is returned — taken
    over and queued again first if its run is dead (no heartbeat: a killed worker), so asking again is the
    requester's way out of a stuck job; one out of attempts is failed and a new job started instead."""
    department_id = validate_request(user=user, kind=kind, date_from=date_from, date_to=date_to, department=department)
    key = params_key(date_from=date_from, date_to=date_to, department_id=department_id)
    pending = ReportJob.objects.filter(requester=user, kind=kind, params_key=key, status__in=ReportJob.PENDING_STATUSES)
    with transaction.atomic():
        existing = pending.first()
        if existing is not None and existing.status == ReportJob.Status.RUNNING:
            report_take_over(job_id=existing.pk)
            existing = pending.first()  # as it is now: still running, queued again, or failed (then a new job)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():  # a savepoint: the constraint may refuse a concurrent twin
                job = ReportJob.objects.create(
                    requester=user,
                    kind=kind,
                    params={
                        "date_from": date_from.isoformat(),
                        "date_to": date_to.isoformat(),
                        "department": department_id,
                    },
                    params_key=key,
                )
        except IntegrityError:
            existing = pending.first()
            if existing is None:  # the twin finished in between: nothing pending to return, so retry once
                raise
            return existing, False
        transaction.on_commit(partial(enqueue_export, job.pk))
    logger.info("report job %s queued: %s %s", job.pk, kind, key, extra={"report_job_id": job.pk})
    return job, True


def enqueue_export(job_id: int) -> None:
    """Publish the export task; if the broker is down, the job stays queued for the sweeper."""
    from reports.tasks import export

    try:
        export.apply_async(args=[job_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:
        logger.warning("report job %s: could not publish the export task; the sweeper will", job_id, exc_info=True)


# --- run -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    job: ReportJob
    attempt: int


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _stale_claim(now: dt.datetime) -> Q:
    """`running` with no live run: no heartbeat for REPORT_HEARTBEAT_STALE_SECONDS — or, for a claim made before
    heartbeats existed (no heartbeat at all), claimed longer ago than the hard time limit plus a grace.

    The times are the workers' and the web's clocks (as `started_at` always was): they must agree to well
    within the threshold (NTP)."""
    silent_since = now - dt.timedelta(seconds=settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"])
    claimed_before = now - dt.timedelta(seconds=conf.stale_after_seconds())
    return Q(status=ReportJob.Status.RUNNING) & (
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=claimed_before)
    )


def report_claim(*, job_id: int, task_id: str = "", now: dt.datetime | None = None) -> Claim | None:
    """Take the job for this run (see the module docstring for when); None when it is not ours to run."""
    now = now or timezone.now()
    claimable = Q(status=ReportJob.Status.QUEUED) | _stale_claim(now)
    if task_id:
        claimable |= Q(status=ReportJob.Status.RUNNING, task_id=task_id)
    claimed = ReportJob.objects.filter(claimable, pk=job_id).update(
        status=ReportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        task_id=task_id,
        worker=_worker_name(),
        started_at=now,
        heartbeat_at=now,
        progress=0,
        row_count=0,
        error="",
    )
    if claimed != 1:
        return None
    job = ReportJob.objects.select_related("requester").get(pk=job_id)
    return Claim(job=job, attempt=job.attempts)


def language_of(user: Any) -> str:
    """The language the user's reports and mail are written in (their employee record's, else the portal's)."""
    if user is None:
        return settings.LANGUAGE_CODE
    employee = access.employee_of(user)  # memoised on the user: the access checks and exporters reuse it
    return employee.language if employee is not None else settings.LANGUAGE_CODE


def interrupted_message(count: int, language: str) -> str:
    """Why a job out of attempts failed, in the requester's language."""
    with translation.override(language):
        return _("The export was interrupted %(count)s times; it will not be tried again.") % {"count": count}


def report_run(*, job_id: int, task_id: str = "") -> ReportJob | None:
    """Build the job's file, store it, mark the job done and mail the requester; or fail it readably."""
    claim = report_claim(job_id=job_id, task_id=task_id)
    if claim is None:
        logger.info("report job %s: not claimable (done, failed, gone, or running elsewhere)", job_id)
        return None
    job, attempt = claim.job, claim.attempt
    language = language_of(job.requester)
    log_extra = {"report_job_id": job_id, "attempt": attempt}
    if attempt > settings.HRPORTAL["REPORT_MAX_ATTEMPTS"]:
        return report_fail(job_id=job_id, attempt=attempt, message=interrupted_message(attempt - 1, language))
    logger.info("report job %s: attempt %s started", job_id, attempt, extra=log_extra)

    def on_progress(done: int, total: int) -> None:
        # Also the heartbeat: the writer calls this every `progress_every` rows and at least every
        # heartbeat_every_seconds() while rows come, so a live run does not look stale.
        percent = min(99, done * 100 // total) if total else 0
        updated = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING, attempts=attempt).update(
            progress=percent, row_count=done, heartbeat_at=timezone.now()
        )
        if updated != 1:
            raise ClaimLost

    fd, temp_path = tempfile.mkstemp(prefix=f"report-{job_id}-", suffix=".xlsx", dir=temp_dir())
    os.close(fd)
    stored_name = ""
    try:
        with translation.override(language):
            if not may_run_reports(job.requester):  # the role may have gone since the request
                raise NotAllowed(_("Only HR and managers may run reports."))
            written, _total = export_to_file(
                kind=job.kind,
                user=job.requester,
                date_from=job.date_from,
                date_to=job.date_to,
                department_id=job.department_id,
                path=temp_path,
                on_progress=on_progress,
                progress_every=settings.HRPORTAL["REPORT_PROGRESS_EVERY"],
                progress_seconds=conf.heartbeat_every_seconds(),
                language=language,
            )
        size = os.path.getsize(temp_path)
        stored_name = files.store(job, temp_path)
        attachment = stored_name if size <= settings.HRPORTAL["REPORT_ATTACH_MAX_BYTES"] else ""
        return report_finish(
            job_id=job_id, attempt=attempt, file_name=stored_name, size=size, row_count=written, attachment=attachment
        )
    except ClaimLost:
        logger.warning("report job %s: attempt %s lost its claim; stopping", job_id, attempt, extra=log_extra)
        files.delete(stored_name)
        return None
    except SoftTimeLimitExceeded:
        with translation.override(language):
            message = _(
                "The report took longer than %(minutes)s minutes and was stopped. Choose a shorter period or a "
                "department."
            ) % {"minutes": settings.HRPORTAL["REPORT_SOFT_TIME_LIMIT"] // 60}
        return _fail_quietly(job_id, attempt, message, stored_name)
    except NotAllowed as exc:
        return _fail_quietly(job_id, attempt, str(exc), stored_name)
    except Exception:
        logger.exception("report job %s: attempt %s failed", job_id, attempt, extra=log_extra)
        with translation.override(language):
            message = _(
                "The report could not be built because of an internal error (job #%(id)s). It has been logged; "
                "please try again later or contact HR."
            ) % {"id": job_id}
        return _fail_quietly(job_id, attempt, message, stored_name)
    finally:
        os.unlink(temp_path)


def temp_dir() -> str:
    """Where runs write their file before storing it; a killed run's leftover is purged (report_purge_files)."""
    path = settings.HRPORTAL["REPORT_TEMP_DIR"]
    os.makedirs(path, exist_ok=True)
    return path


def _purge_temp_files(now: dt.datetime) -> int:
    # A file older than the hard time limit belongs to no live run: the pool has killed it by then.
    cutoff = now.timestamp() - conf.stale_after_seconds()
    deleted = 0
    with os.scandir(temp_dir()) as entries:
        for entry in entries:
            if entry.is_file() and entry.name.startswith("report-") and entry.stat().st_mtime < cutoff:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    deleted += 1
    return deleted


def _fail_quietly(job_id: int, attempt: int, message: str, *names: str) -> ReportJob | None:
    files.delete(*names)
    return report_fail(job_id=job_id, attempt=attempt, message=message)


def _requester_employee(job: ReportJob) -> list[Employee]:
    employee = Employee.objects.filter(user_id=job.requester_id).first()
    if employee is None:
        logger.info("report job %s: the requester has no employee record, so no mail", job.pk)
        return []
    return [employee]


@transaction.atomic
def report_finish(
    *, job_id: int, attempt: int, file_name: str, size: int, row_count: int, attachment: str = ""
) -> ReportJob:
    """`running` → `done` for the run holding `attempt`, and the mail, in one transaction. The mail carries
    `attachment` (the file itself, when small enough) or, without one, the download link."""
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    if job.status != ReportJob.Status.RUNNING or job.attempts != attempt:
        raise ClaimLost
    job.status = ReportJob.Status.DONE
    job.progress = 100
    job.row_count = row_count
    job.file.name = file_name
    job.file_size = size
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "row_count", "file", "file_size", "finished_at"])
    notify(
        event="report_ready",
        obj=job,
        recipients=_requester_employee(job),
        context={"report": job, "download_url": job.download_path(), "url": job.download_path()},
        attachments=[attachment] if attachment else [],
    )
    logger.info(
        "report job %s done: %s rows, %s bytes%s",
        job_id,
        row_count,
        size,
        "" if attachment else " (too large to attach: a link is mailed)",
        extra={"report_job_id": job_id},
    )
    return job


@transaction.atomic
def report_fail(*, job_id: int, attempt: int | None, message: str) -> ReportJob | None:
    """`queued`/`running` → `failed` with a readable message, and tell the requester. With `attempt`, only
    the run holding that claim may fail the job: `running` under that attempt (a job taken over and queued
    again keeps its attempt count, but the claim has ended)."""
    job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status not in ReportJob.PENDING_STATUSES:
        return None
    if attempt is not None and (job.status != ReportJob.Status.RUNNING or job.attempts != attempt):
        return None
    job.status = ReportJob.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    notify(
        event="report_failed",
        obj=job,
        recipients=_requester_employee(job),
        context={"report": job, "error": message, "url": "/"},
    )
    logger.warning("report job %s failed: %s", job_id, message, extra={"report_job_id": job_id})
    return job


# --- housekeeping ----------------------------------------------------------------------------------------


def report_purge_files(*, now: dt.datetime | None = None) -> int:
    """Delete report files (of either layout) older than REPORT_RETENTION_DAYS (the job rows stay, marked
    purged); also stray files under reports/ that no job points to (left by a run killed between storing and
    committing), and this host's temporary files of killed runs."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HRPORTAL["REPORT_RETENTION_DAYS"])
    deleted = 0
    old = ReportJob.objects.exclude(file="").filter(finished_at__lt=cutoff).values_list("pk", "file")
    for job_id, name in old.iterator(chunk_size=500):
        files.delete(name)
        ReportJob.objects.filter(pk=job_id, file=name).update(file="", file_purged_at=now)
        deleted += 1
    deleted += _purge_strays(cutoff)
    deleted += _purge_temp_files(now)
    if deleted:
        logger.info("purged %s report files older than %s", deleted, cutoff.date())
    return deleted


def _walk(storage: Storage, directory: str) -> list[str]:
    try:
        subdirs, names = storage.listdir(directory)
    except (FileNotFoundError, NotImplementedError):
        return []
    paths = [f"{directory}/{name}" for name in names]
    for sub in subdirs:
        paths.extend(_walk(storage, f"{directory}/{sub}"))
    return paths


def _purge_strays(cutoff: dt.datetime) -> int:
    deleted = 0
    # Report files, and in the default storage their mail copies and the files of the old layout.
    for storage in (files.storage(), default_storage):
        old = []
        for name in _walk(storage, files.DIRECTORY):
            try:
                modified = storage.get_modified_time(name)
            except (FileNotFoundError, NotImplementedError):
                continue
            if modified < cutoff:
                old.append(name)
        known = set(ReportJob.objects.filter(file__in=old).values_list("file", flat=True)) if old else set()
        strays = [name for name in old if name not in known]
        for name in strays:
            storage.delete(name)
        deleted += len(strays)
    return deleted


@transaction.atomic
def report_take_over(*, job_id: int, now: dt.datetime | None = None) -> str:
    """End the claim of a `running` job whose run is dead (`_stale_claim`: no heartbeat) and queue the job again
    (on commit); a job whose claims are used up (REPORT_MAX_ATTEMPTS) is failed instead, and the requester told.

    Return "requeued", "failed", or "" when there was nothing to take over (the run is alive, or the job is no
    longer running). The release is conditional on the very claim judged dead (its attempt, still silent):
    a run that renewed its heartbeat in between, or a delivery that claimed the job in between, keeps it. The
    dead run, should it be alive after all, finds the job taken at its next write (ClaimLost)."""
    now = now or timezone.now()
    stale = ReportJob.objects.filter(_stale_claim(now), pk=job_id)
    found = stale.values_list("attempts", "worker", "heartbeat_at", "requester_id").first()
    if found is None:
        return ""
    attempts, worker, heartbeat_at, requester_id = found
    log_extra = {"report_job_id": job_id, "attempt": attempts}
    if attempts >= settings.HRPORTAL["REPORT_MAX_ATTEMPTS"]:
        requester = get_user_model().objects.filter(pk=requester_id).first()  # only when failing one (rare)
        message = interrupted_message(attempts, language_of(requester))
        return "failed" if report_fail(job_id=job_id, attempt=attempts, message=message) is not None else ""
    released = stale.filter(attempts=attempts).update(
        status=ReportJob.Status.QUEUED, task_id="", worker="", progress=0, row_count=0
    )
    if released != 1:
        return ""
    logger.warning(
        "report job %s: attempt %s on %s silent since %s; queued again",
        job_id,
        attempts,
        worker or "?",
        heartbeat_at.isoformat() if heartbeat_at else "its claim",
        extra=log_extra,
    )
    transaction.on_commit(partial(enqueue_export, job_id))
    return "requeued"


def report_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-enqueue jobs whose task was lost: `queued` too long (the broker was down at commit, or lost the
    message); take over `running` ones whose run is dead (no heartbeat), failing those out of attempts."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    queued_before = now - dt.timedelta(seconds=settings.HRPORTAL["REPORT_QUEUED_SWEEP_AFTER"])
    lost = ReportJob.objects.filter(
        Q(status=ReportJob.Status.QUEUED, created_at__lt=queued_before) | _stale_claim(now)
    ).values_list("pk", "status")
    for job_id, status in list(lost[:1000]):
        if status == ReportJob.Status.RUNNING:
            outcome = report_take_over(job_id=job_id, now=now)
            if outcome:
                counts[outcome] += 1
            continue
        enqueue_export(job_id)
        counts["requeued"] += 1
    if any(counts.values()):
        logger.info("report sweep: %s", counts)
    return counts
