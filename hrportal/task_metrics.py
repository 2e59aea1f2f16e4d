"""Celery task metrics from the worker's own signals, correct with the prefork pool.

Each pool process counts the tasks it runs (started, succeeded, failed, retried, run time) by task name.
With `PROMETHEUS_MULTIPROC_DIR` set for the worker, the counts go to per-process files in that directory and
the web's `/metrics` merges them (hrportal/metrics.py; docs/decisions/observability-multiprocess.md): no
exporter process and no Celery events needed. The directory belongs to one worker instance: it is emptied
when the worker starts (`celeryd_init`, before the pool forks), a pool process that exits cleanly drops its
live gauges (`worker_process_shutdown`), and the main process drops those of pool processes that were killed
(SIGKILL, the OOM killer) on a timer.

Imported by hrportal/celery.py, so every process that loads the Celery app connects these receivers; in a
process without the directory (tests, eager calls) the metrics simply stay in memory.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from celery.signals import (
    celeryd_init,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from prometheus_client import Counter, Histogram

from hrportal import metrics

logger = logging.getLogger(__name__)

ROLE = "celery"
# Mail sends take milliseconds to seconds, exports up to the hard time limit (minutes).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)

# The directory must exist before the first sample is written (prometheus_client opens its file then).
if metrics.multiproc_dir():
    os.makedirs(metrics.multiproc_dir() or "", exist_ok=True)

STARTED = Counter("hrportal_celery_task_started", "Task runs started, by task name.", ["task"])
SUCCEEDED = Counter("hrportal_celery_task_succeeded", "Task runs that returned, by task name.", ["task"])
FAILED = Counter("hrportal_celery_task_failed", "Task runs that raised (final failure), by task name.", ["task"])
RETRIED = Counter("hrportal_celery_task_retried", "Task runs that asked for a retry, by task name.", ["task"])
DURATION = Histogram(
    "hrportal_celery_task_duration_seconds",
    "Run time of a task in its worker process (prerun to postrun), by task name.",
    ["task"],
    buckets=DURATION_BUCKETS,
)

_started_at: dict[str, float] = {}


def _name(task: Any) -> str:
    return str(getattr(task, "name", None) or "unknown")


@task_prerun.connect
def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    STARTED.labels(_name(task)).inc()
    if task_id:
        _started_at[task_id] = time.monotonic()
    metrics.update_process_memory(ROLE)


@task_postrun.connect
def _on_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started_at.pop(task_id or "", None)
    if started is not None:
        DURATION.labels(_name(task)).observe(time.monotonic() - started)
    if state == "SUCCESS":
        SUCCEEDED.labels(_name(task)).inc()
    metrics.update_process_memory(ROLE)


@task_failure.connect
def _on_failure(sender: Any = None, **_: Any) -> None:
    FAILED.labels(_name(sender)).inc()


@task_retry.connect
def _on_retry(sender: Any = None, **_: Any) -> None:
    RETRIED.labels(_name(sender)).inc()


# --- the worker's life cycle ------------------------------------------------------------------------------


@celeryd_init.connect
def _on_worker_start(**_: Any) -> None:
    path = metrics.multiproc_dir()
    if path is None:
        logger.warning(
            "PROMETHEUS_MULTIPROC_DIR is not set: the task metrics of this worker's pool processes are not exported"
        )
        return
    removed = metrics.prepare_multiproc_dir(path, keep_pid=os.getpid())
    logger.info("task metrics: writing to %s (%d stale files removed)", path, removed)


@worker_process_init.connect
def _on_pool_process_start(**_: Any) -> None:
    metrics.update_process_memory(ROLE)


@worker_process_shutdown.connect
def _on_pool_process_exit(pid: int | None = None, **_: Any) -> None:
    if metrics.multiproc_dir():
        metrics.mark_process_dead(pid or os.getpid())


def reap_interval() -> float:
    return float(os.environ.get("METRICS_REAP_INTERVAL", "15"))


@worker_ready.connect
def _on_worker_ready(sender: Any = None, **_: Any) -> None:
    metrics.update_process_memory(ROLE)
    if not metrics.multiproc_dir():
        return
    # On the consumer's own timer (the main thread's event loop), not in a thread: the pool forks from this
    # process, and a fork while another thread holds prometheus_client's lock would deadlock the child.
    timer = getattr(sender, "timer", None)
    if timer is not None and hasattr(timer, "call_repeatedly"):
        timer.call_repeatedly(reap_interval(), _reap)
    else:  # pragma: no cover - every pool Celery ships has a timer
        logger.warning("task metrics: no timer on the consumer; killed pool processes keep their memory series")


def _reap() -> None:
    try:
        dead = metrics.reap_dead_processes()
        if dead:
            logger.info("task metrics: dropped the live gauges of dead pool processes %s", dead)
        metrics.update_process_memory(ROLE)
    except Exception:  # never let bookkeeping stop the consumer
        logger.warning("task metrics: reaping dead processes failed", exc_info=True)


@worker_shutdown.connect
def _on_worker_shutdown(**_: Any) -> None:
    if metrics.multiproc_dir():
        metrics.mark_process_dead(os.getpid())
