"""Issue 5's acceptance, with a real Celery worker, a real Redis broker and a real SMTP server (aiosmtpd).

The requests API is written in parallel, so each scenario queues mail through `notify()` inside a transaction
about a test object, exactly as a service does. Retries are short here (MAIL_RETRY_BACKOFF_MAX=1: every wait
of the retry schedule is a second).

1. SMTP answers 451 to the first N deliveries: one message arrives after N+1 attempts, however large N (a
   transient refusal never fails a message, issue 23); a 550 fails it at once, nothing more is sent, and
   "send again" in the admin delivers it.
2. Redis is down while 50 events commit: nothing raises; after Redis is back every message arrives exactly once
   within two sweeper periods.
3. The worker is SIGKILLed while the SMTP server holds DATA: after a restart the message arrives, once.
4. A service that raises after notify() leaves no row and sends nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client

from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services import notify
from notifications.tests.factories import fake_request, make_person
from staff.models import Department, Employee
from tests.faults.marks import Status, outcomes, queue_mail, status_of
from tests.harness.beat import Sweeper
from tests.harness.broker import celery_broker, env_broker_url, purge_queues, wait_for_consumer
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.marks import INTEGRATION, requires_redis_server
from tests.harness.redis_server import RedisServer
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = INTEGRATION

OLD_BUDGET = 6  # attempts after which the code before issue 23 failed a message for good
APPROVED = "request_approved"  # the event of the mail the scenarios queue


@dataclass
class Stack:
    smtp: SMTPServer
    worker: CeleryWorker


@pytest.fixture(scope="module")
def shared_stack(django_db_setup: None) -> Iterator[Stack]:
    """One SMTP server and one worker on CELERY_BROKER_URL for the tests that do not break anything."""
    url = env_broker_url()
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip("needs a Redis broker (CELERY_BROKER_URL=redis://…) for a real worker")
    purge_queues(url)
    with SMTPServer() as smtp, celery_broker(url):
        env = worker_env(broker_url=url, smtp=smtp)
        with CeleryWorker(env=env) as worker:
            yield Stack(smtp=smtp, worker=worker)


@pytest.fixture
def stack(shared_stack: Stack) -> Stack:
    shared_stack.smtp.handler.reset()
    return shared_stack


@pytest.fixture
def person() -> Employee:
    return make_person()


# --- 1. transient refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("refusals", [0, 1, 3, OLD_BUDGET + 2])
def test_refused_n_times_then_delivered_once(stack: Stack, person: Employee, refusals: int) -> None:
    stack.smtp.handler.refuse_next(refusals)
    message = queue_mail(person, event=APPROVED)
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)
    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}
    assert stack.smtp.handler.refused == refusals
    assert outcomes(message) == ["retry"] * refusals + ["sent"]
    [received] = stack.smtp.messages
    assert received.rcpt_tos == [person.email]
    assert received.subject == message.subject


def test_a_permanent_refusal_fails_at_once_then_send_again_delivers(
    stack: Stack, person: Employee, admin_client: Client
) -> None:
    stack.smtp.handler.reject_next(1)
    message = queue_mail(person, event=APPROVED)
    wait_until(lambda: status_of(message) == Status.FAILED, timeout=60, message=stack.worker.log_tail)
    assert outcomes(message) == ["failed"]
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.last_error_kind == "permanent"
    assert "550 5.1.1 no such user" in row.last_error
    assert stack.smtp.messages == []

    # Nothing more is sent: the sweeper leaves a permanent refusal alone, and no claim can take it.
    from notifications.tasks import sweep_outbox

    assert sweep_outbox(queued_older_than=0)["published"] == 0
    assert status_of(message) == Status.FAILED
    assert stack.smtp.handler.data_calls == 1

    response = admin_client.post(
        "/admin/notifications/outboxmessage/", {"action": "send_again", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)
    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}
    assert outcomes(message) == ["failed", "sent"]


def test_a_4xx_at_rcpt_is_retried(stack: Stack, person: Employee) -> None:
    stack.smtp.handler.refuse_rcpt_next(1)
    message = queue_mail(person, event=APPROVED)
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)
    assert outcomes(message) == ["retry", "sent"]
    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}


# --- 4. rollback ---------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


@transaction.atomic
def approve_then_fail(*, person: Employee) -> None:
    """A service that queues its mail, then fails: the whole transaction rolls back."""
    person.extra_leave_days = 3
    person.save(update_fields=["extra_leave_days"])
    notify(event="request_approved", obj=person, recipients=[person], context={"request": fake_request(person)})
    raise Boom


def test_a_service_that_raises_after_notify_sends_nothing(stack: Stack, person: Employee) -> None:
    with pytest.raises(Boom):
        approve_then_fail(person=person)
    assert not OutboxMessage.objects.exists()
    Employee.objects.get(pk=person.pk, extra_leave_days=0)  # the change rolled back with the mail

    # A control message through the same worker proves the pipeline runs; it is the only one to arrive.
    control = queue_mail(person, event="request_rejected")
    wait_until(lambda: status_of(control) == Status.SENT, timeout=60, message=stack.worker.log_tail)
    from notifications.tasks import sweep_outbox

    assert sweep_outbox(queued_older_than=0)["published"] == 0
    assert stack.smtp.count_by_outbox_id() == {control.pk: 1}


# --- 2. broker outage ----------------------------------------------------------------------------------------

SWEEP_PERIOD = 5.0


@pytest.mark.faults
@requires_redis_server
def test_every_message_arrives_once_after_a_broker_outage(person: Employee) -> None:
    approver = make_person(language="en")
    with (
        RedisServer() as redis,
        SMTPServer() as smtp,
        celery_broker(redis.url()),
        CeleryWorker(env=worker_env(broker_url=redis.url(), smtp=smtp)) as worker,
    ):
        # Before the outage the normal path works.
        before = queue_mail(approver, event="request_created")
        wait_until(lambda: status_of(before) == Status.SENT, timeout=60, message=worker.log_tail)

        redis.stop()
        durations = []
        for n in range(50):
            started = time.monotonic()
            with transaction.atomic():  # one "request" per transaction, as the API would commit it
                department = Department.objects.create(name=f"Outage {n}")
                notify(
                    event="request_created",
                    obj=department,
                    recipients=[approver],
                    context={"request": fake_request(person, id=department.pk), "actor": person},
                )
            durations.append(time.monotonic() - started)
        assert Department.objects.filter(name__startswith="Outage").count() == 50
        outage_ids = set(
            OutboxMessage.objects.filter(status=Status.QUEUED).exclude(pk=before.pk).values_list("pk", flat=True)
        )
        assert len(outage_ids) == 50
        assert max(durations) < 5, durations  # the caller is not held up by the dead broker

        redis.start()
        wait_for_consumer("mail", timeout=90)
        with Sweeper(period=SWEEP_PERIOD, queued_older_than=1.0):
            wait_until(
                lambda: outage_ids <= {m.outbox_id for m in smtp.messages},
                timeout=2 * SWEEP_PERIOD,
                message=lambda: f"{len(smtp.messages)} arrived\n{worker.log_tail()}",
            )
        worker.stop()  # let anything still in flight finish before counting
        counts = smtp.count_by_outbox_id()
        assert {pk: counts.get(pk) for pk in outage_ids} == dict.fromkeys(outage_ids, 1)
        assert counts[before.pk] == 1
        assert not OutboxMessage.objects.exclude(status=Status.SENT).exists()


# --- 3. worker killed mid-send -------------------------------------------------------------------------------

# EMAIL_TIMEOUT=2 gives the send task a 10 s soft and 12 s hard limit; the sweeper reclaims after 17 s.
KILL_ENV = {"EMAIL_TIMEOUT": 2}


def _hold_then_kill(kill: str, person: Employee) -> None:
    with (
        RedisServer() as redis,
        SMTPServer() as smtp,
        celery_broker(redis.url()),
        CeleryWorker(env=worker_env(broker_url=redis.url(), smtp=smtp, **KILL_ENV)) as worker,
    ):
        smtp.handler.hang_next(1)
        message = queue_mail(person, event=APPROVED)
        wait_until(lambda: smtp.handler.holding == 1, timeout=30, message=worker.log_tail)
        if kill == "worker":
            worker.kill()
        else:
            for pid in worker.pool_pids():  # the pool process sending it among them
                worker.kill_child(pid)
        wait_until(lambda: smtp.handler.lost == 1, timeout=10)
        assert status_of(message) == Status.SENDING
        assert smtp.messages == []

        if kill == "worker":
            worker.start()
        with Sweeper(period=2.0, queued_older_than=1.0):
            wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=worker.log_tail)
        worker.stop()
        assert smtp.count_by_outbox_id() == {message.pk: 1}
        # One held DATA, one delivery: no other run tried to send while the row was claimed.
        assert smtp.handler.data_calls == 2
        attempts = DeliveryAttempt.objects.filter(message=message).order_by("number")
        assert [(a.number, a.outcome) for a in attempts] == [(1, "retry"), (2, "sent")]
        assert "worker lost" in attempts[0].error


@pytest.mark.faults
@requires_redis_server
def test_worker_sigkilled_while_smtp_holds_data_delivers_once_after_restart(person: Employee) -> None:
    _hold_then_kill("worker", person)


@pytest.mark.faults
@requires_redis_server
def test_pool_process_sigkilled_is_redelivered_and_still_sends_once(person: Employee) -> None:
    # reject_on_worker_lost redelivers the task at once; it finds the row claimed and leaves it to the sweeper.
    _hold_then_kill("child", person)
