"""The marks and small helpers every fault scenario shares."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from django.db import transaction

from notifications.models import DeliveryAttempt, OutboxMessage
from staff.models import Department, Employee
from tests.harness.postgres import postgres_bin_dir
from tests.harness.rabbitmq import rabbitmq_server_script


def _missing_environment() -> str:
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        return (
            "fault scenarios need DATABASE_URL=postgres://… (a worker process cannot see a SQLite test database) "
            "and CELERY_BROKER_URL; CI sets both"
        )
    if not os.environ.get("CELERY_BROKER_URL"):
        return "fault scenarios need CELERY_BROKER_URL (CI sets it) besides PostgreSQL"
    return ""


def _missing_binaries() -> str:
    missing = [name for name in ("redis-server",) if shutil.which(name) is None]
    if rabbitmq_server_script() is None:
        missing.append("rabbitmq-server")
    if postgres_bin_dir() is None:
        missing.append("initdb/pg_ctl")
    return f"missing {', '.join(missing)} (.ci/run installs them)" if missing else ""


MISSING = _missing_environment() or _missing_binaries()

# A scenario that needs only what it starts itself (the PostgreSQL restart makes its own cluster).
FAULTS_NO_DB = [
    pytest.mark.faults,
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.skipif(bool(MISSING), reason=MISSING),
]
# A scenario whose worker shares the test database.
FAULTS = [*FAULTS_NO_DB, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status


def queue_mail(recipient: Employee, event: str = "request_created") -> OutboxMessage:
    """Commit a change and its one outbox row in one transaction, as a service does: the change here is a new
    department (any saved object will do; each message is about its own object)."""
    from notifications.services import notify
    from notifications.tests.factories import fake_request

    with transaction.atomic():
        obj = Department.objects.create(name=f"Fault {uuid.uuid4().hex[:8]}")
        context = {"request": fake_request(recipient, id=obj.pk), "actor": recipient}
        [message] = notify(event=event, obj=obj, recipients=[recipient], context=context)
    return message


def status_of(message: OutboxMessage | int) -> str:
    pk = message if isinstance(message, int) else message.pk
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=pk)


def outcomes(message: OutboxMessage | int) -> list[str]:
    pk = message if isinstance(message, int) else message.pk
    return list(DeliveryAttempt.objects.filter(message_id=pk).order_by("number").values_list("outcome", flat=True))


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in OutboxMessage.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
