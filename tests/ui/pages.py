"""Every HTML page of the portal, as the page tests visit them: URL, who may open it, the query budget.

A page that is added to the URLconf must be added here too: `test_every_page_is_listed` walks the URLconf.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from leave.models import LeaveType
from requests_app.models import Request
from requests_app.services import request_create

PEOPLE = ("employee", "manager", "hr", "outsider")
MANAGERS = ("manager", "hr")


@dataclass(frozen=True)
class Page:
    name: str  # URL name
    url: str
    roles: tuple[str, ...]  # who gets 200 (the others get 403)
    budget: int  # the most queries one GET may make, whatever the size of the organisation
    fragment: bool = False  # an htmx fragment, not a full page


def subject_request(cast: Any) -> Request:
    """The employee's leave over the May holidays, filed through the service (quote and history included)."""
    existing = Request.objects.filter(employee=cast.employee, kind=Request.Kind.LEAVE, comment="subject").first()
    if existing is not None:
        return existing
    return request_create(
        actor=cast.employee.user,
        kind=Request.Kind.LEAVE,
        leave_type=LeaveType.objects.get(code="annual"),
        start_date=dt.date(2026, 4, 27),
        end_date=dt.date(2026, 5, 15),
        comment="subject",
    )


def subject_job(cast: Any) -> int:
    from reports.services import report_request

    job, _created = report_request(
        user=cast.manager.user, kind="holiday_work", date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30)
    )
    return job.pk


def subject_document(cast: Any) -> int:
    """The T-9 order of the employee's approved business trip (the employee, their manager and HR see it)."""
    from documents.models import Document
    from requests_app.services import request_approve

    existing = Document.objects.filter(employee=cast.employee, kind="trip_order").first()
    if existing is not None:
        return existing.pk
    trip = request_create(
        actor=cast.employee.user,
        kind=Request.Kind.BUSINESS_TRIP,
        start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2026, 7, 2),
        destination="Омск",
        purpose="Аудит",
    )
    request_approve(request_id=trip.pk, actor=cast.manager.user)
    return Document.objects.get(request=trip).pk


def subject_schedule(cast: Any) -> tuple[int, int, int]:
    """The approved 2027 leave schedule with the employee's part in June, its art. 123 notice and a payroll list:
    (year, notice id, payroll list id)."""
    from schedule import notices, services
    from schedule.models import Campaign, Notice, PayrollList

    campaign = Campaign.objects.filter(year=2027).first()
    if campaign is None:
        services.campaign_open(actor=cast.hr.user, year=2027, proposal_deadline=dt.date(2026, 12, 1))
        part = services.part_add(
            actor=cast.manager.user,
            year=2027,
            employee=cast.employee,
            start_date=dt.date(2027, 6, 1),
            end_date=dt.date(2027, 6, 14),
        )
        services.campaign_approve(actor=cast.hr.user, year=2027)
        notices.notice_issue(part_id=part.pk, on=dt.date(2027, 5, 18))
        PayrollList.objects.create(date=dt.date(2027, 5, 29))
    return 2027, Notice.objects.get().pk, PayrollList.objects.get().pk


def all_pages(cast: Any) -> list[Page]:
    request_id = subject_request(cast).pk
    document_id = subject_document(cast)
    year, notice_id, payroll_id = subject_schedule(cast)
    quote = reverse("leave-quote-fragment") + "?leave_type=annual&start_date=2026-04-27&end_date=2026-05-15"
    return [
        Page("dashboard", reverse("dashboard"), PEOPLE, 22),
        Page("dashboard", reverse("dashboard") + "?on=2026-12-31", PEOPLE, 22),
        Page("profile", reverse("profile"), PEOPLE, 16),
        Page("delegations", reverse("delegations"), MANAGERS, 16),
        Page("request-list", reverse("request-list"), PEOPLE, 15),
        Page("request-list", reverse("request-list") + "?scope=team&status=pending", PEOPLE, 15),
        Page("request-new", reverse("request-new"), PEOPLE, 13),
        Page("request-new-leave", reverse("request-new-leave"), PEOPLE, 15),
        Page("request-new-trip", reverse("request-new-trip"), PEOPLE, 13),
        Page("request-new-certificate", reverse("request-new-certificate"), PEOPLE, 13),
        Page("request-detail", reverse("request-detail", args=[request_id]), ("employee", "manager", "hr"), 19),
        Page("approvals", reverse("approvals"), PEOPLE, 17),
        Page("approvals", reverse("approvals") + "?kind=leave", PEOPLE, 17),
        Page("rate-change-new", reverse("rate-change-new"), MANAGERS, 15),
        Page("rate-change-new", reverse("rate-change-new") + f"?employee={cast.employee.pk}", MANAGERS, 16),
        Page("team-calendar", reverse("team-calendar") + "?month=2026-05", PEOPLE, 20),
        Page("team-calendar", reverse("team-calendar") + f"?month=2026-05&department={cast.sales.pk}", PEOPLE, 20),
        Page("reports", reverse("reports"), MANAGERS, 16),
        Page("report-progress", reverse("report-progress", args=[subject_job(cast)]), MANAGERS, 10, True),
        Page("leave-quote-fragment", quote, PEOPLE, 20, True),
        Page("leave-overdue", reverse("leave-overdue") + "?on=2026-03-02", ("hr",), 14),
        Page("documents", reverse("documents"), PEOPLE, 15),
        Page("documents-hr", reverse("documents-hr"), ("hr",), 16),
        Page("document-detail", reverse("document-detail", args=[document_id]), ("employee", "manager", "hr"), 15),
        Page("schedule-index", reverse("schedule-index"), PEOPLE, 14),
        Page("schedule-year", reverse("schedule-year", args=[year]), PEOPLE, 20),
        Page("schedule-team", reverse("schedule-team", args=[year]), MANAGERS, 18),
        Page("schedule-hr", reverse("schedule-hr", args=[year]), ("hr",), 26),
        Page("schedule-notices", reverse("schedule-notices"), PEOPLE, 14),
        Page("schedule-notice", reverse("schedule-notice", args=[notice_id]), ("employee", "hr"), 14),
        Page("schedule-notice-print", reverse("schedule-notice-print", args=[notice_id]), ("employee", "hr"), 12),
        Page("schedule-payroll", reverse("schedule-payroll", args=[payroll_id]), ("hr",), 14),
        Page(
            "leave-settlement-page",
            reverse("leave-settlement-page", args=[cast.employee.pk]) + "?on=2026-03-02&ground=own_wish",
            ("hr",),
            18,
        ),
    ]


def expected_status(page: Page, role: str) -> int:
    if role in page.roles:
        return 200
    hidden = ("request-detail", "report-progress", "document-detail", "schedule-notice", "schedule-notice-print")
    if page.name in hidden:
        return 404  # an object the role may not see does not exist for them
    return 403
