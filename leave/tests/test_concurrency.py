"""Real concurrency on PostgreSQL: the account row lock serialises balance checks and inserts.

Transactional tests (no wrapping transaction), one database connection per thread, all threads released
at once by a barrier. SQLite ignores FOR UPDATE, so these run on PostgreSQL only (CI provides it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from conftest import Cast, make_employee
from hrportal.errors import ValidationFailed
from leave import selectors, services
from leave.models import LeaveAccount, LeaveEntry, LeaveType
from leave.tests.conftest import D, d
from tests.harness.util import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]
THREADS = 20


def _run_at_once(work: Callable[[int], str]) -> Counter[Any]:
    """Each outcome's count (an exception counts as itself) of `work(0..THREADS-1)` run at once."""
    return Counter(run_together([partial(work, index) for index in range(THREADS)], timeout=60))


def test_twenty_reservations_of_one_day_with_five_available(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    # Hired 1 June 2025: the first working year grants 28 days (art. 122); HR's correction takes 23 away.
    person = make_employee(username="racer", department=cast.sales, hire_date=d("2025-06-01"))
    services.leave_adjust(
        employee=person, leave_type="annual", days=D(-23), actor=None, comment="fix", effective_date=d("2025-06-01")
    )
    start = d("2025-06-14")
    assert selectors.balance(employee=person, leave_type="annual", on=start).available == D(5)

    def reserve(index: int) -> str:
        try:
            services.leave_reserve(
                request_id=5000 + index,
                employee=person,
                leave_type="annual",
                start_date=start,
                end_date=start,
                days=D(1),
            )
        except ValidationFailed:
            return "refused"
        return "reserved"

    outcomes = _run_at_once(reserve)
    assert outcomes == Counter({"reserved": 5, "refused": 15})
    assert LeaveEntry.objects.filter(account__employee=person, kind="reserve").count() == 5
    assert selectors.balance(employee=person, leave_type="annual", on=start).available == D(0)


def test_first_use_of_an_account_from_many_threads(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    person = make_employee(username="first", department=cast.sales, hire_date=d("2025-06-01"))

    def adjust(index: int) -> str:
        services.leave_adjust(
            employee=person,
            leave_type="annual",
            days=D(1),
            actor=None,
            comment="x",
            idempotency_key=f"race-{index % 10}",
        )
        return "ok"

    assert _run_at_once(adjust) == Counter({"ok": THREADS})
    assert LeaveAccount.objects.filter(employee=person).count() == 1
    # Two threads per key: each key wrote once.
    assert LeaveEntry.objects.filter(account__employee=person).count() == 10
