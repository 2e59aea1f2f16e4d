"""The approvals inbox lists exactly what its owner may decide: the manager step follows `manager_of`'s whole
head chain, as the approve/reject services do."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app import policy, services
from requests_app.models import Request
from staff import access
from staff.models import Delegation, Employee

pytestmark = pytest.mark.django_db


def _manager_step(employee) -> Request:
    """A request its employee's manager decides (a trip far from the other trips here; certificates go to HR)."""
    return _trip(employee, dt.date(2027, 9, 1))


def _trip(employee, start: dt.date) -> Request:
    return services.request_create(
        actor=employee.user,
        kind=Request.Kind.BUSINESS_TRIP,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        destination="Казань",
        purpose="Выставка",
    )


def _asked_to_cancel(employee, start: dt.date) -> Request:
    """An approved trip of `employee` whose cancellation they have asked for."""
    trip = _trip(employee, start)
    while trip.status == Request.Status.PENDING:
        decider = next(
            e
            for e in Employee.objects.select_related("user")
            if "approve" in policy.allowed(e.user, trip) and e.user.is_active
        )
        trip = services.request_approve(request_id=trip.pk, actor=decider.user)
    return services.request_cancel(request_id=trip.pk, actor=employee.user)


def _decides_now(user, request: Request) -> bool:
    allowed = policy.allowed(user, request)
    return "approve" in allowed or "confirm_cancellation" in allowed


def _inbox(employee) -> set[int]:
    return set(policy.inbox(employee.user).values_list("pk", flat=True))


def test_a_head_whose_parent_department_has_no_head_goes_to_the_next_head_up(cast) -> None:
    cast.sales.head = None  # sales_east's parent is now headless: sub_manager's manager is the CEO
    cast.sales.save()
    assert access.manager_of(cast.sub_manager) == cast.ceo
    filed = _manager_step(cast.sub_manager)
    assert filed.stage == "manager"
    assert filed.pk in _inbox(cast.ceo)
    assert "approve" in policy.allowed(cast.ceo.user, filed)
    assert filed.pk not in _inbox(cast.manager)  # no longer anyone's head here


@time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_inbox_agrees_with_decision_capacity_for_everyone(cast) -> None:
    """The inbox is what `allowed` lets the user decide now: the pending requests they approve, and the
    cancellations the employee asked for that they confirm or decline."""
    today = timezone.localdate()
    Delegation.objects.create(manager=cast.manager, deputy=cast.outsider, start_date=today, end_date=today)
    cast.sub_employee.manager_override = cast.other_manager
    cast.sub_employee.save()
    filed = [_manager_step(e) for e in (cast.employee, cast.sub_employee, cast.sub_manager, cast.manager, cast.hr)]
    later = today + dt.timedelta(days=20)
    asked = [_asked_to_cancel(e, later) for e in (cast.employee, cast.sub_employee, cast.sub_manager, cast.manager)]
    started = _asked_to_cancel(cast.employee, today + dt.timedelta(days=30))
    everything = [*filed, *asked, started]
    people = [cast.ceo, cast.manager, cast.sub_manager, cast.other_manager, cast.outsider, cast.hr, cast.employee]
    for person in people:
        expected = {r.pk for r in everything if _decides_now(person.user, r)}
        assert _inbox(person) == expected, person.user.username
    # The deputy's inbox is the manager's (but their own request is not theirs to decide).
    employee_side = {r.pk for r in everything if r.employee in (cast.employee, cast.sub_manager)}
    assert _inbox(cast.outsider) == employee_side
    assert {r.pk for r in asked if r.employee == cast.employee} <= _inbox(cast.manager)
    # The day after the delegation, it is gone.
    assert not policy.inbox(cast.outsider.user, on=today + dt.timedelta(days=1)).exists()
    # Once the trip has begun, only HR decides on its cancellation.
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert started.pk not in _inbox(cast.manager)
        assert started.pk in _inbox(cast.hr)
        assert not _decides_now(cast.manager.user, started)


def test_counting_hrs_inbox_reads_requests_only(cast) -> None:
    """HR's nav badge counts HR's inbox on every HR page. "Not one's own request" compares the employee's id, so the
    count reads the requests alone: a join to the employees to compare logins made PostgreSQL hash every employee
    to count a few hundred requests (9 of 10 ms at 30,000 people, docs/benchmarks.md)."""
    own = services.request_create(actor=cast.hr.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment")
    theirs = services.request_create(
        actor=cast.employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment"
    )
    assert (own.stage, theirs.stage) == ("hr", "hr")
    with CaptureQueriesContext(connection) as queries:
        count = policy.inbox(cast.hr.user).count()
    assert 'JOIN "staff_employee"' not in queries[-1]["sql"]  # (a head among HR: their reports by id)
    assert set(policy.inbox(cast.hr.user).values_list("pk", flat=True)) == {theirs.pk}
    assert count == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan (DATABASE_URL=postgres://...)")
def test_hrs_inbox_page_walks_the_open_requests_not_the_history(cast) -> None:
    """The inboxes read oldest first. Over a history of closed requests, PostgreSQL walked the created_at index
    from the company's first request to find the few still open (HR's dashboard p95 5.40× from 300 to 30,000
    people, docs/benchmarks.md); `request_open_created_idx` holds the open ones alone, and every arm of
    `policy.inbox` lies inside its condition, so the planner can take it. Fails if the index goes or the inbox
    asks outside it."""
    theirs = services.request_create(
        actor=cast.employee.user, kind=Request.Kind.CERTIFICATE, certificate_type="employment"
    )
    closed = [Request.Status.APPROVED, Request.Status.REJECTED, Request.Status.CANCELLED]
    Request.objects.bulk_create(
        Request(
            employee=cast.employee, kind=Request.Kind.CERTIFICATE, status=closed[i % 3], created_by=cast.employee.user
        )
        for i in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE requests_app_request")
    page = policy.inbox(cast.hr.user).with_details().order_by("created_at", "id")[:5]
    assert [r.pk for r in page] == [theirs.pk]
    assert "request_open_created_idx" in page.explain()


def test_a_heads_inbox_asks_for_their_reports_by_id(cast) -> None:
    """A head's inbox names the ids of the people they decide for, read first: as a subquery PostgreSQL read every
    open manager-step request of the company and joined each to its employee to find the few of these people
    (a team's head's preview 35.1 → 10.5 ms at 30,000 people, docs/decisions/scale-reads.md)."""
    trip = _manager_step(cast.employee)
    with CaptureQueriesContext(connection) as queries:
        assert set(policy.inbox(cast.manager.user).values_list("pk", flat=True)) == {trip.pk}
    sql = queries[-1]["sql"]
    assert "IN (SELECT" not in sql.upper()
    lists = [{int(pk) for pk in found.split(",")} for found in re.findall(r"IN \(([0-9, ]+)\)", sql)]
    assert any(cast.employee.pk in ids and cast.manager.pk not in ids for ids in lists), sql
