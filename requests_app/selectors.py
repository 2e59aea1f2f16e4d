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


def away_alongside(*, user: Any, requests: list[Request]) -> dict[int, list[Request]]:
    """For each absence among `requests`, the other pending or approved absences of its department that overlap
    its dates (who else in the team is away then), by request id. One query for them all, scoped to what the
    user may see."""
    absences = [
        r for r in requests if r.kind in Request.ABSENCE_KINDS and r.start_date is not None and r.end_date is not None
    ]
    if not absences:
        return {}
    others = list(
        policy.visible(user)
        .filter(
            kind__in=Request.ABSENCE_KINDS,
            status__in=[Request.Status.PENDING, Request.Status.APPROVED],
            employee__department_id__in={r.employee.department_id for r in absences},
            start_date__lte=max(r.end_date for r in absences),
            end_date__gte=min(r.start_date for r in absences),
        )
        .order_by("start_date", "employee__last_name", "id")
    )
    found: dict[int, list[Request]] = {}
    for r in absences:
        found[r.pk] = [
            other
            for other in others
            if other.employee.department_id == r.employee.department_id
            and other.employee_id != r.employee_id
            and other.start_date <= r.end_date  # type: ignore[operator]
            and other.end_date >= r.start_date  # type: ignore[operator]
        ]
    return found


def cancellation_reasons(*, requests: list[Request]) -> dict[int, str]:
    """The employee's comment when they asked to cancel, for each of `requests` awaiting that decision (the
    latest ask; one query, none when there is no such request)."""
    asked = [r.pk for r in requests if r.status == Request.Status.APPROVED and r.cancel_requested]
    if not asked:
        return {}
    reasons: dict[int, str] = {}
    for request_id, comment in (
        RequestEvent.objects.filter(request_id__in=asked, action=RequestEvent.Action.CANCEL_REQUESTED)
        .order_by("at", "id")
        .values_list("request_id", "comment")
    ):
        reasons[request_id] = comment  # the later ask wins
    return reasons
