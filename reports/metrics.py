"""The report metrics `/metrics` counts at scrape time: jobs by kind and status, run time, rows (hrportal.metrics)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

from hrportal.metrics import choices
from reports.models import ReportJob

# Buckets of the scrape-time histograms (report jobs take seconds to tens of minutes; rows up to ~1M).
REPORT_DURATION_BUCKETS: tuple[float, ...] = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
REPORT_ROWS_BUCKETS: tuple[float, ...] = (10, 100, 1_000, 10_000, 100_000, 500_000, 1_000_000)


def _histogram(
    name: str, documentation: str, label: str, rows: dict[str, dict[str, Any]], bounds: tuple[float, ...], key: str
) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=[label])
    for value, row in sorted(rows.items()):
        buckets = [(_bound(bound), row[f"{key}_le_{index}"]) for index, bound in enumerate(bounds)]
        buckets.append(("+Inf", row["count"]))
        family.add_metric([value], buckets, sum_value=row[f"{key}_sum"])
    return family


def _bound(value: float) -> str:
    return str(float(value))


def report_families(now: dt.datetime) -> list[Metric]:
    job = ReportJob
    kinds, statuses = choices(job, "kind"), choices(job, "status")
    counts = {(kind, status): 0 for kind in kinds for status in statuses}
    counts.update(
        {
            (kind, status): n
            for kind, status, n in job.objects.values_list("kind", "status").annotate(n=Count("id")).order_by()
        }
    )
    jobs = GaugeMetricFamily("hrportal_report_jobs", "Report jobs by kind and status.", labels=["kind", "status"])
    for (kind, status), n in sorted(counts.items()):
        jobs.add_metric([kind, status], n)

    # Finished reports: duration (finished_at − started_at of the run that finished) and rows, as histograms
    # computed with conditional counts in one query.
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    aggregates: dict[str, Any] = {"count": Count("id"), "duration_sum": Sum("duration"), "rows_sum": Sum("row_count")}
    for index, bound in enumerate(REPORT_DURATION_BUCKETS):
        aggregates[f"duration_le_{index}"] = Count("id", filter=Q(duration__lte=dt.timedelta(seconds=bound)))
    for index, bound in enumerate(REPORT_ROWS_BUCKETS):
        aggregates[f"rows_le_{index}"] = Count("id", filter=Q(row_count__lte=bound))
    done = (
        job.objects.filter(status="done", started_at__isnull=False, finished_at__isnull=False)
        .annotate(duration=duration)
        .values("kind")
        .annotate(**aggregates)
        .order_by()
    )
    empty = {name: 0 for name in aggregates}
    rows: dict[str, dict[str, Any]] = {kind: dict(empty) for kind in kinds}
    for row in done:
        total = row["duration_sum"]
        row["duration_sum"] = total.total_seconds() if isinstance(total, dt.timedelta) else float(total or 0) / 1e6
        row["rows_sum"] = row["rows_sum"] or 0
        rows[row["kind"]] = row
    return [
        jobs,
        _histogram(
            "hrportal_report_duration_seconds",
            "Run time of finished (done) report jobs, from claim to file.",
            "kind",
            rows,
            REPORT_DURATION_BUCKETS,
            "duration",
        ),
        _histogram(
            "hrportal_report_rows",
            "Rows written by finished (done) report jobs.",
            "kind",
            rows,
            REPORT_ROWS_BUCKETS,
            "rows",
        ),
    ]
