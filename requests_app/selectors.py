"""Reads of requests, always scoped through staff.access."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from requests_app.models import Request, RequestEvent
from staff import access


def _with_everything_shown(qs: QuerySet[Request]) -> QuerySet[Request]:
    return (
        qs.select_related("employee__user")
        .with_details()
        .prefetch_related(
            Prefetch(
                "events", queryset=RequestEvent.objects.select_related("actor", "on_behalf_of").order_by("at", "id")
            )
        )
    )


def request_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Request]:
    """Visible requests with everything the API and pages show, in a fixed number of queries."""
    filters = filters or {}
    qs = _with_everything_shown(access.visible_requests(user))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("employee"):
        qs = qs.filter(employee_id=filters["employee"])
    return qs


def request_shown(*, request_id: int) -> Request:
    """One request with everything the API shows, NOT scoped: only for a request the caller has just filed or
    acted on (the service or `access.access_request` decided that already)."""
    base = Request.objects.select_related("employee", "employee__department", "created_by")
    return _with_everything_shown(base).get(pk=request_id)


def has_approvals_inbox(user: Any) -> bool:
    """HR and whoever decides for someone (a head, a deputy today, an override manager): they have the approvals
    inbox, see their team's requests, and may propose pay-rate changes (`access.can_change_rate` decides for
    whom; the form offers only `access.rate_change_candidates`, possibly nobody)."""
    return access.is_hr(user) or access.manages_anyone(user)
