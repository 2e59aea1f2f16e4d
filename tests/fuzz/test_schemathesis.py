"""API fuzzing: schemathesis generates requests from `/api/v1/schema/` for every operation and sends them with
the token of each role (employee, manager, HR, outsider) through the WSGI application in process.

Checks, each must find nothing:
- `not_a_server_error`: no 5xx, whatever the input;
- `response_schema_conformance`: every response body matches the schema of its documented status code;
- `status_code_conformance`: every status code returned is documented (the schema documents what the API
  really answers);
- `ignored_auth`: the operation refuses the same request without credentials or with wrong ones (401).

How pytest-django and schemathesis meet: the schema is loaded once at import (`schemathesis.openapi.from_wsgi`,
the module-level loader, not the pytest fixture); reading it touches no database. `@schema.parametrize()` makes
one test per operation, parametrized again by role; each is a Hypothesis test whose examples all run inside
that test's single `db` transaction. So the cast and the tokens are made once per test (the `cast` fixture),
the examples share them — one example's side effects (a request filed, then approved) are visible to the
next, as in a real session — and everything rolls back when the test ends. Hypothesis' check against
function-scoped fixtures is silenced for that reason: sharing the fixture between examples is intended. Like
Django's test client, the test keeps the request signals from closing that transaction's connection
(`_keep_the_test_connection`).

Bounded: `FUZZ_EXAMPLES` examples per operation and role (25 by default), no shrinking deadline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from hrportal.wsgi import application
from staff.services import api_token_issue


def _schema() -> Any:
    """The schema `/api/v1/schema/` serves (to signed-in callers only), generated in process: the fuzzer gets
    it before any database exists."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    loaded.location = "/api/v1/schema/"
    return loaded


schema = _schema()

ROLES = ("employee", "manager", "hr", "outsider")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, ignored_auth]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django's test client disconnects `close_old_connections` from the request signals while it calls the
    application; schemathesis calls the real WSGI handler, whose request_started/finished would close the test's
    connection (it is inside the test's transaction, so not in autocommit) and lose the transaction on
    PostgreSQL. Do what the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token_of(cast: Any, settings: Any) -> dict[str, str]:
    settings.AXES_ENABLED = False  # the token endpoint is fuzzed with wrong passwords: no lockout of the cast
    return {role: api_token_issue(user=getattr(cast, role).user)[1] for role in ROLES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_api(case: Any, role: str, token_of: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token_of[role]}"}, checks=CHECKS)


# The shapes that answered 500 (or were accepted) in issue 23's probe, through the same checks, for every role.
PROBE_BODIES = [
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": "9999-12-01", "end_date": "9999-12-31"},
    ),
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": "0001-01-01", "end_date": "0001-01-05"},
    ),
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "annual", "start_date": "2027-01-01", "end_date": "2099-12-31"},
    ),
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "unpaid", "start_date": "2027-01-01", "end_date": "2031-12-31"},
    ),
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "unpaid", "start_date": "9000-01-01", "end_date": "9000-01-10"},
    ),
    (
        "/api/v1/requests/",
        {"kind": "leave", "leave_type": "ann\u0000ual", "start_date": "2026-05-04", "end_date": "2026-05-08"},
    ),
    (
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "2040-01-01",
            "end_date": "2090-01-01",
            "destination": "A",
            "purpose": "B",
        },
    ),
    (
        "/api/v1/requests/",
        {
            "kind": "business_trip",
            "start_date": "0001-01-01",
            "end_date": "0001-01-03",
            "destination": "A",
            "purpose": "B",
        },
    ),
    ("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "9999-12-01", "end_date": "9999-12-31"}),
    ("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2027-01-01", "end_date": "2099-12-31"}),
    ("/api/v1/reports/", {"kind": "requests", "date_from": "9999-12-01", "date_to": "9999-12-31"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body"), PROBE_BODIES)
def test_the_probes_shapes_through_the_same_checks(role: str, path: str, body: dict[str, Any], token_of) -> None:
    case = schema[path]["POST"].Case(body=body, media_type="application/json")
    response = case.call_and_validate(headers={"Authorization": f"Token {token_of[role]}"}, checks=CHECKS)
    assert response.status_code in (400, 403), (path, body, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_a_balance_on_year_9999_through_the_same_checks(role: str, token_of) -> None:
    case = schema["/api/v1/leave/balance/"]["GET"].Case(query={"on": "9999-12-31"})
    response = case.call_and_validate(headers={"Authorization": f"Token {token_of[role]}"}, checks=CHECKS)
    assert response.status_code == 400
