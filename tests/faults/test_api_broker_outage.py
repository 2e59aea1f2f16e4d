"""Issue 5, point 2, through the API: Redis is down while 50 requests are filed with `POST /api/v1/requests/`.

Every request is created (201) without waiting on the dead broker; each one's notification to its approver (HR) is
in the outbox, queued. Once Redis is back, with the outbox sweeper running every 5 s (beat's job, with a short
period), every notification reaches the SMTP server exactly once within two sweeper periods.
"""

from __future__ import annotations

import time
from typing import Any

from notifications.models import OutboxMessage
from requests_app.models import Request, RequestEvent
from tests.faults.conftest import Broker
from tests.faults.marks import FAULTS, Status, statuses
from tests.harness.beat import Sweeper
from tests.harness.broker import wait_for_consumer
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = FAULTS

SWEEP_PERIOD = 5.0
REQUESTS = 50


def test_requests_filed_while_redis_is_down_notify_once_after_it_is_back(
    redis_broker: Broker, cast: Any, api: Any
) -> None:
    client = api(cast.employee)
    with SMTPServer() as smtp, CeleryWorker(env=worker_env(broker_url=redis_broker.url(), smtp=smtp)) as worker:
        redis_broker.stop()
        took, ids = [], []
        for n in range(REQUESTS):
            started = time.monotonic()
            response = client.post(
                "/api/v1/requests/",
                {"kind": "certificate", "certificate_type": "employment", "copies": 1 + n % 3, "comment": f"#{n}"},
                format="json",
            )
            took.append(time.monotonic() - started)
            assert response.status_code == 201, response.content
            ids.append(response.json()["id"])
        assert max(took) < 5, took  # the dead broker does not hold a request up

        keys = {f"requests_app.request:{pk}" for pk in ids}
        assert Request.objects.filter(pk__in=ids).count() == REQUESTS
        assert RequestEvent.objects.filter(request_id__in=ids, action="created").count() == REQUESTS
        rows = OutboxMessage.objects.filter(event="request_created", object_key__in=keys)
        assert rows.count() == REQUESTS and {r.recipient_email for r in rows} == {cast.hr.email}  # HR's certificates
        assert statuses() == {Status.QUEUED: REQUESTS}
        outbox_ids = set(rows.values_list("pk", flat=True))

        redis_broker.start()
        wait_for_consumer("mail", timeout=90)
        with Sweeper(period=SWEEP_PERIOD, queued_older_than=1.0):
            wait_until(
                lambda: outbox_ids <= {m.outbox_id for m in smtp.messages},
                timeout=2 * SWEEP_PERIOD,
                message=lambda: f"{len(smtp.messages)} arrived, {statuses()}\n{worker.log_tail()}",
            )
        worker.stop()  # anything still in flight finishes before counting

    assert smtp.count_by_outbox_id() == dict.fromkeys(outbox_ids, 1), "a notification was lost or sent twice"
    assert statuses() == {Status.SENT: REQUESTS}
