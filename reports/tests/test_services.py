"""Report jobs: request (scoping, validation, dedupe), the claim rules, the run, failure, purge and sweep."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from hrportal.errors import NotAllowed, ValidationFailed
from notifications.models import OutboxMessage
from reports import conf, services
from reports.models import ReportJob
from reports.tests.conftest import HolidayFixture, read_rows

NOV = {"date_from": dt.date(2025, 10, 25), "date_to": dt.date(2025, 11, 9)}


def _request(user: Any, kind: str = "holiday_work", **kwargs: Any) -> tuple[ReportJob, bool]:
    params = {**NOV, **kwargs}
    return services.report_request(user=user, kind=kind, **params)


# --- request ---------------------------------------------------------------------------------------------


def test_hr_and_managers_may_request_and_it_enqueues_on_commit(
    hr: Any, manager: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, created = _request(hr.user)
    assert created and job.status == "queued" and len(callbacks) == 1 and no_enqueue == [job.pk]
    job2, created2 = _request(manager.user)
    assert created2 and job2.pk != job.pk


@pytest.mark.parametrize("role", ["employee", "outsider", "deactivated"])
def test_an_employee_who_manages_nobody_is_refused(cast: Any, role: str, no_enqueue: list[int]) -> None:
    with pytest.raises(NotAllowed):
        _request(cast.by_role(role).user)
    assert not ReportJob.objects.exists()


def test_asking_twice_returns_the_pending_job(hr: Any, no_enqueue: list[int]) -> None:
    job, created = _request(hr.user)
    again, created_again = _request(hr.user)
    assert created and not created_again and again.pk == job.pk
    ReportJob.objects.filter(pk=job.pk).update(status="running")
    assert _request(hr.user)[0].pk == job.pk
    other, other_created = _request(hr.user, date_to=dt.date(2025, 11, 10))  # another period: another job
    assert other_created and other.pk != job.pk
    ReportJob.objects.filter(pk=job.pk).update(status="done")
    fresh, fresh_created = _request(hr.user)  # the finished one is not pending: a new job
    assert fresh_created and fresh.pk != job.pk


def test_the_database_refuses_a_second_pending_twin(hr: Any, no_enqueue: list[int]) -> None:
    job, _ = _request(hr.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(requester=hr.user, kind=job.kind, params=job.params, params_key=job.params_key)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"date_from": dt.date(2025, 2, 1), "date_to": dt.date(2025, 1, 31)}, "date_to"),
        ({"date_from": dt.date(2024, 1, 1), "date_to": dt.date(2025, 3, 1)}, "date_to"),
        ({"kind": "payroll"}, "kind"),
    ],
)
def test_validation(hr: Any, kwargs: dict[str, Any], field: str, no_enqueue: list[int]) -> None:
    kind = kwargs.pop("kind", "holiday_work")
    with pytest.raises(ValidationFailed) as exc:
        _request(hr.user, kind=kind, **kwargs)
    assert field in exc.value.detail


def test_a_year_and_a_bit_is_allowed(hr: Any, no_enqueue: list[int]) -> None:
    job, _ = _request(hr.user, date_from=dt.date(2024, 12, 1), date_to=dt.date(2025, 12, 31))
    assert job.pk


def test_department_must_be_visible(cast: Any, manager: Any, no_enqueue: list[int]) -> None:
    job, _ = _request(manager.user, department=cast.sales_east.pk)
    assert job.params["department"] == cast.sales_east.pk
    with pytest.raises(ValidationFailed) as exc:
        _request(manager.user, department=cast.engineering.pk)
    assert "department" in exc.value.detail


# --- claim -----------------------------------------------------------------------------------------------


def _job(user: Any, **fields: Any) -> ReportJob:
    job, _ = services.report_request(user=user, kind="holiday_work", **NOV)
    if fields:
        ReportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def test_claim_takes_a_queued_job_exactly_once(hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    first = services.report_claim(job_id=job.pk, task_id="t1")
    assert first is not None and first.attempt == 1 and first.job.status == "running"
    assert services.report_claim(job_id=job.pk, task_id="t2") is None  # another delivery: running elsewhere


def test_a_redelivered_message_takes_over_its_own_running_job(hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    assert services.report_claim(job_id=job.pk, task_id="t1") is not None
    again = services.report_claim(job_id=job.pk, task_id="t1")  # the broker gave us our message back
    assert again is not None and again.attempt == 2


def test_a_claim_without_a_heartbeat_for_the_stale_time_is_taken_over(hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    first = services.report_claim(job_id=job.pk, task_id="t1")
    assert first is not None and first.job.heartbeat_at == first.job.started_at  # the claim is the first beat
    later = timezone.now() + dt.timedelta(seconds=settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"] - 5)
    assert services.report_claim(job_id=job.pk, task_id="t2", now=later) is None
    much_later = timezone.now() + dt.timedelta(seconds=settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"] + 5)
    taken = services.report_claim(job_id=job.pk, task_id="t2", now=much_later)
    assert taken is not None and taken.attempt == 2 and taken.job.heartbeat_at == much_later


def test_the_stale_time_is_read_from_settings_at_call_time(hr: Any, settings: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    assert services.report_claim(job_id=job.pk, task_id="t1") is not None
    in_ten_seconds = timezone.now() + dt.timedelta(seconds=10)
    assert services.report_claim(job_id=job.pk, task_id="t2", now=in_ten_seconds) is None
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_HEARTBEAT_STALE_SECONDS": 5}
    assert services.report_claim(job_id=job.pk, task_id="t2", now=in_ten_seconds) is not None


def test_a_claim_from_before_heartbeats_is_judged_by_its_age(hr: Any, no_enqueue: list[int]) -> None:
    """A claim with no heartbeat at all (made by a worker of the previous release during the deploy) is taken
    over only past the hard time limit plus a grace, as before: that worker does not renew a heartbeat."""
    job = _job(hr.user)
    claimed_at = timezone.now() - dt.timedelta(seconds=settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"] * 2)
    ReportJob.objects.filter(pk=job.pk).update(status="running", attempts=1, task_id="t1", started_at=claimed_at)
    assert services.report_claim(job_id=job.pk, task_id="t2") is None
    past_the_limit = claimed_at + dt.timedelta(seconds=conf.stale_after_seconds() + 5)
    assert services.report_claim(job_id=job.pk, task_id="t2", now=past_the_limit) is not None


@pytest.mark.parametrize("status", ["done", "failed"])
def test_a_finished_job_is_never_claimed(hr: Any, status: str, no_enqueue: list[int]) -> None:
    job = _job(hr.user, status=status)
    assert services.report_claim(job_id=job.pk, task_id="t1") is None


def test_the_old_run_cannot_finish_after_a_takeover(hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    old = services.report_claim(job_id=job.pk, task_id="t1")
    new = services.report_claim(job_id=job.pk, task_id="t1")
    assert old is not None and new is not None
    with pytest.raises(services.ClaimLost):
        services.report_finish(job_id=job.pk, attempt=old.attempt, file_name="x.xlsx", size=1, row_count=1)
    assert services.report_fail(job_id=job.pk, attempt=old.attempt, message="x") is None
    assert ReportJob.objects.get(pk=job.pk).status == "running"


# --- run -------------------------------------------------------------------------------------------------


def test_run_builds_stores_and_mails_once(holiday_fixture: HolidayFixture, hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user)
    done = services.report_run(job_id=job.pk, task_id="t1")
    assert done is not None
    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count, job.attempts) == ("done", 100, 8, 1)
    assert job.finished_at and job.started_at and job.file.name.startswith("reports/")
    with job.file.open("rb") as fh:  # the private storage
        rows = read_rows(fh.read())
    assert rows[-1][10] == 38734.52
    mails = OutboxMessage.objects.filter(event="report_ready")
    assert [(m.recipient_id, m.attachments) for m in mails] == [(hr.pk, [job.file.name])]
    # The outbox attaches the file itself, from the private storage; nothing is copied where a URL could serve it.
    assert not default_storage.exists(job.file.name)
    # A duplicate delivery afterwards changes nothing and mails nothing.
    assert services.report_run(job_id=job.pk, task_id="t1") is None
    assert OutboxMessage.objects.filter(event="report_ready").count() == 1


def test_a_large_file_is_linked_not_attached(
    holiday_fixture: HolidayFixture, hr: Any, settings: Any, no_enqueue: list[int]
) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_ATTACH_MAX_BYTES": 100}
    job = _job(hr.user)
    services.report_run(job_id=job.pk)
    message = OutboxMessage.objects.get(event="report_ready")
    assert message.attachments == []
    assert f"/api/v1/reports/{job.pk}/download/" in message.body_text
    job.refresh_from_db()
    assert job.file.storage.exists(job.file.name) and not default_storage.exists(job.file.name)


def test_progress_is_written_by_short_updates(
    holiday_fixture: HolidayFixture, hr: Any, settings: Any, no_enqueue: list[int], monkeypatch: Any
) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_PROGRESS_EVERY": 2}
    seen: list[tuple[int, int]] = []
    original = ReportJob.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        qs = original(*args, **kwargs)
        if "attempts" in kwargs:  # the progress update's fence
            row = ReportJob.objects.values_list("progress", "row_count").get(pk=kwargs["pk"])
            seen.append(row)
        return qs

    monkeypatch.setattr(ReportJob.objects, "filter", spy)
    job = _job(hr.user)
    services.report_run(job_id=job.pk)
    monkeypatch.undo()
    progresses = [p for p, _ in seen]
    assert progresses == sorted(progresses) and len(progresses) >= 3
    assert ReportJob.objects.get(pk=job.pk).progress == 100


def test_an_exporter_error_fails_the_job_readably(hr: Any, no_enqueue: list[int], monkeypatch: Any) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(services, "export_to_file", boom)
    job = _job(hr.user)
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and str(job.pk) in job.error and "exploded" not in job.error
    failed = OutboxMessage.objects.get(event="report_failed")
    assert failed.recipient_id == hr.pk and job.error in failed.body_text
    assert not list(Path(default_storage.location).rglob("*.xlsx"))


def test_a_job_that_keeps_killing_its_worker_is_failed(hr: Any, no_enqueue: list[int]) -> None:
    job = _job(hr.user, status="running", attempts=settings.HRPORTAL["REPORT_MAX_ATTEMPTS"], task_id="t1")
    services.report_run(job_id=job.pk, task_id="t1")  # the redelivery after the last allowed attempt died
    job.refresh_from_db()
    assert job.status == "failed" and str(settings.HRPORTAL["REPORT_MAX_ATTEMPTS"]) in job.error
    assert OutboxMessage.objects.filter(event="report_failed").count() == 1


def test_a_requester_who_lost_the_role_gets_a_failed_job(
    holiday_fixture: HolidayFixture, cast: Any, no_enqueue: list[int]
) -> None:
    job = _job(cast.manager.user)
    cast.sales.head = None
    cast.sales.save(update_fields=["head"])
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error


def test_a_soft_time_limit_fails_the_job(hr: Any, no_enqueue: list[int], monkeypatch: Any) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(**kwargs: Any) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "export_to_file", slow)
    job = _job(hr.user)
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "30" in job.error


# --- housekeeping ----------------------------------------------------------------------------------------


def test_purge_deletes_old_files_and_strays_only(hr: Any, no_enqueue: list[int]) -> None:
    old_name = default_storage.save("reports/2025/01/old.xlsx", ContentFile(b"old"))
    new_name = default_storage.save("reports/2025/01/new.xlsx", ContentFile(b"new"))
    stray = default_storage.save("reports/2025/01/stray.xlsx", ContentFile(b"stray"))
    long_ago = timezone.now() - dt.timedelta(days=settings.HRPORTAL["REPORT_RETENTION_DAYS"] + 1)
    old = _job(hr.user, status="done", file=old_name, finished_at=long_ago)
    new = ReportJob.objects.create(
        requester=hr.user,
        kind="requests",
        params={},
        params_key="x",
        status="done",
        file=new_name,
        finished_at=timezone.now(),
    )
    past = long_ago.timestamp()
    os.utime(default_storage.path(stray), (past, past))
    os.utime(default_storage.path(new_name), (past, past))  # an old mtime alone does not purge a live job's file
    assert services.report_purge_files() == 2
    assert not default_storage.exists(old_name) and not default_storage.exists(stray)
    assert default_storage.exists(new_name)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.file.name == "" and old.file_purged_at is not None and new.file.name == new_name


def test_purge_deletes_private_files_old_layout_copies_and_private_strays(hr: Any, no_enqueue: list[int]) -> None:
    private = storages["private"]
    old_name = private.save("reports/2025/01/old_x.xlsx", ContentFile(b"old"))
    default_storage.save(old_name, ContentFile(b"old"))  # a copy in the default storage (the old layout)
    live_name = private.save("reports/2025/01/live_y.xlsx", ContentFile(b"live"))
    stray = private.save("reports/2025/01/stray_z.xlsx", ContentFile(b"stray"))
    long_ago = timezone.now() - dt.timedelta(days=settings.HRPORTAL["REPORT_RETENTION_DAYS"] + 1)
    old = _job(hr.user, status="done", file=old_name, finished_at=long_ago)
    _job(hr.user, status="done", file=live_name, finished_at=timezone.now())
    past = long_ago.timestamp()
    for name in (stray, live_name):
        os.utime(private.path(name), (past, past))
    assert services.report_purge_files() == 2  # the old job's file (with its copy) and the stray
    assert not private.exists(old_name) and not default_storage.exists(old_name) and not private.exists(stray)
    assert private.exists(live_name)
    old.refresh_from_db()
    assert old.file.name == "" and old.file_purged_at is not None


def test_sweep_requeues_lost_jobs_and_fails_exhausted_ones(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    lost_queued = _job(hr.user)
    ReportJob.objects.filter(pk=lost_queued.pk).update(created_at=now - dt.timedelta(hours=1))
    fresh = services.report_request(user=hr.user, kind="requests", **NOV)[0]
    stale_at = now - dt.timedelta(seconds=conf.stale_after_seconds() + 60)
    dead = services.report_request(user=hr.user, kind="leave_balances", **NOV)[0]
    ReportJob.objects.filter(pk=dead.pk).update(status="running", started_at=stale_at, attempts=1)
    exhausted = services.report_request(
        user=hr.user, kind="holiday_work", date_from=NOV["date_from"], date_to=dt.date(2025, 11, 30)
    )[0]
    ReportJob.objects.filter(pk=exhausted.pk).update(
        status="running", started_at=stale_at, attempts=settings.HRPORTAL["REPORT_MAX_ATTEMPTS"]
    )
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):  # a taken-over job is enqueued on commit
        assert services.report_sweep(now=now) == {"requeued": 2, "failed": 1}
    assert sorted(no_enqueue) == sorted([lost_queued.pk, dead.pk])
    assert ReportJob.objects.get(pk=exhausted.pk).status == "failed"
    assert ReportJob.objects.get(pk=fresh.pk).status == "queued"


def test_purge_removes_temp_files_of_killed_runs(hr: Any) -> None:
    leftover = Path(services.temp_dir()) / "report-999-killed.xlsx"
    live = Path(services.temp_dir()) / "report-998-live.xlsx"
    leftover.write_bytes(b"x")
    live.write_bytes(b"x")
    past = timezone.now().timestamp() - conf.stale_after_seconds() - 60
    os.utime(leftover, (past, past))
    services.report_purge_files()
    assert not leftover.exists() and live.exists()
    live.unlink()
