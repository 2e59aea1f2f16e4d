"""The mail metrics `/metrics` counts at scrape time: delivery attempts and the outbox (hrportal.metrics)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Min, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from hrportal.metrics import age_seconds, choices
from notifications.models import DeliveryAttempt, Event, OutboxMessage


def mail_families(now: dt.datetime) -> list[Metric]:
    attempt = DeliveryAttempt
    counts: dict[tuple[str, str], int] = {}
    for event in Event.values:
        for outcome in choices(attempt, "outcome"):
            counts[(event, outcome)] = 0
    rows = (
        attempt.objects.exclude(outcome="").values_list("message__event", "outcome").annotate(n=Count("id")).order_by()
    )
    for event, outcome, n in rows:
        counts[(event, outcome)] = n
    family = CounterMetricFamily(
        "hrportal_mail_attempts",
        "Finished mail delivery attempts by event and outcome (sent, retry, failed), from the outbox's attempt log.",
        labels=["event", "outcome"],
    )
    for (event, outcome), n in sorted(counts.items()):
        family.add_metric([event, outcome], n)
    return [family]


def outbox_families(now: dt.datetime) -> list[Metric]:
    message = OutboxMessage
    statuses = choices(message, "status")
    counts = dict.fromkeys(statuses, 0)
    counts.update(message.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_status = GaugeMetricFamily(
        "hrportal_outbox_messages", "Outbox messages by status (the backlog is queued + sending).", labels=["status"]
    )
    for status, n in sorted(counts.items()):
        by_status.add_metric([status], n)

    # Undelivered mail — still to be sent: queued or sending — in one query, by status and by the cause of the
    # wait ("" nothing failed yet; "transient" the last try met an outage; notifications/retry.py).
    in_flight = ["queued", "sending"]
    max_age = float(getattr(settings, "HRPORTAL", {}).get("MAIL_RETRY_MAX_AGE", 24 * 60 * 60))
    rows = (
        message.objects.filter(status__in=in_flight)
        .values_list("status", "last_error_kind")
        .annotate(
            n=Count("id"),
            oldest=Min("created_at"),
            overdue=Count("id", filter=Q(created_at__lt=now - dt.timedelta(seconds=max_age))),
        )
        .order_by()
    )
    oldest_by_status: dict[str, dt.datetime] = {}
    by_cause = {"new": 0, "transient": 0}
    oldest_overall: dt.datetime | None = None
    overdue_total = 0
    for status, kind, n, oldest, overdue in rows:
        if status not in oldest_by_status or oldest < oldest_by_status[status]:
            oldest_by_status[status] = oldest
        cause = "transient" if kind == "transient" else "new"
        by_cause[cause] += n
        oldest_overall = oldest if oldest_overall is None else min(oldest_overall, oldest)
        overdue_total += overdue
    age = GaugeMetricFamily(
        "hrportal_outbox_oldest_age_seconds",
        "Age of the oldest outbox message in a status (since it was queued); 0 when there is none.",
        labels=["status"],
    )
    for status in in_flight:
        age.add_metric([status], age_seconds(now, oldest_by_status.get(status)))
    undelivered = GaugeMetricFamily(
        "hrportal_mail_undelivered",
        "Mail not delivered yet and still to be sent (queued or sending), by cause: new (no failed try yet) or "
        "transient (the last try met an SMTP or network outage; retried on the schedule).",
        labels=["cause"],
    )
    for cause, n in sorted(by_cause.items()):
        undelivered.add_metric([cause], n)
    undelivered_age = GaugeMetricFamily(
        "hrportal_mail_undelivered_oldest_age_seconds",
        "Age of the oldest undelivered message (since it was queued); 0 when all mail is delivered.",
        value=age_seconds(now, oldest_overall),
    )
    overdue_family = GaugeMetricFamily(
        "hrportal_mail_undelivered_overdue",
        "Undelivered messages queued longer ago than MAIL_RETRY_MAX_AGE (the retry schedule's horizon); "
        "still retried every MAIL_RETRY_BACKOFF_MAX.",
        value=overdue_total,
    )
    return [by_status, age, undelivered, undelivered_age, overdue_family]
