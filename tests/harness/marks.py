"""What a test needs from its environment, as marks: PostgreSQL, a Redis broker, the redis-server binary.

Integration tests (a real worker sharing the test database) carry `INTEGRATION`: `pytestmark = INTEGRATION`.
"""

from __future__ import annotations

import pytest

from tests.harness.broker import env_broker_url
from tests.harness.redis_server import have_redis_server


def database_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not database_is_postgres(),
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): a SQLite test database is invisible to a worker process",
)
requires_redis_broker = pytest.mark.skipif(
    not env_broker_url().startswith(("redis://", "rediss://")),
    reason="needs a Redis broker (CELERY_BROKER_URL=redis://…) for a real worker",
)
requires_redis_server = pytest.mark.skipif(
    not have_redis_server(), reason="needs the redis-server binary to run a private Redis"
)

# The marks every integration test carries (pytest.ini declares `broker` and `postgres`).
INTEGRATION = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    requires_postgres,
]
