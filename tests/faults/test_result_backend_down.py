"""The result backend is unreachable (CELERY_RESULT_BACKEND points at a closed port): mail is still sent and
recorded in the outbox — the mail tasks ignore results, and their truth is the outbox row. A delivery refused
once goes through the retry path (whose state Celery would store for a task that keeps results), the sweeper
runs, and a report export completes with its mail: none of it needs the result backend.
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

from notifications.models import DeliveryAttempt, OutboxMessage
from reports.models import ReportJob
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS, Status, queue_mail, statuses
from tests.harness.beat import Sweeper
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import free_port, wait_until

pytestmark = FAULTS


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_mail_is_sent_and_recorded_with_the_result_backend_down(
    redis_broker: Broker, cast: Any, media_root: Path
) -> None:
    from reports.services import report_request

    dead = free_port()
    assert port_is_closed(dead)
    with SMTPServer() as smtp:
        env = worker_env(
            broker_url=redis_broker.url(),
            smtp=smtp,
            CELERY_RESULT_BACKEND=f"redis://127.0.0.1:{dead}/0",
            MEDIA_ROOT=str(media_root),
        )
        with CeleryWorker(env=env) as worker:
            assert f"127.0.0.1:{dead}" in worker.log_text()  # the banner names the backend it was given
            smtp.handler.refuse_next(1)
            messages = [queue_mail(cast.manager) for _ in range(5)]
            job, _ = report_request(
                user=cast.hr.user, kind="requests", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
            )
            with Sweeper(period=1.0, queued_older_than=1.0) as sweeper:
                wait_until(
                    lambda: statuses() == {Status.SENT: len(messages) + 1},  # + the report's mail
                    timeout=60,
                    message=lambda: f"{statuses()}\n{worker.log_tail()}",
                )
                wait_until(lambda: sweeper.ticks >= 2, timeout=10)
            worker.stop()
            assert "notifications.sweep_outbox" in worker.log_text()  # the sweeps ran too, results unstored
        assert port_is_closed(dead)

    report_mail = OutboxMessage.objects.get(event="report_ready")
    expected = {**{m.pk: 1 for m in messages}, report_mail.pk: 1}
    assert smtp.count_by_outbox_id() == expected
    assert ReportJob.objects.get(pk=job.pk).status == "done"
    recorded = DeliveryAttempt.objects.filter(message_id__in=expected, outcome="sent")
    assert sorted(recorded.values_list("message_id", flat=True)) == sorted(expected)
    assert DeliveryAttempt.objects.filter(outcome="retry").count() == 1  # the refused delivery, retried once
