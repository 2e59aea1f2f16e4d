"""Issue 9, acceptance 4 and 5, with a real Celery worker on a real Redis broker and PostgreSQL.

4. A request's id appears in the log lines of the task it enqueued: `/readyz?deep=1` publishes the canary task
   `hrportal.ping` from the web request; the worker (JSON logs) writes the canary's line with that request id.
5. `/readyz?deep=1` answers 503 while no worker runs, 200 once one does, and 503 again after it stopped.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.harness.broker import private_broker
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.marks import requires_postgres, requires_redis_broker
from tests.harness.util import wait_until

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    requires_postgres,
    requires_redis_broker,
]


@pytest.fixture
def broker_url() -> Iterator[str]:
    with private_broker() as url:
        yield url


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def deep_ready(client: Client, timeout: float, **headers: str) -> Any:
    return client.get("/readyz", {"deep": "1", "timeout": str(timeout)}, **headers)


def test_readyz_deep_answers_503_without_a_worker_and_200_with_one(client: Client, broker_url: str) -> None:
    response = deep_ready(client, 1)
    assert response.status_code == 503
    assert any(p.startswith("worker: no answer") for p in response.json()["problems"]), response.json()

    with CeleryWorker(env=worker_env(broker_url=broker_url)) as worker:
        response = deep_ready(client, 30)
        assert response.status_code == 200, (response.json(), worker.log_tail())
        assert response.json() == {"status": "ok"}

    response = deep_ready(client, 1)
    assert response.status_code == 503
    # The shallow probe does not ask a worker: database and broker are fine.
    assert client.get("/readyz").status_code == 200


def test_request_id_reaches_the_log_lines_of_the_task_it_enqueued(client: Client, broker_url: str) -> None:
    request_id = f"obs-{uuid.uuid4().hex}"
    env = worker_env(broker_url=broker_url, LOG_FORMAT="json")
    with CeleryWorker(env=env) as worker:
        response = deep_ready(client, 30, HTTP_X_REQUEST_ID=request_id)
        assert response.status_code == 200, (response.json(), worker.log_tail())
        assert response["X-Request-ID"] == request_id

        def canary_line() -> dict[str, Any] | None:
            for line in json_lines(worker.log_text()):
                if line.get("message") == "canary task answered" and line.get("request_id") == request_id:
                    return line
            return None

        line = wait_until(canary_line, timeout=20, message=worker.log_tail)
        assert line["logger"] == "hrportal.celery"
        assert line["level"] == "INFO"
        assert line["time"]
        # Another task, not enqueued by a request, gets an id of its own ("task-<task id>"), never this one.
        from hrportal.celery import ping

        result = ping.apply_async(queue="default")
        assert result.get(timeout=20) == "pong"
        other = wait_until(
            lambda: [
                line
                for line in json_lines(worker.log_text())
                if line.get("message") == "canary task answered" and line.get("request_id") != request_id
            ],
            timeout=20,
            message=worker.log_tail,
        )
        assert other[0]["request_id"] == f"task-{result.id}"
