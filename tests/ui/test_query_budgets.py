"""Every page makes a bounded number of queries, whatever the size of the organisation (STYLE.md, Writing
code 2): measured on the cast plus 300 bulk-created employees with requests, absences, report jobs and
delegations, then again after 300 more — the count must not move."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.ui.conftest import grow
from tests.ui.pages import all_pages, expected_status

pytestmark = pytest.mark.django_db


def _measure(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


@pytest.mark.parametrize("role", ["employee", "manager", "hr", "outsider"])
def test_every_page_stays_within_its_query_budget(big_org, login, role, django_assert_max_num_queries) -> None:
    cast = big_org.cast
    client = login(getattr(cast, role))
    pages = all_pages(cast)
    first: dict[str, int] = {}
    for page in pages:
        with django_assert_max_num_queries(page.budget, info=f"{role} {page.url}"):
            response = client.get(page.url)
        assert response.status_code == expected_status(page, role), (role, page.url, response.status_code)
        first[page.url] = _measure(client, page.url)[1]

    grow(big_org, 300)  # twice the people, requests, absences, jobs

    grown = {page.url: _measure(client, page.url)[1] for page in pages}
    assert grown == first, "a page's query count grew with the organisation"


POST_ONLY = {
    "request-approve",
    "request-reject",
    "request-cancel",
    "request-decline-cancellation",
    "delegation-delete",
    "document-code",
    "document-sign",
    "document-paper",
    "document-remind",
    "certificate-issue",
    "schedule-part-preview",
    "schedule-part-action",
    "schedule-change-action",
}
DOCUMENT_ACTIONS = {"document-code", "document-sign", "document-paper", "document-remind"}
# Downloads, not pages (the matrix and the documents tests cover them).
FILES = {"document-file", "document-archive-download"}


def test_every_page_is_listed(cast, calendars) -> None:
    """A new page must join the budget, accessibility and language checks (tests/ui/pages.py)."""
    from importlib import import_module

    ours = {
        pattern.name
        for module in (
            "hrportal.web.urls",
            "staff.urls",
            "requests_app.urls",
            "leave.urls",
            "documents.urls",
            "schedule.urls",
            "reports.urls",
        )
        for pattern in import_module(module).urlpatterns
    }
    assert ours - POST_ONLY - FILES == {page.name for page in all_pages(cast)}


def test_post_only_urls_refuse_get(cast, calendars, login) -> None:
    from django.urls import reverse

    from staff.models import Delegation
    from tests.ui.pages import subject_document, subject_request

    request_id = subject_request(cast).pk
    document_id = subject_document(cast)
    delegation = Delegation.objects.create(
        manager=cast.manager, deputy=cast.sub_manager, start_date="2030-01-01", end_date="2030-01-02"
    )
    client = login(cast.manager)
    for name in sorted(POST_ONLY):
        args = {
            "delegation-delete": [delegation.pk],
            "schedule-part-preview": [2027],
            "schedule-part-action": [2027, 1, "move"],
            "schedule-change-action": [2027, 1],
        }.get(name, [request_id])
        args = [document_id] if name in DOCUMENT_ACTIONS else args
        assert client.get(reverse(name, args=args)).status_code == 405, name


# bench/scale.py's operations (issue 20) and the number of SQL statements each makes: exactly this many, on the
# small organisation and after it doubles. The bench measures their time at 300, 3,000 and 30,000 employees; this
# keeps CI failing on a change that adds a statement per row, per department or per level of the tree.
SCALE_STATEMENTS = {
    "employee: dashboard": 9,
    "top head: approvals": 15,
    "a team's head: dashboard": 18,
    "HR: dashboard": 17,
    "HR: approvals": 14,
    "top head: nav badge": 10,
    "top head: team calendar": 18,
    "top head: the team's requests": 13,  # never counted (CountlessPage): the top head's team is the company
    # No COUNT of the whole company beside the search's, no hire-date hierarchy (docs/decisions/admin-list-pages.md).
    "HR admin: employees ?q=": 9,
    "HR admin: employees, department filter": 10,
    "employee: request page": 6,
    "API: leave balance": 5,
    "API: leave quote": 11,  # the months of payroll data (Regulation 922)
    "API: file a certificate": 14,  # the outbox rows of a new request need no read-back; the count moved
    # The total from the tallies, the page's ids, then those rows joined (requests_app.selectors).
    "API: requests list, a filter, a later page": 7,
    "HR: schedule progress": 26,  # a page of employees: their ledger sums, the departments on it counted
    "HR: document register": 12,
}


def _scale_operations(cast) -> dict[str, object]:
    import datetime as dt

    from django.test import Client

    from hrportal.web.context import nav_for
    from staff import access
    from staff.services import api_token_issue, hr_group_ensure
    from tests.harness.util import login_client
    from tests.ui.pages import subject_request, subject_schedule

    def token_client(person) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=person.user)[1]}")

    hr_group_ensure()  # HR as HR works in the admin (staff/tests/conftest.py's hr_admin), as seed_demo's `hr`
    cast.hr.user.is_staff = True
    cast.hr.user.save(update_fields=["is_staff"])
    employee, top, hr = login_client(cast.employee), login_client(cast.ceo), login_client(cast.hr)
    head = login_client(cast.manager)
    api, hr_api = token_client(cast.employee), token_client(cast.hr)
    detail = subject_request(cast).pk
    top_user = access.principal_users().get(pk=cast.ceo.user_id)
    quote = {"leave_type": "annual", "start_date": "2026-09-07", "end_date": "2026-09-11"}
    certificate = {"kind": "certificate", "certificate_type": "employment", "copies": 1}
    month = dt.date.today().strftime("%Y-%m")
    year = subject_schedule(cast)[0]

    def badge() -> int:
        access.forget(top_user)
        access.remember_principal(top_user)
        return nav_for(top_user).approvals_count

    return {
        "employee: dashboard": lambda: employee.get("/"),
        "top head: approvals": lambda: top.get("/approvals/"),
        "a team's head: dashboard": lambda: head.get("/"),
        "HR: dashboard": lambda: hr.get("/"),
        "HR: approvals": lambda: hr.get("/approvals/"),
        "top head: nav badge": badge,
        "top head: team calendar": lambda: top.get(f"/team/calendar/?month={month}"),
        "top head: the team's requests": lambda: top.get("/requests/?scope=team&status=approved"),
        "HR admin: employees ?q=": lambda: hr.get("/admin/staff/employee/?q=Кузнецов"),
        "HR admin: employees, department filter": lambda: hr.get(
            f"/admin/staff/employee/?department__id__exact={cast.sales.pk}"
        ),
        "employee: request page": lambda: employee.get(f"/requests/{detail}/"),
        "API: leave balance": lambda: api.get("/api/v1/leave/balance/"),
        "API: leave quote": lambda: api.post("/api/v1/leave/quote/", quote, content_type="application/json"),
        "API: file a certificate": lambda: api.post("/api/v1/requests/", certificate, content_type="application/json"),
        "API: requests list, a filter, a later page": lambda: hr_api.get(
            "/api/v1/requests/?status=pending&limit=20&offset=40"
        ),
        "HR: schedule progress": lambda: hr.get(f"/schedule/{year}/hr/"),
        "HR: document register": lambda: hr.get("/documents/"),
    }


def _plan_and_document(org) -> None:
    """What seed_demo's later seeds give the bench's company: parts of next year's schedule for most of the
    employees (some under 14 days only) and the documents of the approved requests (seed_documents itself)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from leave.models import LeaveType
    from schedule.models import Campaign, Part

    campaign = Campaign.objects.get(year=2027)
    annual = LeaveType.objects.get(code="annual")
    planned = set(Part.objects.filter(campaign=campaign).values_list("employee_id", flat=True))
    parts = []
    for i, employee in enumerate(org.employees):
        if employee.pk in planned or i % 4 == 0:
            continue
        start = dt.date(2027, 2 + i % 9, 1)
        length = 14 if i % 3 else 7
        parts.append(Part(campaign=campaign, employee=employee, leave_type=annual, start_date=start,
                          end_date=start + dt.timedelta(days=length - 1), days=Decimal(length)))  # fmt: skip
    Part.objects.bulk_create(parts)
    call_command("seed_documents", date="2026-12-01", verbosity=0)


def test_scale_operations_keep_their_statement_counts(big_org) -> None:
    """Each operation of bench/scale.py makes exactly its SCALE_STATEMENTS count, before and after the
    organisation doubles (the top head's inbox then holds twice the pending requests of headless departments)."""
    operations = {name: call for name, call in _scale_operations(big_org.cast).items() if call is not None}

    def counts() -> dict[str, int]:
        result = {}
        for name, call in operations.items():
            call()  # the first call of a client touches its session; the bench measures steady calls
            with CaptureQueriesContext(connection) as queries:
                response = call()
            status = getattr(response, "status_code", 200)
            assert status in (200, 201), (name, status, getattr(response, "content", b"")[:300])
            result[name] = len(queries)
        return result

    _plan_and_document(big_org)
    before = counts()
    grow(big_org, 300)
    _plan_and_document(big_org)
    after = counts()
    assert (before, after) == (SCALE_STATEMENTS, SCALE_STATEMENTS)
