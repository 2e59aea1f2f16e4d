"""The SMTP server is down for a long while (issue 23) — against a private Redis and a private RabbitMQ node.

Issue 23: with the mail server stopped for five minutes while 40 requests were filed, five messages ended
`failed` after six ConnectionRefusedErrors and were never sent once it came back. Here the retry schedule is
scaled down by settings (base 1 s, cap 4 s, horizon 10 s: the issue's minutes become seconds) and the server
stays down until every message has been refused more often than the old budget allowed (six times) and for
longer than the horizon. The first retry of each rides on a Celery countdown (up to 2 s here), the later
ones are started by the sweeper (as beat would, every second here), so both ways back run. Then the server
comes back on the same port: every message arrives exactly once, none was ever `failed`, and the
undelivered-mail metrics go back to zero.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from notifications.metrics import outbox_families
from notifications.models import DeliveryAttempt, OutboxMessage
from requests_app.models import Request
from requests_app.services import request_create
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS, Status, queue_mail, statuses
from tests.harness.beat import Sweeper
from tests.harness.broker import wait_for_consumer
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS

SCHEDULE = {
    "MAIL_RETRY_BACKOFF": 1,
    "MAIL_RETRY_BACKOFF_MAX": 4,
    "MAIL_RETRY_MAX_AGE": 10,
    "MAIL_RETRY_COUNTDOWN_MAX": 2,
}
REQUESTS = 20
OLD_BUDGET = 6  # attempts after which the old code failed a message for good


def restart(smtp: SMTPServer) -> None:
    """Start the server again on its port with the same handler (an aiosmtpd Controller cannot restart)."""
    from aiosmtpd.controller import Controller

    smtp.controller = Controller(smtp.handler, hostname=smtp.host, port=smtp.port, ready_timeout=10)
    smtp.controller.start()


def refusals() -> dict[int, int]:
    """Transient failures per message so far."""
    rows = DeliveryAttempt.objects.filter(outcome="retry").values_list("message_id").annotate(n=Count("id"))
    return dict(rows.order_by())


def undelivered() -> dict[str, float]:
    families = {family.name: family for family in outbox_families(timezone.now())}
    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for name in ("hrportal_mail_undelivered", "hrportal_mail_undelivered_overdue")
        for sample in families[name].samples
    }
    return {
        "transient": samples[("hrportal_mail_undelivered", ("transient",))],
        "new": samples[("hrportal_mail_undelivered", ("new",))],
        "overdue": samples[("hrportal_mail_undelivered_overdue", ())],
    }


def test_every_message_is_delivered_once_after_a_long_smtp_outage(broker: Broker, cast: Any, settings: Any) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, **SCHEDULE}  # this process's metrics use the worker's horizon
    with SMTPServer() as smtp:
        env = worker_env(broker_url=broker.url(), smtp=smtp, EMAIL_TIMEOUT=5, **SCHEDULE)
        with CeleryWorker(env=env) as worker:
            with Sweeper(period=1.0, queued_older_than=1.0):  # beat, every second
                wait_for_consumer("mail", timeout=60)
                before = queue_mail(cast.manager)
                wait_until(lambda: smtp.count_by_outbox_id() == {before.pk: 1}, timeout=60, message=worker.log_tail)

                smtp.stop()  # connection refused from now on, as in issue 23
                filed = [
                    request_create(actor=cast.employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="income")
                    for _ in range(REQUESTS)
                ]
                outage = set(OutboxMessage.objects.exclude(pk=before.pk).values_list("pk", flat=True))
                assert len(outage) == REQUESTS == len(filed)  # one mail to HR (the cast's one member) per request

                def long_enough() -> bool:
                    counts = refusals()
                    first = OutboxMessage.objects.filter(pk__in=outage).aggregate(first=Min("created_at"))["first"]
                    past_horizon = (timezone.now() - first).total_seconds() > SCHEDULE["MAIL_RETRY_MAX_AGE"]
                    return past_horizon and all(counts.get(pk, 0) >= OLD_BUDGET for pk in outage)

                wait_until(
                    long_enough,
                    timeout=240,
                    interval=0.5,
                    message=lambda: f"refusals {sorted(refusals().values())}, {statuses()}\n{worker.log_tail()}",
                )
                # Nothing was given up on: every message waits on the schedule, and the metrics say so.
                assert not OutboxMessage.objects.filter(status=Status.FAILED).exists()
                assert set(OutboxMessage.objects.filter(pk__in=outage).values_list("last_error_kind", flat=True)) == {
                    "transient"
                }
                assert all(
                    "ConnectionRefusedError" in error
                    for error in DeliveryAttempt.objects.filter(message_id__in=outage)
                    .exclude(outcome="")  # an attempt in flight has no error yet
                    .values_list("error", flat=True)
                )
                during = undelivered()
                assert during["transient"] == REQUESTS and during["overdue"] == REQUESTS, during
                assert smtp.count_by_outbox_id() == {before.pk: 1}

                restart(smtp)
                wait_until(
                    lambda: statuses() == {Status.SENT: REQUESTS + 1},
                    timeout=120,
                    interval=0.5,
                    message=lambda: f"{statuses()}, {len(smtp.messages)} arrived\n{worker.log_tail()}",
                )
            worker.stop()  # anything still in flight finishes before counting

    # Exactly once: per outbox row, per Message-ID, per recipient.
    counts = smtp.count_by_outbox_id()
    assert counts == dict.fromkeys(outage | {before.pk}, 1), counts
    message_ids = [received.message["Message-ID"] for received in smtp.messages]
    assert len(message_ids) == len(set(message_ids)) == REQUESTS + 1
    # The first to the manager, the certificates' to HR, one recipient each.
    assert sorted(r.rcpt_tos[0] for r in smtp.messages if len(r.rcpt_tos) == 1) == sorted(
        [cast.manager.email] + [cast.hr.email] * REQUESTS
    )
    for pk in outage:
        outcomes = list(
            DeliveryAttempt.objects.filter(message_id=pk).order_by("number").values_list("outcome", flat=True)
        )
        assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"retry"}, (pk, outcomes)
        assert len(outcomes) > OLD_BUDGET
    assert undelivered() == {"transient": 0, "new": 0, "overdue": 0}
