"""Fixtures of the fault scenarios: private brokers (a Redis and a RabbitMQ node, one of each per session,
stopped and started by the scenarios), and the broker parameter that runs a scenario against both.

Every scenario carries `FAULTS` (tests/faults/marks.py): it runs only where DATABASE_URL is PostgreSQL and
CELERY_BROKER_URL is set (as in CI, where nothing may skip). The brokers it breaks are always private ones on
free ports; CELERY_BROKER_URL itself is never stopped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.harness.broker import QUEUES, celery_broker
from tests.harness.rabbitmq import RabbitMQServer
from tests.harness.redis_server import RedisServer


@dataclass
class Broker:
    """One private broker, as a scenario sees it: its URL, and stop()/start() for an outage."""

    kind: str  # "redis" or "rabbitmq"
    server: RedisServer | RabbitMQServer

    def url(self) -> str:
        return self.server.url()

    def transport_options(self) -> dict[str, Any]:
        # What settings.py sets for each scheme (the test process's own settings were made for CI's broker).
        if self.kind == "redis":
            return {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
        return {"confirm_publish": True}

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()

    def purge(self) -> None:
        """Empty the queues (and, on the private Redis, the unacknowledged set) left by an earlier scenario."""
        if self.kind == "redis":
            import redis

            client = redis.Redis.from_url(self.url())
            client.flushall()
            client.close()
            return
        from kombu import Connection

        with Connection(self.url()) as conn:
            for queue in QUEUES:
                channel = conn.channel()
                # A queue not declared yet has nothing to purge (the failed call closes the channel).
                with contextlib.suppress(Exception):
                    channel.queue_purge(queue)
                with contextlib.suppress(Exception):
                    channel.close()


@pytest.fixture(scope="session")
def redis_node() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def rabbitmq_node() -> Iterator[RabbitMQServer]:
    server = RabbitMQServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def redis_broker(redis_node: RedisServer) -> Iterator[Broker]:
    yield from _use(Broker("redis", redis_node))


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    """Runs the scenario twice: against a private Redis and against a private RabbitMQ node."""
    server = request.getfixturevalue(f"{request.param}_node")
    yield from _use(Broker(request.param, server))


def _use(broker: Broker) -> Iterator[Broker]:
    broker.start()  # an earlier scenario may have failed with it stopped
    broker.purge()
    with celery_broker(broker.url(), broker.transport_options()):
        yield broker


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Report files of this scenario (the worker is given the same MEDIA_ROOT)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root
