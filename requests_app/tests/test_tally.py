"""Issue 20: the requests counted per kind and status by the services, and HR's list counting from them."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from requests_app.models import Request, RequestTally
from requests_app.services import _tally, tallied_counts, tally_counts, tally_recount
from tests.harness.migrations import latest_schema_after, migrate  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db]

TRIP = {"kind": "business_trip", "destination": "Омск", "purpose": "Аудит"}


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def tallied() -> dict[tuple[str, str], int]:
    return {key: n for key, n in tallied_counts().items() if n}


def test_every_move_of_a_request_moves_its_count(cast, api, leave_ready) -> None:
    """Filing, approving, rejecting, withdrawing, a cancellation asked and confirmed, HR's direct cancellation and
    a pay-rate change superseded by another of the same date: after each, the tallies equal a COUNT per kind and
    status."""
    employee, manager, hr = api(cast.employee), api(cast.manager), api(cast.hr)

    def check() -> None:
        assert tallied() == tally_counts()

    def trip(start: str, end: str) -> int:
        response = employee.post("/api/v1/requests/", {**TRIP, "start_date": start, "end_date": end})
        assert response.status_code == 201, response.json()
        return response.json()["id"]

    leave = employee.post(
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": "2026-04-06", "end_date": "2026-04-10"},
    ).json()["id"]
    check()
    assert manager.post(f"/api/v1/requests/{leave}/approve/").json()["status"] == "approved"
    check()
    rejected = trip("2026-05-12", "2026-05-14")
    assert manager.post(f"/api/v1/requests/{rejected}/reject/").json()["status"] == "rejected"
    check()
    withdrawn = trip("2026-05-12", "2026-05-14")
    assert employee.post(f"/api/v1/requests/{withdrawn}/cancel/").json()["status"] == "cancelled"
    check()
    asked = trip("2026-06-01", "2026-06-03")
    manager.post(f"/api/v1/requests/{asked}/approve/")
    assert employee.post(f"/api/v1/requests/{asked}/cancel/").json()["cancel_requested"] is True
    check()  # asking moves nothing: the request stays approved
    assert manager.post(f"/api/v1/requests/{asked}/cancel/").json()["status"] == "cancelled"
    check()
    assert hr.post(f"/api/v1/requests/{leave}/cancel/").json()["status"] == "cancelled"
    check()
    certificate = employee.post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    assert hr.post(f"/api/v1/requests/{certificate.json()['id']}/approve/").json()["status"] == "approved"
    check()
    rate = {"kind": "rate_change", "employee": cast.employee.pk, "effective_date": "2026-04-01", "fte": "0.5"}
    for salary in ("120000.00", "125000.00"):  # the second, approved, supersedes the first
        rid = manager.post("/api/v1/requests/", {**rate, "salary": salary}).json()["id"]
        assert hr.post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
        check()
    assert tally_counts() == {
        ("leave", "cancelled"): 1,
        ("business_trip", "rejected"): 1,
        ("business_trip", "cancelled"): 2,
        ("certificate", "approved"): 1,
        ("rate_change", "approved"): 2,
    }


def test_hr_list_counts_from_the_tallies_and_a_manager_list_counts_rows(cast, api) -> None:
    for person in (cast.employee, cast.employee, cast.outsider):
        api(person).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    api(cast.employee).post("/api/v1/requests/", {**TRIP, "start_date": "2026-05-12", "end_date": "2026-05-14"})
    hr = api(cast.hr)
    for query, expected in [("", 4), ("?status=pending", 4), ("?kind=certificate", 3), ("?status=approved", 0)]:
        with CaptureQueriesContext(connection) as queries:
            body = hr.get(f"/api/v1/requests/{query}&limit=2".replace("/&", "/?")).json()
        assert body["count"] == expected, query
        assert len(body["results"]) == min(2, expected) and bool(body["next"]) == (expected > 2)
        assert not [q for q in queries if "COUNT(" in q["sql"] and "requests_app_request" in q["sql"]], query
    # Filtered by employee, or for a manager (their subtree), the rows are counted.
    assert hr.get(f"/api/v1/requests/?employee={cast.outsider.pk}").json()["count"] == 1
    assert api(cast.manager).get("/api/v1/requests/?kind=certificate").json()["count"] == 2


def test_recount_puts_drifted_tallies_right(cast, api) -> None:
    """A bulk writer bypassing the services (the demo seeds) leaves the tallies behind; tally_recount counts
    afresh, every kind and status with its row."""
    api(cast.employee).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    RequestTally.objects.filter(kind="certificate", status="pending").update(count=40)
    RequestTally.objects.filter(kind="leave").delete()
    tally_recount()
    assert tallied() == tally_counts() == {("certificate", "pending"): 1}
    assert RequestTally.objects.count() == len(Request.Kind.values) * len(Request.Status.values)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
)


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def file_and_move(cast) -> None:
    """What a filing does to the two tables: a request row, then its count moved."""
    Request.objects.create(kind="certificate", employee=cast.employee, created_by=cast.employee.user)
    _tally("certificate", "", "pending")


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_recount_beside_filings_counts_each_once(cast) -> None:
    """A filing in flight (A) holds its slot; a recount starts and waits; another filing (B) arrives, then A
    commits, then the recount, then B: two requests, tallied 2. (Without the table lock the recount counted B's
    committed request and kept the slot B had added beside the locked ones: 3.)"""
    from tests.harness.util import wait_until

    a_moved, a_release, b_done = threading.Event(), threading.Event(), threading.Event()

    def in_thread(body) -> threading.Thread:
        def run() -> None:
            try:
                body()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def a() -> None:
        with transaction.atomic():
            file_and_move(cast)
            a_moved.set()
            a_release.wait(10)

    def b() -> None:
        with transaction.atomic():
            file_and_move(cast)
        b_done.set()

    tally_recount()
    threads = [in_thread(a)]
    assert a_moved.wait(10)
    threads.append(in_thread(tally_recount))
    wait_until(lambda: waiting_for_a_lock() >= 1, timeout=10, message=lambda: "the recount did not wait")
    threads.append(in_thread(b))
    wait_until(lambda: waiting_for_a_lock() >= 2 or b_done.is_set(), timeout=10, message=lambda: "B went nowhere")
    a_release.set()
    for thread in threads:
        thread.join(15)
    assert b_done.is_set()
    assert tally_counts() == {("certificate", "pending"): 2}
    assert tallied() == tally_counts()


def test_recount_command_checks_and_repairs(cast, api) -> None:
    from django.core.management import CommandError, call_command

    api(cast.employee).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment"})
    call_command("recount_requests", "--check", stdout=StringIO())
    RequestTally.objects.filter(kind="certificate", status="pending").update(count=7)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("recount_requests", "--check", stdout=out)
    assert "certificate pending: tallied 7, counted 1" in out.getvalue()
    call_command("recount_requests", stdout=StringIO())
    assert tallied() == tally_counts()


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_move_never_waits_for_another_transactions_count(cast) -> None:
    """A transaction that has moved a count holds its slot until it commits; another move meanwhile takes a free
    slot or adds one instead of waiting (waiting deadlocked filings: services._tally). Both count."""
    tally_recount()
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                _tally("certificate", "", "pending")
                held.set()
                release.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            with transaction.atomic():
                _tally("certificate", "", "pending")
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert held.wait(10)
        other = threading.Thread(target=second)
        other.start()
        assert done.wait(5), "the second move waited for the first one's slot"
        other.join(5)
    finally:
        release.set()
        thread.join(10)
    assert tallied() == {("certificate", "pending"): 2}
    assert RequestTally.objects.filter(kind="certificate", status="pending").count() == 2  # a slot was added


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_migration_counts_the_requests_there_are(cast) -> None:
    """Migration 0010 fills the tallies from the requests table: 2 pending certificates, 1 approved trip."""
    apps = migrate([("requests_app", "0009_request_cancel_asked_idx")])
    Old = apps.get_model("requests_app", "Request")
    for kind, status in [("certificate", "pending"), ("certificate", "pending"), ("business_trip", "approved")]:
        dates = {"start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 5, 2)} if kind == "business_trip" else {}
        Old.objects.create(
            kind=kind, status=status, employee_id=cast.employee.pk, created_by_id=cast.employee.user_id, **dates
        )
    apps = migrate([("requests_app", "0010_request_tally")])
    rows = apps.get_model("requests_app", "RequestTally").objects.all()
    assert {(t.kind, t.status): t.count for t in rows if t.count} == {
        ("certificate", "pending"): 2,
        ("business_trip", "approved"): 1,
    }
    assert len(rows) == 16
    migrate([("requests_app", "0009_request_cancel_asked_idx")])  # and back
