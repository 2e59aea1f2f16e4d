"""The dashboard: the employee's leave balances and forecast, their upcoming and recent requests, and the
head of the approvals inbox for whoever has one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from hrportal.pages import page_view
from leave import selectors as leave_selectors
from requests_app import policy
from requests_app.models import Request
from staff import access

UPCOMING_LIMIT = 10
RECENT_LIMIT = 10
INBOX_PREVIEW = 5


def parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def leave_type_names(language: str) -> dict[str, str]:
    return {t.code: t.name_for(language) for t in leave_selectors.leave_types()}


@page_view
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    on = parse_date(request.GET.get("on"), today)
    me = access.employee_of(request.user)
    context: dict[str, Any] = {"today": today, "on": on, "employee": me}
    if me is not None:
        names = leave_type_names(translation.get_language() or settings.LANGUAGE_CODE)
        context["balances"] = [
            {"name": names.get(b.leave_type, b.leave_type), "balance": b}
            for b in leave_selectors.balances(employee=me, on=on)
            # A type this employee never earns (no additional days) would only show a row of zeros.
            if b.accrued or b.used or b.pending
        ]
        mine = policy.own(request.user).with_details().order_by("-created_at", "-id")
        context["upcoming"] = list(
            mine.filter(
                employee=me,
                kind__in=Request.ABSENCE_KINDS,
                status__in=[Request.Status.PENDING, Request.Status.APPROVED],
                end_date__gte=today,
            ).order_by("start_date", "id")[:UPCOMING_LIMIT]
        )
        context["recent"] = list(mine[:RECENT_LIMIT])
    if access.supervises(request.user):
        inbox = policy.inbox(request.user).with_details()
        context["inbox"] = list(inbox.order_by("created_at", "id")[:INBOX_PREVIEW])
    return render(request, "staff/dashboard.html", context)
