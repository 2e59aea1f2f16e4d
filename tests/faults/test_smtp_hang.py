"""The SMTP server hangs: it accepts the connection and never answers (no greeting), or it answers everything
but the end of DATA. The attempt times out after EMAIL_TIMEOUT (2 s here), is recorded as a retry, and the
next attempt delivers the message once; a server that hangs on every attempt keeps the row on the retry
schedule — never stuck in `sending`, never `failed` (a hang is transient, issue 23) — until it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from notifications.models import DeliveryAttempt, OutboxMessage
from tests.faults.marks import FAULTS, Status, queue_mail, status_of
from tests.harness.broker import celery_broker
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.redis_server import RedisServer
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS

EMAIL_TIMEOUT = 2
OLD_BUDGET = 3  # more attempts than the old MAIL_MAX_RETRIES=2 of this module allowed


@dataclass
class Stack:
    smtp: SMTPServer
    worker: CeleryWorker


@pytest.fixture(scope="module")
def shared_stack(django_db_setup: None) -> Iterator[Stack]:
    """One private Redis, one SMTP server that hangs when told to, one worker for the module."""
    with RedisServer() as redis, SMTPServer() as smtp, celery_broker(redis.url()):
        env = worker_env(broker_url=redis.url(), smtp=smtp, EMAIL_TIMEOUT=EMAIL_TIMEOUT)
        with CeleryWorker(env=env) as worker:
            yield Stack(smtp=smtp, worker=worker)


@pytest.fixture
def stack(shared_stack: Stack) -> Stack:
    shared_stack.smtp.handler.reset()
    return shared_stack


def attempts_of(message: OutboxMessage) -> list[DeliveryAttempt]:
    return list(DeliveryAttempt.objects.filter(message=message).order_by("number"))


def test_a_server_that_never_greets_times_out_and_the_retry_delivers_once(stack: Stack, cast: Any) -> None:
    stack.smtp.handler.hang_greeting_next(1)
    message = queue_mail(cast.manager)
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)

    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}
    assert stack.smtp.handler.holds == 1
    wait_until(lambda: stack.smtp.handler.lost == 1, timeout=5)  # the client gave up and closed
    first, second = attempts_of(message)
    assert (first.outcome, second.outcome) == ("retry", "sent")
    assert "timed out" in first.error.lower()
    took = (first.finished_at - first.started_at).total_seconds()
    assert EMAIL_TIMEOUT - 0.5 <= took < 3 * EMAIL_TIMEOUT, took  # bounded by EMAIL_TIMEOUT, not forever


def test_a_server_that_hangs_at_the_end_of_data_times_out_and_the_retry_delivers_once(stack: Stack, cast: Any) -> None:
    stack.smtp.handler.hang_next(1)  # greets, takes the envelope and the data, never answers the final dot
    message = queue_mail(cast.manager)
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)

    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}
    wait_until(lambda: stack.smtp.handler.lost == 1, timeout=5)  # the held DATA: the client went away
    first, second = attempts_of(message)
    assert (first.outcome, second.outcome) == ("retry", "sent")
    assert "timed out" in first.error.lower()


def test_a_server_that_always_hangs_keeps_the_row_retrying_until_it_answers(stack: Stack, cast: Any) -> None:
    stack.smtp.handler.hang_greeting_next(1000)  # every connection
    message = queue_mail(cast.manager)

    def retried() -> bool:
        return [a.outcome for a in attempts_of(message)].count("retry") > OLD_BUDGET

    wait_until(retried, timeout=120, message=stack.worker.log_tail)
    retries = [a for a in attempts_of(message) if a.outcome == "retry"]
    assert all("timed out" in a.error.lower() for a in retries)
    row = OutboxMessage.objects.get(pk=message.pk)
    assert row.status in (Status.QUEUED, Status.SENDING)  # waiting for its next try, or in it
    assert row.last_error_kind == "transient" and "timed out" in row.last_error.lower()
    assert stack.smtp.messages == []

    stack.smtp.handler.reset()  # answers again
    wait_until(lambda: status_of(message) == Status.SENT, timeout=60, message=stack.worker.log_tail)
    assert stack.smtp.count_by_outbox_id() == {message.pk: 1}
    attempts = attempts_of(message)
    assert [a.outcome for a in attempts][-1] == "sent"
    assert {a.outcome for a in attempts[:-1]} == {"retry"}
    assert all(a.finished_at is not None for a in attempts)
    assert not OutboxMessage.objects.filter(status__in=[Status.SENDING, Status.FAILED]).exists()
