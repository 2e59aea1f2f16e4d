"""20 approvals at the same moment make 20 orders numbered 1…20: no gap, no repeat (real PostgreSQL, a thread
and a connection per approval, released together by a barrier; the register row's lock serialises them)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from conftest import make_employee
from documents.models import Document, DocumentRegister
from requests_app import services as request_services
from requests_app.models import Request
from tests.harness.util import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]

N = 20


def test_twenty_concurrent_approvals_number_twenty_orders_without_gaps(cast, settings, tmp_path) -> None:
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    people = [make_employee(username=f"traveller{i}", department=cast.sales, last_name=f"Путник{i}") for i in range(N)]
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        requests = [
            request_services.request_create(
                actor=person.user,
                kind="business_trip",
                start_date=dt.date(2026, 6, 1),
                end_date=dt.date(2026, 6, 2),
                destination="Казань",
                purpose="Выставка",
            )
            for person in people
        ]
        manager_id = cast.manager.user.pk

        def approve(request_id: int) -> object:
            from django.contrib.auth.models import User

            return request_services.request_approve(request_id=request_id, actor=User.objects.get(pk=manager_id))

        results = run_together([lambda r=r: approve(r.pk) for r in requests])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert Request.objects.filter(status="approved").count() == N
    seqs = sorted(Document.objects.filter(kind="trip_order", year=2026).values_list("seq", flat=True))
    assert seqs == list(range(1, N + 1))
    numbers = set(Document.objects.filter(kind="trip_order").values_list("number", flat=True))
    assert numbers == {f"{i}-к" for i in range(1, N + 1)}
    assert DocumentRegister.objects.get(kind="trip_order", year=2026).last_number == N
    # Each order names its own employee.
    for document in Document.objects.filter(kind="trip_order").select_related("request"):
        assert document.employee_id == document.request.employee_id
