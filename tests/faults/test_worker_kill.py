"""The whole worker is SIGKILLed (a crashed host: the main process and its pool at once) in the middle of a
long export and in the middle of sending a mail — against a private Redis and a private RabbitMQ node.

After a restart the work is done once:

- the export: the broker hands the unacknowledged `reports.export` message back (RabbitMQ at once when the dead
  consumer's connection closes; Redis after the visibility timeout — the scan a worker runs by itself then is
  run here at once, with a 1 s timeout, instead of waiting two hours), the new run takes the job over (same task
  id), the job ends `done` with attempts = 2, one file is stored and one mail is sent;
- the mail: the row stays claimed (`sending`) by the dead sender; the sweeper reclaims it once the send task's
  hard time limit has passed, and the message reaches the SMTP server exactly once. The redelivered task (on
  RabbitMQ) finds the row claimed and leaves it alone.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from leave.models import CalendarDay
from leave.services import load_calendar
from notifications.models import DeliveryAttempt, OutboxMessage
from reports.models import ReportJob
from reports.tests.conftest import slow_progress_updates
from staff.models import TimesheetEntry
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS, Status, queue_mail, status_of, statuses
from tests.harness.beat import Sweeper
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS

# A slow export: a progress update every 150 rows, each taking 0.15 s longer (reports' slow_progress_updates).
SLOW_EXPORT = {"REPORT_PROGRESS_EVERY": 150}
# A held DATA times out after 3 s; the send task's hard limit is 5 s, so the sweeper reclaims after 10 s.
SHORT_MAIL = {"EMAIL_TIMEOUT": 3, "MAIL_SEND_SOFT_TIME_LIMIT": 4, "MAIL_SEND_TIME_LIMIT": 5}


def seed_weekend_work(people: list[Any]) -> int:
    """Two hours of `weekend` work by each person on every day of 2025 but the working weekends of the
    production calendar: all of it holiday work."""
    load_calendar(year=2025)  # the official calendar: 1 Nov 2025 is a working Saturday
    working_weekends = set(CalendarDay.objects.filter(kind="working_weekend").values_list("date", flat=True))
    rows, day = [], dt.date(2025, 1, 1)
    while day.year == 2025:
        if day not in working_weekends:
            rows += [TimesheetEntry(employee=p, date=day, kind="weekend", hours=Decimal("2")) for p in people]
        day += dt.timedelta(days=1)
    TimesheetEntry.objects.bulk_create(rows)
    return len(rows)


def restore_unacknowledged(url: str) -> None:
    """Redis: put messages unacknowledged for more than 1 s back on their queue (kombu's QoS.restore_visible,
    what a worker does by itself for messages older than the visibility timeout)."""
    from kombu import Connection

    with Connection(url, transport_options={"visibility_timeout": 1}) as connection:
        wait_until(lambda: connection.default_channel.client.zcard("unacked_index") > 0, timeout=10)
        connection.default_channel.qos.restore_visible(num=100, interval=1)


def data_rows(content: bytes) -> int:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] is not None)


def test_worker_killed_mid_export_completes_once(broker: Broker, cast: Any, media_root: Path) -> None:
    from reports.services import report_request

    rows = seed_weekend_work([cast.employee, cast.sub_employee, cast.outsider, cast.manager, cast.hr, cast.ceo])
    with SMTPServer() as smtp, slow_progress_updates(0.15):
        env = worker_env(broker_url=broker.url(), smtp=smtp, MEDIA_ROOT=str(media_root), **SLOW_EXPORT)
        with CeleryWorker(env=env) as worker:
            job, _ = report_request(
                user=cast.hr.user, kind="holiday_work", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
            )
            wait_until(lambda: ReportJob.objects.get(pk=job.pk).progress >= 20, timeout=60, message=worker.log_tail)
            worker.kill()
            killed = ReportJob.objects.get(pk=job.pk)
            assert (killed.status, killed.attempts) == ("running", 1)

            worker.start()
            if broker.kind == "redis":
                restore_unacknowledged(broker.url())
            wait_until(lambda: ReportJob.objects.get(pk=job.pk).status == "done", timeout=120, message=worker.log_tail)
            wait_until(lambda: len(smtp.messages) >= 1, timeout=60, message=worker.log_tail)
            worker.stop()  # anything still in flight finishes before counting

    done = ReportJob.objects.get(pk=job.pk)
    assert (done.status, done.attempts, done.row_count) == ("done", 2, rows)
    assert OutboxMessage.objects.filter(event="report_ready").count() == 1
    [mail] = smtp.messages  # one mail
    [attachment] = list(mail.message.iter_attachments())
    assert data_rows(attachment.get_content()) == rows
    # The killed run stored nothing: the one file is the finished run's (in the private storage beside MEDIA_ROOT).
    stored = [p.name for root in (media_root, media_root.parent / "private") for p in root.rglob("*.xlsx")]
    assert stored == [Path(done.file.name).name]


def test_worker_killed_mid_send_delivers_once(broker: Broker, cast: Any) -> None:
    recipient = cast.manager
    with SMTPServer() as smtp:
        env = worker_env(broker_url=broker.url(), smtp=smtp, **SHORT_MAIL)
        with CeleryWorker(env=env) as worker:
            smtp.handler.hang_next(1)
            message = queue_mail(recipient)
            wait_until(
                lambda: smtp.handler.holding == 1,
                timeout=30,
                message=lambda: f"outbox {statuses()}, smtp {smtp.handler.data_calls} DATA\n{worker.log_tail()}",
            )
            worker.kill()
            wait_until(lambda: smtp.handler.lost == 1, timeout=10)  # the connection died with the worker
            assert status_of(message) == Status.SENDING
            assert smtp.messages == []

            worker.start()
            with Sweeper(period=1.0, queued_older_than=1.0):
                wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=worker.log_tail)
            worker.stop()

    assert smtp.count_by_outbox_id() == {message.pk: 1}
    assert smtp.handler.data_calls == 2  # the killed delivery and the one that went through; nothing else
    attempts = list(DeliveryAttempt.objects.filter(message=message).order_by("number"))
    assert [(a.number, a.outcome) for a in attempts] == [(1, "retry"), (2, "sent")]
    assert "worker lost" in attempts[0].error
