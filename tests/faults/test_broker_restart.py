"""The broker restarts while tasks are queued and running — against a private Redis and a private RabbitMQ node.

Before the outage two mails are being sent (the SMTP server holds their DATA), twenty more and a report export
wait in the broker. The broker goes down; while it is down ten more mails are committed (their publish fails),
and the two held deliveries are answered (their retry cannot be published). The broker comes back: a canary
task on each queue is answered, and with the sweepers running every outbox row ends `sent`, each message
reaches the SMTP server exactly once, and the export is done once with one mail.

What differs between the brokers: the private Redis keeps nothing on disk, so whatever was queued in it is
gone after the restart and the sweepers re-enqueue it from the database; RabbitMQ keeps the durable queues and
the persistent messages (published with confirms), and redelivers the unacknowledged ones. Either way the rows
in the database, not the broker, decide what is sent, and the claims make a second delivery of a task a no-op.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from notifications.models import OutboxMessage
from reports.models import ReportJob
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS, Status, queue_mail, statuses
from tests.harness.beat import Sweeper
from tests.harness.broker import wait_for_consumer
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS


def test_broker_restart_with_tasks_queued_and_running(broker: Broker, cast: object, media_root: Path) -> None:
    from reports.services import report_request

    manager, hr = cast.manager, cast.hr  # type: ignore[attr-defined]
    with SMTPServer() as smtp:
        env = worker_env(
            broker_url=broker.url(),
            smtp=smtp,
            EMAIL_TIMEOUT=30,  # a held DATA outlives the outage
            MEDIA_ROOT=str(media_root),
            REPORT_QUEUED_SWEEP_AFTER=2,
        )
        with CeleryWorker(env=env) as worker:
            wait_for_consumer("mail", timeout=60)

            # Running: both pool processes are inside an SMTP transaction the server does not answer.
            smtp.handler.hang_next(2)
            running = [queue_mail(manager) for _ in range(2)]
            wait_until(lambda: smtp.handler.holding == 2, timeout=30, message=worker.log_tail)
            # Queued: nothing is free to take these.
            queued = [queue_mail(manager) for _ in range(20)]
            job, created = report_request(
                user=hr.user, kind="requests", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
            )
            assert created

            broker.stop()
            during: list[OutboxMessage] = []
            for _ in range(10):
                started = time.monotonic()
                during.append(queue_mail(manager))
                assert time.monotonic() - started < 5, "a commit was held up by the dead broker"
            smtp.handler.release()  # the held deliveries end (451): their retries cannot be published now
            wait_until(lambda: smtp.handler.holding == 0, timeout=30)

            broker.start()
            for queue in ("default", "mail", "reports"):
                wait_for_consumer(queue, timeout=120)  # the canary: the worker consumes again

            everything = {m.pk for m in running + queued + during}
            with Sweeper(period=2.0, queued_older_than=1.0):
                wait_until(
                    lambda: statuses() == {Status.SENT: len(everything) + 1},  # + the report's mail
                    timeout=120,
                    interval=0.2,
                    message=lambda: f"{statuses()}\n{worker.log_tail()}",
                )
                wait_until(lambda: ReportJob.objects.get(pk=job.pk).status == "done", timeout=60)
            worker.stop()  # anything still in flight finishes before counting

    counts = smtp.count_by_outbox_id()
    report_mail = OutboxMessage.objects.get(event="report_ready")
    assert counts == {**dict.fromkeys(everything, 1), report_mail.pk: 1}, counts  # nothing lost, nothing twice
    done = ReportJob.objects.get(pk=job.pk)
    assert (done.status, done.attempts) == ("done", 1)
    # One file, the finished run's, in the private storage beside MEDIA_ROOT (reports are stored there).
    stored = [p.name for root in (media_root, media_root.parent / "private") for p in root.rglob("*.xlsx")]
    assert stored == [Path(done.file.name).name]
