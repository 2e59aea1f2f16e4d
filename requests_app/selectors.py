"""Reads of requests, always scoped through requests_app.policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from requests_app import policy
from requests_app.models import RateChangeDetails, Request, RequestEvent, RequestTally
from staff import access
from staff.minimum_wage import minimum_wage
from staff.models import Employee
from staff.selectors import rate_on


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


def request_ids(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Request]:
    """The ids of the requests `user` may see that match `filters`, newest first, from the requests table alone.

    A page is picked (and counted) on these, then `requests_shown` joins what is shown to that page's rows only:
    picking it on the joined rows made PostgreSQL join every row the offset skips (HR's page 50 of the approved
    requests joined 1,000 requests of 1,000 different employees at 30,000 people; docs/benchmarks.md, "Scale")."""
    return _visible_filtered(user, filters or {}).values_list("pk", flat=True)


def request_total(*, user: Any, filters: dict[str, Any] | None = None) -> int | None:
    """How many requests `request_ids` finds, from the tallies the services keep, when they can tell: for HR (who
    sees every request) filtering by status and kind only. None: count the ids (a manager's subtree, one
    employee's requests — a bounded count)."""
    filters = filters or {}
    if filters.get("employee") or not policy.sees_every_request(user):
        return None
    tallies = RequestTally.objects.all()
    if filters.get("status"):
        tallies = tallies.filter(status=filters["status"])
    if filters.get("kind"):
        tallies = tallies.filter(kind=filters["kind"])
    return tallies.aggregate(n=Coalesce(Sum("count"), 0))["n"]  # type: ignore[no-any-return]


def requests_shown(*, ids: list[int]) -> list[Request]:
    """The requests `ids` (from `request_ids`: visibility is decided) with everything the API shows, in a fixed
    number of queries, in the same order (the model's)."""
    base = Request.objects.select_related("employee", "employee__department", "created_by")
    return list(_with_everything_shown(base).filter(pk__in=ids))


def _visible_filtered(user: Any, filters: dict[str, Any]) -> QuerySet[Request]:
    qs = policy.visible(user)
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


ALONGSIDE_FIELDS = (
    "id",
    "kind",
    "status",
    "start_date",
    "end_date",
    "employee__id",
    "employee__department_id",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
)


def away_alongside(*, user: Any, requests: list[Request]) -> dict[int, list[Request]]:
    """For each absence among `requests`, the other pending or approved absences of its department that overlap
    its dates (who else in the team is away then), by request id. One query for them all, scoped to what the
    user may see."""
    absences = [
        r for r in requests if r.kind in Request.ABSENCE_KINDS and r.start_date is not None and r.end_date is not None
    ]
    if not absences:
        return {}
    departments = {r.employee.department_id for r in absences}
    others = (
        policy.visible(user)
        .filter(
            kind__in=Request.ABSENCE_KINDS,
            status__in=[Request.Status.PENDING, Request.Status.APPROVED],
            employee__department_id__in=departments,
            start_date__lte=max(r.end_date for r in absences),
            end_date__gte=min(r.start_date for r in absences),
        )
        # What the page shows of each (a name, dates, pending or not): HR's page of 50 leaves reads hundreds.
        .select_related(None)
        .select_related("employee")
        .only(*ALONGSIDE_FIELDS)
        .order_by("start_date", "employee__last_name", "id")
    )
    by_department: dict[int | None, list[Request]] = {department: [] for department in departments}
    for other in others:
        by_department[other.employee.department_id].append(other)
    found: dict[int, list[Request]] = {}
    for r in absences:
        found[r.pk] = [
            other
            for other in by_department[r.employee.department_id]
            if other.employee_id != r.employee_id
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


# --- pay-rate changes: current → new ------------------------------------------------------------------------


def salary_change_percent(before: Decimal | None, after: Decimal) -> Decimal | None:
    """(after − before) / before × 100, half-up to hundredths; None without a salary before (or of 0)."""
    if before is None or before == 0:
        return None
    return ((after - before) / before * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RateComparison:
    """A proposed rate against the one in force on its effective date, and the minimum wage floor of that date."""

    fte: Decimal
    salary: Decimal
    previous_fte: Decimal | None
    previous_salary: Decimal | None
    last_change: dt.date | None  # when the rate in force took effect
    floor: Decimal

    @property
    def salary_change_percent(self) -> Decimal | None:
        return salary_change_percent(self.previous_salary, self.salary)

    @property
    def below_minimum(self) -> bool:
        return self.salary < self.floor

    def without_current(self) -> RateComparison:
        """For someone who may propose a change but not see the current pay (a manager: pay is for HR and the
        employee, staff.access.can_see_salary): the new rate, the last change's date and the floor only."""
        return replace(self, previous_fte=None, previous_salary=None)


def comparison_for(user: Any, request: Request) -> RateComparison | None:
    """What of a rate_change request's current → new `user` sees: all of it when they may see the employee's pay,
    the new rate alone when they may propose a change for them, nothing otherwise."""
    if request.kind != Request.Kind.RATE_CHANGE:
        return None
    if access.can_see_salary(user, request.employee):
        return stored_comparison(request)
    if access.can_change_rate(user, request.employee):
        return stored_comparison(request).without_current()
    return None


def minimum_wage_floor(*, effective_date: dt.date, fte: Decimal) -> Decimal:
    """The least salary a rate may carry (art. 133): the federal minimum wage on the date × FTE, and never below
    the minimum wage itself: `salary` is the full-time salary (the employee earns salary × FTE for FTE × the
    norm), so at FTE ≤ 1 the law's floor is the minimum wage; above 1 the contract's minimum wage × FTE.
    docs/decisions/rate-change-guards.md."""
    return (minimum_wage(effective_date) * max(fte, Decimal(1))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rate_comparison(*, employee: Employee, effective_date: dt.date, fte: Decimal, salary: Decimal) -> RateComparison:
    """The rate in force on `effective_date` (one query) against the proposed one."""
    current = rate_on(employee, effective_date)
    return RateComparison(
        fte=fte,
        salary=salary,
        previous_fte=current.fte if current is not None else None,
        previous_salary=current.salary if current is not None else None,
        last_change=current.effective_date if current is not None else None,
        floor=minimum_wage_floor(effective_date=effective_date, fte=fte),
    )


def stored_comparison(request: Request) -> RateComparison:
    """A rate_change request's comparison as recorded on it (when filed; once approved, what it replaced)."""
    details = request.rate_change
    return RateComparison(
        fte=details.fte,
        salary=details.salary,
        previous_fte=details.previous_fte,
        previous_salary=details.previous_salary,
        last_change=details.previous_effective_date,
        floor=minimum_wage_floor(effective_date=details.effective_date, fte=details.fte),
    )


def approved_same_date(request: Request) -> list[int]:
    """Ids of the approved, not superseded rate changes of the same employee and effective date as `request`
    (approving `request` supersedes them)."""
    if request.kind != Request.Kind.RATE_CHANGE:
        return []
    return list(
        RateChangeDetails.objects.filter(
            request__employee_id=request.employee_id,
            request__status=Request.Status.APPROVED,
            effective_date=request.rate_change.effective_date,
            superseded_by__isnull=True,
        )
        .exclude(request_id=request.pk)
        .values_list("request_id", flat=True)
    )


def superseded_ids(request: Request) -> list[int]:
    """Ids of the earlier approved changes of the same date that `request`'s approval superseded."""
    if request.kind != Request.Kind.RATE_CHANGE:
        return []
    return list(request.supersedes.order_by("request_id").values_list("request_id", flat=True))
