"""Issue 4, points 3 and 4: overlap and balance hold when requests arrive at the same moment.

Real PostgreSQL, one connection per thread, released together by a barrier (SQLite ignores
FOR UPDATE and Django's TestCase hides concurrency, so these are transaction=True tests).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from requests_app.models import Request
from tests.harness.util import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # the messages below are read in English
    return client


def test_two_overlapping_absences_at_once_one_is_refused_with_409(cast) -> None:
    user = cast.employee.user
    payloads = [
        {
            "kind": "business_trip",
            "start_date": "2026-05-12",
            "end_date": "2026-05-15",
            "destination": "Омск",
            "purpose": "A",
        },
        {
            "kind": "business_trip",
            "start_date": "2026-05-14",
            "end_date": "2026-05-18",
            "destination": "Томск",
            "purpose": "B",
        },
    ]
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        results = run_together(
            [lambda p=p: _client(user).post("/api/v1/requests/", p, format="json") for p in payloads]
        )
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409], [getattr(r, "content", r) for r in results]
    assert Request.objects.filter(employee=cast.employee).count() == 1


def test_exclusion_constraint_holds_without_the_python_check(cast) -> None:
    """Bypass the service: the database itself refuses an overlapping pending absence."""
    from django.db import IntegrityError, transaction

    common = {
        "employee": cast.employee,
        "kind": "business_trip",
        "created_by": cast.employee.user,
        "stage": "manager",
        "stages": ["manager"],
    }
    Request.objects.create(start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 5, 3), **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.create(start_date=dt.date(2026, 5, 3), end_date=dt.date(2026, 5, 4), **common)
    # Rejected or cancelled absences do not block.
    Request.objects.create(
        start_date=dt.date(2026, 5, 3),
        end_date=dt.date(2026, 5, 4),
        status="rejected",
        **{k: v for k, v in common.items()},
    )


def test_the_constraint_refusal_is_a_clean_409_and_leaves_the_connection_usable(cast, monkeypatch) -> None:
    """The filing has no savepoint of its own around the insert: with the Python overlap check out of the way,
    the exclusion constraint's refusal must still come back as a 409 with nothing saved, whether the service's
    transaction is the outermost one (the API) or nested in a caller's (then the caller can go on)."""
    from django.db import transaction

    from hrportal.errors import Conflict
    from requests_app import services

    monkeypatch.setattr(services, "_check_no_overlap", lambda **kwargs: None)
    trip = {"kind": "business_trip", "destination": "Омск", "purpose": "A"}
    client = _client(cast.employee.user)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        first = client.post("/api/v1/requests/", {**trip, "start_date": "2026-05-12", "end_date": "2026-05-15"})
        second = client.post("/api/v1/requests/", {**trip, "start_date": "2026-05-14", "end_date": "2026-05-18"})
        assert (first.status_code, second.status_code) == (201, 409), second.content
        assert second.json() == {"detail": "These dates overlap another pending or approved absence of this employee."}
        with transaction.atomic():
            with pytest.raises(Conflict):
                services.request_create(
                    actor=cast.employee.user,
                    start_date=dt.date(2026, 5, 15),
                    end_date=dt.date(2026, 5, 16),
                    **trip,
                )
            assert Request.objects.filter(employee=cast.employee).count() == 1  # the caller's transaction goes on
    assert Request.objects.filter(employee=cast.employee).count() == 1


def test_twenty_one_day_leaves_with_five_days_available(cast, leave_ready, grant_only) -> None:
    employee = cast.employee
    # Annual leave accrues month by month, so "available" steps up within spring: pick a stretch
    # of days over which the projected accrual is constant and take 20 of its working days
    # (a one-day leave on a working day charges exactly 1 day).
    from leave.models import CalendarDay
    from leave.selectors import balance as leave_balance

    holidays = set(CalendarDay.objects.filter(kind="public_holiday").values_list("date", flat=True))
    span = [dt.date(2026, 4, 1) + dt.timedelta(days=i) for i in range(91)]
    level = {d: leave_balance(employee=employee, leave_type="annual", on=d).available for d in span}
    runs: list[list[dt.date]] = [[]]
    for d in span:
        if runs[-1] and level[runs[-1][-1]] != level[d]:
            runs.append([])
        runs[-1].append(d)
    best = max(runs, key=lambda run: sum(1 for d in run if d.weekday() < 5 and d not in holidays))
    chosen = [d for d in best if d.weekday() < 5 and d not in holidays][:20]
    grant_only(employee, Decimal("5"), best[0], best[-1])
    assert len(chosen) == 20
    user = employee.user
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=True):
        results = run_together(
            [
                lambda d=d: _client(user).post(
                    "/api/v1/requests/",
                    {"kind": "leave", "leave_type": "annual", "start_date": d.isoformat(), "end_date": d.isoformat()},
                    format="json",
                )
                for d in chosen
            ]
        )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = Counter(r.status_code for r in results)
    assert codes == {201: 5, 400: 15}, codes
    refusals = [r.json() for r in results if r.status_code == 400]
    assert all("balance" in " ".join(body.get("end_date", [])).lower() for body in refusals), refusals[:2]
    from leave.models import LeaveType
    from leave.selectors import balance

    annual = LeaveType.objects.get(code="annual")
    # Every reservation was checked against what accrues by its own start: on the stretch, exactly 0 is left.
    assert balance(employee=employee, leave_type=annual, on=best[0]).available == 0
    assert balance(employee=employee, leave_type=annual, on=best[-1]).available == 0
