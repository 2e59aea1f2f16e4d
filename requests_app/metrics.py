"""The request metrics `/metrics` counts at scrape time: history steps by kind and action (hrportal.metrics)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily
from prometheus_client.metrics_core import Metric

from hrportal.metrics import choices
from requests_app.models import Request, RequestEvent


def request_families(now: dt.datetime) -> list[Metric]:
    event = RequestEvent
    request = Request
    counts = {(kind, action): 0 for kind in choices(request, "kind") for action in choices(event, "action")}
    counts.update(
        {
            (kind, action): n
            for kind, action, n in event.objects.values_list("request__kind", "action")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    family = CounterMetricFamily(
        "hrportal_request_events",
        "Steps of requests' history by request kind and action (created, approved, rejected, cancelled, …).",
        labels=["kind", "action"],
    )
    for (kind, action), n in sorted(counts.items()):
        family.add_metric([kind, action], n)
    return [family]
