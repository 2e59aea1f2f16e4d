"""What `/metrics` serves: process metrics merged across processes, and business metrics read from the database.

Three sources make one scrape (docs/decisions/observability-multiprocess.md):

- **Process metrics** (django-prometheus' HTTP and database metrics, the Celery task metrics of
  `hrportal.task_metrics`, the memory gauges below). gunicorn workers and Celery pool processes run in
  prometheus_client's multiprocess mode: each process writes its samples to files in its group's
  `PROMETHEUS_MULTIPROC_DIR`. A scrape merges the files of its own directory and of every directory named by
  `settings.METRICS_MULTIPROC_DIRS` (glob patterns; e.g. the Celery workers' directories), so one scrape of
  the web answers for every process on the host or the shared volume. A process that is *not* in
  multiprocess mode (runserver, tests) adds its in-memory registry to the merge.
- **Business metrics** (`BusinessCollector`): counted at scrape time with a handful of aggregate queries by
  the sources the apps register (`notifications.metrics`: the outbox and delivery attempts, `reports.metrics`,
  `requests_app.metrics`), so they are right whichever process did the work and survive restarts. Known
  label values are always exported (zeros included): Prometheus' `increase()` does not count the first
  sample of a new series, so a first failed mail would otherwise never alert.
- **Memory**: multiprocess mode has no `process_*` metrics, so each process sets its own resident and peak
  memory in `hrportal_process_resident_memory_bytes` / `hrportal_process_peak_resident_memory_bytes`
  (`liveall`: one series per live process, `pid` added by the merge; a dead process's series is removed by
  `mark_process_dead`).

This module imports no Django models at import time: gunicorn hooks and the Celery signal module import it.
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
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

# The directory helpers import nothing but the standard library (gunicorn's master loads that module alone).
from hrportal.multiproc import multiproc_dir, pid_of, prepare_multiproc_dir

logger = logging.getLogger(__name__)

HOST = socket.gethostname()

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


def choices(model: Any, field: str) -> list[str]:
    """The stored values of a field's choices: a business metric exports every known label value, zeros too."""
    return [str(value) for value, _ in model._meta.get_field(field).choices or []]


def age_seconds(now: dt.datetime, then: dt.datetime | None) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


# Each app registers what it counts (its AppConfig.ready): the base knows none of them.
SOURCES: dict[str, Callable[[dt.datetime], list[Metric]]] = {}


def register_source(name: str, read: Callable[[dt.datetime], list[Metric]]) -> None:
    SOURCES[name] = read


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
