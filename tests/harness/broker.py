"""Pointing the test process's Celery app at a broker, and keeping brokers clean between tests.

- `celery_broker(url)`: `hrportal.celery.app` in this process publishes to `url` (what the code under test
  enqueues reaches the test's worker); the previous broker comes back on exit.
- `broker_url`: a fixture, CELERY_BROKER_URL (Redis) with its queues purged; import it into a test module
  (or a conftest) to use it. `private_broker()` is a private Redis as the broker, for a test's own outage.
- `wait_for_consumer(queue)`: a worker answers a canary task on the queue.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness.redis_server import RedisServer
from tests.harness.util import wait_until

QUEUES = ("default", "mail", "reports")


def env_broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def _reset_producer_pools(app: Any) -> None:
    pool = app._pool
    if pool is not None:
        with contextlib.suppress(Exception):
            pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        producers = amqp._producer_pool
        if producers is not None:
            with contextlib.suppress(Exception):
                producers.force_close_all()
        amqp._producer_pool = None
    # kombu keeps one producer pool per broker URL; the one just closed must not be handed out again.
    import kombu.pools

    kombu.pools.reset()


@contextlib.contextmanager
def celery_broker(url: str, transport_options: dict[str, Any] | None = None) -> Iterator[Any]:
    """Make `hrportal.celery.app` in this process publish to `url`; restore the previous broker after.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so that is switched too.
    """
    from hrportal.celery import app

    env_keys = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")
    saved_env = {key: os.environ.get(key) for key in env_keys}
    saved_conf = {
        key: app.conf.get(key)
        for key in ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    }
    _reset_producer_pools(app)
    for key in env_keys:
        os.environ.pop(key, None)
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_read_url = None
    app.conf.broker_write_url = None
    app.conf.broker_transport_options = dict(transport_options or {"visibility_timeout": 3600})
    try:
        yield app
    finally:
        _reset_producer_pools(app)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for key, value in saved_conf.items():
            app.conf[key] = value


@contextlib.contextmanager
def private_broker() -> Iterator[str]:
    """A private Redis as this process's broker for one test alone: nothing left in the shared broker by other
    tests (a message restored from an earlier test's killed worker, say) can add to the counts it asserts."""
    with RedisServer() as server, celery_broker(server.url()):
        yield server.url()


def wait_for_consumer(queue: str = "default", timeout: float = 60) -> None:
    """Wait until a worker answers a canary task on `queue` (a worker that logged "Connected" after a broker
    restart may still not consume). Needs the result backend (django-db by default)."""
    from hrportal.celery import ping

    def answered() -> bool:
        try:
            return ping.apply_async(queue=queue, expires=30).get(timeout=2, interval=0.1) == "pong"
        except Exception:
            return False

    wait_until(answered, timeout=timeout, interval=0.2, message=f"no worker consumes the {queue!r} queue")


def purge_queues(url: str, queues: tuple[str, ...] = QUEUES) -> None:
    """Empty the named queues on a broker (leftovers of an earlier test must not reach this test's worker)."""
    from hrportal.celery import app

    with app.connection_for_write(url) as conn:
        channel = conn.default_channel
        for queue in queues:
            with contextlib.suppress(Exception):
                channel.queue_purge(queue)


@pytest.fixture
def broker_url() -> Iterator[str]:
    """CELERY_BROKER_URL (Redis), its queues purged; the test process publishes there."""
    url = env_broker_url()
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip("needs a Redis broker (CELERY_BROKER_URL=redis://…) for a real worker")
    purge_queues(url)
    with celery_broker(url):
        yield url
