"""What `/metrics` serves: process metrics merged across processes, and business metrics read from the database.

Three sources make one scrape (docs/decisions/observability-multiprocess.md):

- **Process metrics** (django-prometheus' HTTP and database metrics, the Celery task metrics of
  `hrportal.task_metrics`, the memory gauges below). gunicorn workers and Celery pool processes run in
  prometheus_client's multiprocess mode: each process writes its samples to files in its group's
  `PROMETHEUS_MULTIPROC_DIR`. A scrape merges the files of its own directory and of every directory named by
  `settings.METRICS_MULTIPROC_DIRS` (glob patterns; e.g. the Celery workers' directories), so one scrape of
  the web answers for every process on the host or the shared volume. A process that is *not* in
  multiprocess mode (runserver, tests) adds its in-memory registry to the merge.
- **Business metrics** (`BusinessCollector`): counted at scrape time from the outbox, the report jobs and
  the request history with a handful of aggregate queries, so they are right whichever process did the work
  and survive restarts. Known label values are always exported (zeros included): Prometheus' `increase()`
  does not count the first sample of a new series, so a first failed mail would otherwise never alert.
- **Memory**: multiprocess mode has no `process_*` metrics, so each process sets its own resident and peak
  memory in `hrportal_process_resident_memory_bytes` / `hrportal_process_peak_resident_memory_bytes`
  (`liveall`: one series per live process, `pid` added by the merge; a dead process's series is removed by
  `mark_process_dead`).

This module imports no Django models at import time: gunicorn hooks and the Celery signal module import it.

Past 400 lines: the multiprocess merge and the business metrics counted at scrape time are one exporter.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import os
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

# The directory helpers import nothing but the standard library (gunicorn's master loads that module alone).
from hrportal.multiproc import multiproc_dir, pid_of, prepare_multiproc_dir

logger = logging.getLogger(__name__)

HOST = socket.gethostname()

# Buckets of the scrape-time histograms (report jobs take seconds to tens of minutes; rows up to ~1M).
REPORT_DURATION_BUCKETS: tuple[float, ...] = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
REPORT_ROWS_BUCKETS: tuple[float, ...] = (10, 100, 1_000, 10_000, 100_000, 500_000, 1_000_000)


# --- multiprocess directories ----------------------------------------------------------------------------


def is_multiprocess() -> bool:
    from prometheus_client import values

    return bool(getattr(values.ValueClass, "_multiprocess", False))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def reap_dead_processes(path: str | None = None, *, alive: Callable[[int], bool] = pid_alive) -> list[int]:
    """Drop the live gauges of processes of this directory that died without saying so (SIGKILL, OOM).

    Only meaningful where the directory's processes share this process's pid namespace (one group per
    directory, docs/decisions/observability-multiprocess.md).
    """
    path = path or multiproc_dir()
    if not path:
        return []
    dead = set()
    for name in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        ident = pid_of(name)
        if ident.isdigit() and int(ident) != os.getpid() and not alive(int(ident)):
            dead.add(int(ident))
    for pid in sorted(dead):
        mark_process_dead(pid, path)
    return sorted(dead)


def scrape_dirs(patterns: Iterable[str] | None = None) -> list[str]:
    """This process's directory plus the existing directories matched by `patterns` (default: the setting)."""
    if patterns is None:
        from django.conf import settings

        configured = getattr(settings, "METRICS_MULTIPROC_DIRS", None)
        if configured is None:  # the environment variable of the same name, comma-separated
            configured = [p.strip() for p in os.environ.get("METRICS_MULTIPROC_DIRS", "").split(",") if p.strip()]
        patterns = configured
    candidates: list[str] = []
    own = multiproc_dir()
    if own:
        candidates.append(own)
    for pattern in patterns:
        candidates.extend(sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern])
    seen: set[str] = set()
    result = []
    for candidate in candidates:
        real = os.path.realpath(candidate)
        if real not in seen and os.path.isdir(real):
            seen.add(real)
            result.append(candidate)
    return result


# --- memory -----------------------------------------------------------------------------------------------

RESIDENT_MEMORY = Gauge(
    "hrportal_process_resident_memory_bytes",
    "Resident memory of a web or worker process, set by the process itself (multiprocess mode has no process_*).",
    ["role", "host"],
    multiprocess_mode="liveall",
)
PEAK_RESIDENT_MEMORY = Gauge(
    "hrportal_process_peak_resident_memory_bytes",
    "Peak resident memory of a web or worker process since it started (catches a spike inside a task).",
    ["role", "host"],
    multiprocess_mode="liveall",
)
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory_bytes() -> int:
    """Current RSS from /proc (Linux); elsewhere the peak is the best we have."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return peak_resident_memory_bytes()


def peak_resident_memory_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux, bytes on macOS


def update_process_memory(role: str) -> None:
    """Record this process's memory (cheap: one read of /proc/self/statm and one getrusage)."""
    try:
        resident = resident_memory_bytes()
        RESIDENT_MEMORY.labels(role, HOST).set(resident)
        # The kernel's high-water mark can lag the current figure by a few pages.
        PEAK_RESIDENT_MEMORY.labels(role, HOST).set(max(resident, peak_resident_memory_bytes()))
    except Exception:  # metrics must never break a request or a task
        logger.debug("could not record process memory", exc_info=True)


# --- merging process metrics ------------------------------------------------------------------------------

_SUMMED_TYPES = {"counter", "histogram", "summary", "gaugehistogram"}


def merge_families(families: Iterable[Metric]) -> list[Metric]:
    """One family per name: samples of same-named families are joined, equal series summed (counters,
    histograms) or the last one kept (gauges)."""
    by_name: dict[str, Metric] = {}
    series: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], Sample]] = {}
    for family in families:
        merged = by_name.get(family.name)
        if merged is None:
            merged = by_name[family.name] = Metric(family.name, family.documentation, family.type, family.unit)
            series[family.name] = {}
        samples = series[family.name]
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            previous = samples.get(key)
            if previous is not None and merged.type in _SUMMED_TYPES and not sample.name.endswith("_created"):
                sample = Sample(sample.name, sample.labels, previous.value + sample.value)
            samples[key] = sample
    for name, merged in by_name.items():
        merged.samples = list(series[name].values())
    return list(by_name.values())


def _readable(path: str) -> bool:
    try:
        MultiProcessCollector.merge([path], accumulate=True)
    except Exception:
        return False
    return True


class ProcessMetricsCollector(Collector):
    """The samples of every process: multiprocess files of `dirs`, plus this process's registry when it keeps
    its metrics in memory (in multiprocess mode its own samples are already in the files)."""

    def __init__(self, dirs: list[str], *, include_registry: bool) -> None:
        self.dirs = dirs
        self.include_registry = include_registry

    def collect(self) -> Iterator[Metric]:
        files = sorted({name for directory in self.dirs for name in glob.glob(os.path.join(directory, "*.db"))})
        families: list[Metric] = []
        if files:
            try:
                families = list(MultiProcessCollector.merge(files, accumulate=True))
            except Exception:  # one unreadable file (a full disk, a stray copy) must not blank the whole scrape
                readable = [name for name in files if _readable(name)]
                logger.warning("metrics: skipped unreadable files %s", sorted(set(files) - set(readable)))
                families = list(MultiProcessCollector.merge(readable, accumulate=True))
        if self.include_registry:
            families.extend(REGISTRY.collect())
        yield from merge_families(families)


# --- business metrics -------------------------------------------------------------------------------------


def _model(app_label: str, model_name: str) -> Any:
    from django.apps import apps

    return apps.get_model(app_label, model_name)


def _choices(model: Any, field: str) -> list[str]:
    return [str(value) for value, _ in model._meta.get_field(field).choices or []]


def _age_seconds(now: dt.datetime, then: dt.datetime | None) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


def mail_families(now: dt.datetime) -> list[Metric]:
    from django.db.models import Count

    attempt = _model("notifications", "DeliveryAttempt")
    counts: dict[tuple[str, str], int] = {}
    try:
        from notifications.services import EVENTS
    except ImportError:  # pragma: no cover - the app without its service module
        EVENTS = ()
    for event in EVENTS:
        for outcome in _choices(attempt, "outcome"):
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
    from django.conf import settings
    from django.db.models import Count, Min, Q

    message = _model("notifications", "OutboxMessage")
    statuses = _choices(message, "status")
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
        age.add_metric([status], _age_seconds(now, oldest_by_status.get(status)))
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
        value=_age_seconds(now, oldest_overall),
    )
    overdue_family = GaugeMetricFamily(
        "hrportal_mail_undelivered_overdue",
        "Undelivered messages queued longer ago than MAIL_RETRY_MAX_AGE (the retry schedule's horizon); "
        "still retried every MAIL_RETRY_BACKOFF_MAX.",
        value=overdue_total,
    )
    return [by_status, age, undelivered, undelivered_age, overdue_family]


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
    from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

    job = _model("reports", "ReportJob")
    kinds, statuses = _choices(job, "kind"), _choices(job, "status")
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


def request_families(now: dt.datetime) -> list[Metric]:
    from django.db.models import Count

    event = _model("requests_app", "RequestEvent")
    request = _model("requests_app", "Request")
    counts = {(kind, action): 0 for kind in _choices(request, "kind") for action in _choices(event, "action")}
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


SOURCES: dict[str, Callable[[dt.datetime], list[Metric]]] = {
    "mail": mail_families,
    "outbox": outbox_families,
    "reports": report_families,
    "requests": request_families,
}


class BusinessCollector(Collector):
    """Business metrics counted from the database at scrape time; a source that fails (a missing table, a
    database that is down) is left out and reported by `hrportal_business_metrics_up{source}`."""

    def collect(self) -> Iterator[Metric]:
        from django.db import DatabaseError, transaction
        from django.utils import timezone

        now = timezone.now()
        up = GaugeMetricFamily(
            "hrportal_business_metrics_up",
            "1 when a business metrics source could be read at this scrape, else 0.",
            labels=["source"],
        )
        started = time.perf_counter()
        for source, read in SOURCES.items():
            try:
                with transaction.atomic():  # a savepoint: a failing query must not break an outer transaction
                    families = read(now)
            except (DatabaseError, LookupError) as exc:
                logger.warning("metrics: cannot read %s: %s: %s", source, exc.__class__.__name__, exc)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up
        yield GaugeMetricFamily(
            "hrportal_business_metrics_scrape_seconds",
            "Time spent counting the business metrics at this scrape.",
            value=time.perf_counter() - started,
        )


# --- the scrape -------------------------------------------------------------------------------------------


def scrape_registry(dirs: list[str] | None = None) -> CollectorRegistry:
    """A registry for one scrape: every process's metrics and the business metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(
        ProcessMetricsCollector(scrape_dirs() if dirs is None else dirs, include_registry=not is_multiprocess())
    )
    registry.register(BusinessCollector())
    return registry


__all__ = [
    "BusinessCollector",
    "ProcessMetricsCollector",
    "mark_process_dead",
    "merge_families",
    "multiproc_dir",
    "prepare_multiproc_dir",
    "reap_dead_processes",
    "scrape_dirs",
    "scrape_registry",
    "update_process_memory",
]
