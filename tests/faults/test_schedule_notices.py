"""The leave-schedule notice job (issue 18) is killed with its whole worker in the middle of a run, on a private
Redis and a private RabbitMQ node, and run again: each art. 123 notice exists once and reaches the SMTP server
exactly once.

The job writes each notice with its outbox row in a transaction of its own, so the killed run keeps the notices
it finished; its message is redelivered (acks_late, reject_on_worker_lost: RabbitMQ at once, Redis after the
visibility timeout — restored here at once, as in test_worker_kill) and beat's next run comes too: both skip
what exists (a unique constraint per part and start date) and write the rest. A PostgreSQL trigger makes each
notice insert take 0.7 s, so the kill lands mid-run while the worker runs the code unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.db import connection

from schedule.models import Notice
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS
from tests.faults.test_worker_kill import restore_unacknowledged
from tests.harness.beat import Sweeper
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS

ON = "2027-05-25"  # the job's date: the parts start 1–8 June, all within 14 days


@contextmanager
def slow_notices(seconds: float) -> Iterator[None]:
    table = connection.ops.quote_name(Notice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION test_slow_notice() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_sleep({float(seconds)}); RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_slow_notice BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION test_slow_notice()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS test_slow_notice ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS test_slow_notice()")


def approved_schedule(cast: Any) -> list[Any]:
    """Eight people, one part each, starting on 1, 2, …, 8 June 2027, in the approved 2027 schedule."""
    from schedule import services

    people = [
        cast.employee,
        cast.sub_employee,
        cast.outsider,
        cast.manager,
        cast.sub_manager,
        cast.other_manager,
        cast.hr,
        cast.ceo,
    ]
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC), tick=False):
        services.campaign_open(actor=cast.hr.user, year=2027, proposal_deadline=dt.date(2026, 12, 1))
        for offset, person in enumerate(people):
            start = dt.date(2027, 6, 1) + dt.timedelta(days=offset)
            services.part_add(actor=person.user, year=2027, start_date=start, end_date=start + dt.timedelta(days=13))
        services.campaign_approve(actor=cast.hr.user, year=2027)
    return people


def test_notice_job_killed_mid_run_sends_each_notice_once(broker: Broker, cast: Any) -> None:
    from schedule.tasks import send_due_notices

    people = approved_schedule(cast)
    # Nested: the worker's environment needs the running SMTP server's address.
    with SMTPServer() as smtp, slow_notices(0.7):  # noqa: SIM117
        with CeleryWorker(env=worker_env(broker_url=broker.url(), smtp=smtp)) as worker:
            send_due_notices.apply_async(args=[ON])
            wait_until(lambda: Notice.objects.count() >= 2, timeout=60, message=worker.log_tail)
            worker.kill()
            done_before = Notice.objects.count()
            assert 0 < done_before < len(people)

            worker.start()
            if broker.kind == "redis":
                restore_unacknowledged(broker.url())
            send_due_notices.apply_async(args=[ON])  # and beat's next run
            with Sweeper(period=1.0, queued_older_than=1.0):
                wait_until(lambda: Notice.objects.count() == len(people), timeout=120, message=worker.log_tail)
                wait_until(lambda: len(smtp.messages) >= len(people), timeout=120, message=worker.log_tail)
            worker.stop()

    notices = list(Notice.objects.order_by("start_date"))
    assert [n.employee_id for n in notices] == [p.pk for p in people]
    counts = smtp.count_by_outbox_id()
    assert len(counts) == len(people) and set(counts.values()) == {1}
    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == sorted(p.email for p in people)
