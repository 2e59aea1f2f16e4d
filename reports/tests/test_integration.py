"""End to end with a real worker, a real broker (Redis), a real SMTP server (aiosmtpd) and PostgreSQL.

- HR orders holiday_work through the API: the job's progress rises, it ends `done`, the .xlsx arrives by mail
  and downloads, and its rows are the timesheet's rows on days off.
- A pool process SIGKILLed mid-export (the OOM killer's way): the task is redelivered at once, the new run
  takes the job over (same task id), and the job completes once with one mail.
- The whole worker SIGKILLed mid-export and started again: Redis restores the unacknowledged message after the
  visibility timeout (shortened for the restarted worker), and again the job completes once with one mail.

The export is slowed down by `slow_progress_updates` (a database trigger makes each progress update, every
REPORT_PROGRESS_EVERY rows, take 0.15 s longer) so the tests can watch progress and kill a worker mid-export.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from leave.models import CalendarDay
from notifications.models import OutboxMessage
from reports.models import ReportJob
from reports.tests.conftest import HolidayFixture, slow_progress_updates
from staff.models import Employee, TimesheetEntry
from tests.harness.broker import broker_url as broker_url
from tests.harness.broker import celery_broker
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.marks import INTEGRATION, requires_redis_server
from tests.harness.redis_server import RedisServer
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = INTEGRATION

BODY = {"kind": "holiday_work", "date_from": "2025-01-01", "date_to": "2025-12-31"}
SLOW = {"REPORT_PROGRESS_EVERY": 150}
SLOW_UPDATE_SECONDS = 0.15


def seed_rows(people: list[Employee]) -> int:
    """`weekend` entries of 2 h on every date of 2025 but the working Saturday 1 Nov (all holiday work)."""
    day, rows = dt.date(2025, 1, 1), []
    while day.year == 2025:
        if day != dt.date(2025, 11, 1):
            rows += [
                TimesheetEntry(employee=p, date=day, kind="weekend", hours=Decimal("2"))
                for p in people
                if day >= p.hire_date
            ]
        day += dt.timedelta(days=1)
    TimesheetEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def expected_data_rows() -> int:
    """A direct query: 2025's timesheet rows on a day off by the CalendarDay table (a holiday, a transferred day
    off, or a Saturday/Sunday not made working), or of kind weekend/holiday on any day but a working weekend."""
    days = CalendarDay.objects.filter(date__year=2025)
    off = days.filter(kind__in=["public_holiday", "day_off"]).values("date")
    working_weekends = days.filter(kind="working_weekend").values("date")
    return (
        TimesheetEntry.objects.filter(date__year=2025, hours__gt=0)
        .filter(
            Q(date__in=off)
            | (Q(date__week_day__in=[1, 7]) & ~Q(date__in=working_weekends))
            | (Q(kind__in=["weekend", "holiday"]) & ~Q(date__in=working_weekends))
        )
        .count()
    )


def sheet_data_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] is not None]


@pytest.fixture
def seeded(holiday_fixture: HolidayFixture, cast: Any) -> Iterator[int]:
    people = [cast.employee, cast.sub_employee, cast.outsider, cast.manager, cast.hr, cast.ceo]
    # Without A's November working days no month has hours beyond its norm inside a line: one line per entry,
    # so the direct query's count is the report's (the split itself is test_holiday_work's).
    TimesheetEntry.objects.filter(employee=cast.employee, kind="regular", date__gte=dt.date(2025, 11, 5)).delete()
    seed_rows(people)
    with slow_progress_updates(SLOW_UPDATE_SECONDS):
        yield expected_data_rows()


def private_dirs(media_root: Path) -> dict[str, str]:
    """The worker stores files where this test reads them, and keeps its temporary files out of /tmp."""
    return {
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(media_root.parent / "private"),
        "REPORT_TEMP_DIR": str(media_root.parent / "tmp"),
    }


def job_state(job_id: int) -> tuple[str, int, int]:
    return ReportJob.objects.values_list("status", "progress", "attempts").get(pk=job_id)


def test_hr_orders_a_report_watches_progress_gets_the_mail_and_downloads(
    broker_url: str,
    seeded: int,
    media_root: Path,
    api: Any,
    hr: Any,
) -> None:
    with SMTPServer() as smtp:
        env = worker_env(broker_url=broker_url, smtp=smtp, **private_dirs(media_root), **SLOW)
        with CeleryWorker(env=env) as worker:
            response = api(hr).post("/api/v1/reports/", BODY, format="json")
            assert response.status_code == 202, response.content
            job_id = response.json()["id"]
            seen: list[int] = []

            def finished() -> bool:
                status, progress, _ = job_state(job_id)
                body = api(hr).get(f"/api/v1/reports/{job_id}/").json()
                assert body["status"] in ("queued", "running", "done"), body
                if status == "running" and (not seen or seen[-1] != progress):
                    seen.append(progress)
                return status == "done"

            wait_until(finished, timeout=120, interval=0.05, message=worker.log_tail)
            wait_until(lambda: len(smtp.messages) == 1, timeout=60, message=worker.log_tail)

    assert len([p for p in seen if 0 < p < 100]) >= 3 and seen == sorted(seen)  # progress rose step by step
    detail = api(hr).get(f"/api/v1/reports/{job_id}/").json()
    assert (detail["status"], detail["progress"], detail["row_count"], detail["error"]) == ("done", 100, seeded, None)

    [mail] = smtp.messages
    assert mail.rcpt_tos == [hr.email]
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_filename().endswith(".xlsx")
    mailed = attachment.get_content()

    download = api(hr).get(detail["download_url"])
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    downloaded = b"".join(download.streaming_content)
    assert downloaded == mailed
    rows = sheet_data_rows(downloaded)
    assert len(rows) == seeded  # the rows of a direct query
    assert OutboxMessage.objects.filter(event="report_ready").count() == 1


def restore_unacknowledged(url: str) -> None:
    """What Redis's consumers do once a delivered message has stayed unacknowledged past the visibility timeout:
    put it back on its queue (kombu's QoS.restore_visible). A worker runs this scan on its own only every
    ~100 s and only for messages older than CELERY_VISIBILITY_TIMEOUT (2 h in production, above the export's
    hard limit); the test runs the same scan at once with a 1 s timeout instead of waiting."""
    from kombu import Connection

    with Connection(url, transport_options={"visibility_timeout": 1}) as connection:
        wait_until(lambda: connection.default_channel.client.zcard("unacked_index") > 0, timeout=10)
        connection.default_channel.qos.restore_visible(num=100, interval=1)


def _kill_mid_export(kill: str, media_root: Path, hr: Any, seeded: int) -> None:
    from reports.services import report_request

    with RedisServer() as redis, SMTPServer() as smtp, celery_broker(redis.url()):
        env = worker_env(broker_url=redis.url(), smtp=smtp, **private_dirs(media_root), **SLOW)
        with CeleryWorker(env=env) as worker:
            job, _ = report_request(
                user=hr.user, kind="holiday_work", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
            )
            wait_until(lambda: job_state(job.pk)[1] >= 20, timeout=60, message=worker.log_tail)
            running = ReportJob.objects.get(pk=job.pk)
            assert running.status == "running" and running.attempts == 1
            pid = int(running.worker.rsplit(":", 1)[1])
            if kill == "child":
                worker.kill_child(pid)  # task_reject_on_worker_lost: redelivered at once
            else:
                worker.kill()
                assert job_state(job.pk)[0] == "running"
                worker.start()
                restore_unacknowledged(redis.url())
            wait_until(lambda: job_state(job.pk)[0] == "done", timeout=120, message=worker.log_tail)
            wait_until(lambda: len(smtp.messages) >= 1, timeout=60, message=worker.log_tail)
            worker.stop()  # let anything still in flight finish before counting
    done = ReportJob.objects.get(pk=job.pk)
    assert (done.status, done.attempts, done.row_count) == ("done", 2, seeded)
    assert OutboxMessage.objects.filter(event="report_ready").count() == 1
    assert len(smtp.messages) == 1  # one mail
    # The killed run stored nothing: one file, in the private storage (the mail attached it from there).
    private_root = media_root.parent / "private"
    assert [p.relative_to(private_root).as_posix() for p in private_root.rglob("*.xlsx")] == [done.file.name]
    assert not list(media_root.rglob("*.xlsx"))
    [attachment] = list(smtp.messages[0].message.iter_attachments())
    assert len(sheet_data_rows(attachment.get_content())) == seeded


@pytest.mark.faults
@requires_redis_server
def test_a_pool_process_killed_mid_export_completes_once_with_one_mail(seeded: int, media_root: Path, hr: Any) -> None:
    _kill_mid_export("child", media_root, hr, seeded)


@pytest.mark.faults
@requires_redis_server
def test_a_worker_killed_mid_export_completes_once_after_restart(seeded: int, media_root: Path, hr: Any) -> None:
    _kill_mid_export("worker", media_root, hr, seeded)


@pytest.fixture(autouse=True)
def _no_leftover_jobs() -> Iterator[None]:
    yield
    assert not ReportJob.objects.filter(status__in=["queued", "running"]).exists()
