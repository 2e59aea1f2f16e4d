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
