"""The export's heartbeat (issue 23): a run renews it with its progress; a `running` job silent for
REPORT_HEARTBEAT_STALE_SECONDS is taken over by the sweeper or by its requester asking again, a live one is not.
The kill-the-whole-worker scenario is tests/faults/test_report_heartbeat.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import OutboxMessage
from reports import services
from reports.models import ReportJob
from reports.tests.conftest import HolidayFixture

NOV = {"date_from": dt.date(2025, 10, 25), "date_to": dt.date(2025, 11, 9)}


def _running(user: Any, *, silent_for: float, attempts: int = 1, kind: str = "holiday_work") -> ReportJob:
    """A job claimed by a run (attempt `attempts`, task "t1") whose last heartbeat was `silent_for` s ago."""
    job, _ = services.report_request(user=user, kind=kind, **NOV)
    claim = services.report_claim(job_id=job.pk, task_id="t1")
    assert claim is not None
    beat = timezone.now() - dt.timedelta(seconds=silent_for)
    ReportJob.objects.filter(pk=job.pk).update(attempts=attempts, heartbeat_at=beat, progress=40, row_count=4)
    job.refresh_from_db()
    return job


def _stale_seconds() -> float:
    return settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"]


def _silent() -> float:
    return _stale_seconds() + 1


def _recent() -> float:
    return _stale_seconds() / 2


# --- the run renews it ------------------------------------------------------------------------------------


def test_the_heartbeat_moves_with_progress(
    holiday_fixture: HolidayFixture, hr: Any, settings: Any, monkeypatch: Any, no_enqueue: list[int]
) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_PROGRESS_EVERY": 2}  # the pytest-django fixture
    job, _ = services.report_request(user=hr.user, kind="holiday_work", **NOV)
    seen: list[tuple[int, dt.datetime]] = []
    asked: dict[str, Any] = {}
    export_to_file = services.export_to_file

    def spy(**kwargs: Any) -> tuple[int, int]:
        asked.update(kwargs)
        on_progress = kwargs["on_progress"]

        def recording(done: int, total: int) -> None:
            on_progress(done, total)
            seen.append(ReportJob.objects.values_list("row_count", "heartbeat_at").get(pk=job.pk))

        return export_to_file(**{**kwargs, "on_progress": recording})

    monkeypatch.setattr(services, "export_to_file", spy)
    assert services.report_run(job_id=job.pk, task_id="t1") is not None

    job.refresh_from_db()
    rows = [row_count for row_count, _ in seen]
    beats = [beat for _, beat in seen]
    assert rows == [2, 4, 6, 8, 8]  # every 2 rows, and once more when the file is saved
    assert job.started_at < beats[0] and beats == sorted(beats) and len(set(beats)) == len(beats)
    # Even between progress steps the writer beats at least every quarter of the stale time.
    assert asked["progress_seconds"] == _stale_seconds() / 4 == 30
    assert job.status == "done"


# --- the sweeper takes over a silent job ------------------------------------------------------------------


def test_the_sweeper_takes_over_a_silent_job_and_leaves_a_live_one(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    silent = _running(hr.user, silent_for=_silent())
    live = _running(hr.user, silent_for=_recent(), kind="requests")
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_sweep() == {"requeued": 1, "failed": 0}
    assert no_enqueue == [silent.pk]

    silent.refresh_from_db()
    assert (silent.status, silent.attempts, silent.task_id, silent.worker, silent.progress) == ("queued", 1, "", "", 0)
    assert ReportJob.objects.values_list("status", "attempts", "task_id").get(pk=live.pk) == ("running", 1, "t1")
    # The dead run, were it alive after all, can neither report progress nor finish: its claim has ended.
    with pytest.raises(services.ClaimLost):
        services.report_finish(job_id=silent.pk, attempt=1, file_name="x.xlsx", size=1, row_count=1)
    assert services.report_fail(job_id=silent.pk, attempt=1, message="x") is None
    # The re-enqueued task claims it as the next attempt; the original message (same task id) would too, once.
    claim = services.report_claim(job_id=silent.pk, task_id="t2")
    assert claim is not None and claim.attempt == 2
    assert services.report_claim(job_id=silent.pk, task_id="t1") is None


def test_the_sweeper_fails_a_silent_job_out_of_attempts(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    job = _running(hr.user, silent_for=_silent(), attempts=settings.HRPORTAL["REPORT_MAX_ATTEMPTS"])
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_sweep() == {"requeued": 0, "failed": 1}
    assert no_enqueue == []
    assert ReportJob.objects.get(pk=job.pk).status == "failed"
    assert OutboxMessage.objects.filter(event="report_failed").count() == 1


def test_a_take_over_is_conditional_on_the_claim_it_judged_dead(hr: Any, no_enqueue: list[int]) -> None:
    job = _running(hr.user, silent_for=_silent())
    # A newer claim happened since (another delivery took the job): its heartbeat is fresh, nothing to take.
    assert services.report_claim(job_id=job.pk, task_id="t2") is not None
    assert services.report_take_over(job_id=job.pk) == ""
    assert ReportJob.objects.values_list("status", "attempts").get(pk=job.pk) == ("running", 2)


# --- asking again takes over a silent job -----------------------------------------------------------------


def test_asking_again_takes_over_a_silent_job(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    stuck = _running(hr.user, silent_for=_silent())
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job, created = services.report_request(user=hr.user, kind="holiday_work", **NOV)
    assert (job.pk, created, job.status, job.attempts) == (stuck.pk, False, "queued", 1)
    assert no_enqueue == [stuck.pk]


def test_asking_again_returns_a_live_job_as_it_is(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    live = _running(hr.user, silent_for=_recent())
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job, created = services.report_request(user=hr.user, kind="holiday_work", **NOV)
    assert (job.pk, created, job.status, job.progress) == (live.pk, False, "running", 40)
    assert no_enqueue == []


def test_asking_again_for_a_silent_job_out_of_attempts_fails_it_and_starts_anew(
    hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    stuck = _running(hr.user, silent_for=_silent(), attempts=settings.HRPORTAL["REPORT_MAX_ATTEMPTS"])
    no_enqueue.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job, created = services.report_request(user=hr.user, kind="holiday_work", **NOV)
    assert created and job.pk != stuck.pk and job.status == "queued"
    assert no_enqueue == [job.pk]
    assert ReportJob.objects.get(pk=stuck.pk).status == "failed"


def test_a_taken_over_job_runs_to_done_once_with_one_mail(
    holiday_fixture: HolidayFixture, hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    stuck = _running(hr.user, silent_for=_silent())
    with django_capture_on_commit_callbacks(execute=True):
        services.report_sweep()
    assert services.report_run(job_id=stuck.pk, task_id="t2") is not None
    assert services.report_run(job_id=stuck.pk, task_id="t1") is None  # the killed run's message, redelivered
    done = ReportJob.objects.get(pk=stuck.pk)
    assert (done.status, done.attempts, done.row_count) == ("done", 2, 8)
    assert OutboxMessage.objects.filter(event="report_ready").count() == 1
