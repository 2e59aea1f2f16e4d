"""The register of requests filed in a period, one line per step of each request's history.

A request is in the period when it was filed on a date (the portal's local time) between date_from and
date_to. Its lines repeat the request's columns and add one event each (created, approved at a step,
approved, rejected, cancellation requested, cancelled), oldest first, so the register can be filtered in
Excel by status, kind or department and still show who decided what and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import conf
from reports.exporters.base import ReportParams, full_name, local_naive, scope_q
from reports.xlsx import DATE, DATETIME, Report
from requests_app.models import Request, RequestEvent

FIELDS = (
    "pk",
    "kind",
    "employee__department__name",
    "employee__personnel_number",
    "employee__last_name",
    "employee__first_name",
    "employee__patronymic",
    "status",
    "start_date",
    "end_date",
    "created_at",
    "decided_at",
    "events__at",
    "events__action",
    "events__actor__username",
    "events__on_behalf_of__last_name",
    "events__on_behalf_of__first_name",
    "events__on_behalf_of__patronymic",
    "events__from_status",
    "events__to_status",
    "events__comment",
)
ORDER = ("created_at", "pk", "events__at", "events__id")
# The kinds of the columns that need a number format (reports.xlsx), in the order of the header.
FORMATS = (None, None, None, None, None, None, DATE, DATE, DATETIME, DATETIME, DATETIME)


def header() -> list[str]:
    return [
        _("Request"),
        _("Kind"),
        _("Department"),
        _("Personnel number"),
        _("Employee"),
        _("Status"),
        _("From"),
        _("To"),
        _("Filed at"),
        _("Decided at"),
        _("Event at"),
        _("Event"),
        _("By"),
        _("On behalf of"),
        _("Status before"),
        _("Status after"),
        _("Comment"),
    ]


def _period_bounds(params: ReportParams) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(params.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(params.date_to + dt.timedelta(days=1), dt.time.min))
    return start, end


def requests_in_period(params: ReportParams) -> QuerySet[Request]:
    start, end = _period_bounds(params)
    return Request.objects.filter(scope_q(params), created_at__gte=start, created_at__lt=end)


def build(params: ReportParams) -> Report:
    qs = requests_in_period(params)
    # Lines are events (a request without any history still gets one line of its own).
    total = RequestEvent.objects.filter(request__in=qs).count() + qs.filter(events__isnull=True).count()
    return Report(
        kind="requests",
        title=_("Requests"),
        header=header(),
        rows=rows(qs),
        total=total,
        formats=FORMATS,
    )


def rows(qs: QuerySet[Request]) -> Iterator[Sequence[Any]]:
    kinds = dict(Request.Kind.choices)
    statuses = dict(Request.Status.choices)
    actions = dict(RequestEvent.Action.choices)
    labels_cache: dict[str, dict[str, str]] = {
        "kind": {k: str(v) for k, v in kinds.items()},
        "status": {k: str(v) for k, v in statuses.items()},
        "action": {k: str(v) for k, v in actions.items()},
    }
    stream = qs.order_by(*ORDER).values_list(*FIELDS).iterator(chunk_size=conf.chunk_size())
    for (
        pk,
        kind,
        department,
        personnel_number,
        last_name,
        first_name,
        patronymic,
        status,
        start_date,
        end_date,
        created_at,
        decided_at,
        event_at,
        action,
        actor,
        behalf_last,
        behalf_first,
        behalf_patronymic,
        from_status,
        to_status,
        comment,
    ) in stream:
        yield (
            pk,
            labels_cache["kind"].get(kind, kind),
            department,
            personnel_number,
            full_name(last_name, first_name, patronymic),
            labels_cache["status"].get(status, status),
            start_date,
            end_date,
            local_naive(created_at),
            local_naive(decided_at),
            local_naive(event_at),
            labels_cache["action"].get(action, action or ""),
            actor or "",
            full_name(behalf_last or "", behalf_first or "", behalf_patronymic or ""),
            labels_cache["status"].get(from_status, from_status or ""),
            labels_cache["status"].get(to_status, to_status or ""),
            comment or "",
        )
