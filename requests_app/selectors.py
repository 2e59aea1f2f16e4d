"""Reads of requests, always scoped through requests_app.policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from requests_app import policy
from requests_app.models import Request, RequestEvent


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
    qs = _with_everything_shown(policy.visible(user))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("employee"):
        qs = qs.filter(employee_id=filters["employee"])
    return qs


def request_shown(*, request_id: int) -> Request:
    """One request with everything the API shows, NOT scoped: only for a request the caller has just filed or
    acted on (the service or `policy.fetch` decided that already)."""
    base = Request.objects.select_related("employee", "employee__department", "created_by")
    return _with_everything_shown(base).get(pk=request_id)
