"""No state change through GET: every URL of the project, GET as HR (with admin access) and as an employee,
changes no row of any table.

The URLconf is walked by the role × URL matrix's walker (staff/tests/test_url_matrix.py: `build_routes`, whose
PARAMS table fills path parameters with real objects — `employee`'s record, request, report job, the admin's
objects…), so a URL added tomorrow is covered too. Before and after each GET every table is fingerprinted: its
row count and a SHA-256 of all its rows in primary-key order. A change names the URL, the role and the table.

Tables left out, each because a read changes it by design:
- `django_session`: the session age is an idle timeout (hrportal.sessions.SessionTouchMiddleware), so a request —
  a GET included — may rewrite the logged-in caller's session row, its expiry. The session is the caller's own
  login state, not application data.
Nothing else is excluded: django-axes writes only on login attempts (none here: the clients are logged in with
`force_login`), and Celery's result tables only when a task runs (no GET enqueues one here; /readyz checks the
database and the broker without running a task).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from staff.tests.conftest import hr_admin as hr_admin
from staff.tests.test_url_matrix import Objects, build_routes
from staff.tests.test_url_matrix import matrix_objects as matrix_objects

EXCLUDED_TABLES = {"django_session"}

Fingerprint = dict[str, tuple[int, str]]


def fingerprint() -> Fingerprint:
    """Row count and a digest of the rows of every table but the excluded ones."""
    result: Fingerprint = {}
    tables = sorted(set(connection.introspection.table_names()) - EXCLUDED_TABLES)
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


def changed(before: Fingerprint, after: Fingerprint) -> list[str]:
    tables = sorted(set(before) | set(after))
    return [
        f"{table}: {before.get(table, (0, ''))[0]} → {after.get(table, (0, ''))[0]} rows"
        + ("" if before.get(table, (0, ""))[0] != after.get(table, (0, ""))[0] else " (contents changed)")
        for table in tables
        if before.get(table) != after.get(table)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "employee"])
def test_no_get_changes_a_row(matrix_objects: Objects, role: str) -> None:
    routes, problems = build_routes(matrix_objects)  # creates the objects URLs point at, before the first snapshot
    assert not problems, "\n".join(problems)
    assert len(routes) > 50  # the walk found the project

    client = Client()
    client.force_login(getattr(matrix_objects.cast, role).user)
    before = fingerprint()
    assert "requests_app_request" in before and before["requests_app_request"][0] >= 1

    violations: list[str] = []
    statuses: dict[int, int] = {}
    for route in routes:
        response = client.get(route.url, REMOTE_ADDR="127.0.0.1")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a streamed body runs its generator only when read
        after = fingerprint()
        diff = changed(before, after)
        if diff:
            violations.append(f"{role} GET {route.url} [{route.key}] → {response.status_code}: " + "; ".join(diff))
            before = after
    assert not violations, "GET changed the database:\n" + "\n".join(violations)
    assert statuses.get(200, 0) >= 20, statuses  # pages really rendered, not refused wholesale


def test_the_fingerprint_sees_a_change(cast: Any) -> None:
    """The check can fail: an update of one field, with the row count unchanged, changes the fingerprint."""
    before = fingerprint()
    cast.employee.extra_leave_days = 5
    cast.employee.save(update_fields=["extra_leave_days"])
    count = before["staff_employee"][0]
    assert f"staff_employee: {count} → {count} rows (contents changed)" in changed(before, fingerprint())


def test_a_session_write_is_not_counted(client: Client, cast: Any) -> None:
    client.force_login(cast.employee.user)
    before = fingerprint()
    session = client.session
    session["touched"] = True
    session.save()
    assert changed(before, fingerprint()) == []
