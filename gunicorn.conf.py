"""gunicorn settings for hrportal; gunicorn reads ./gunicorn.conf.py by itself (the Dockerfile's CMD runs there).

Metrics run in prometheus_client's multiprocess mode (docs/decisions/observability-multiprocess.md): every
worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR and any worker's `/metrics` merges them all.
The directory belongs to this gunicorn alone: it is emptied when the master starts, and a worker's live
gauges are dropped when it exits (even when it was killed: the master reaps it). Command-line options
(`--workers`, `--bind`, ...) still override what is set here.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType
from typing import Any

_BASE_DIR = Path(__file__).resolve().parent
_VAR_DIR = Path(os.environ.get("HRPORTAL_VAR_DIR") or _BASE_DIR / "var")

# Before any worker imports prometheus_client: the mode is chosen at import time from this variable.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_VAR_DIR / "prometheus" / "web"))

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One sync worker per core. On the 2-core host, 50 users at 30,000 employees (bench/scale_load.py) had a higher p95
# with 5 sync workers (2 x cores + 1) or 2 workers x 4 gthreads than with 2 sync workers: on a busy CPU, more
# workers time-slice every request instead of queueing a few (docs/benchmarks.md, "50 users at 30,000").
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # above 1: gunicorn's gthread worker
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# A worker is replaced after this many requests (with jitter, so not all at once): a slow leak cannot grow
# into the out-of-memory kill that started issue 9. Its counters survive in the multiprocess files.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))


def _multiproc_dir() -> str:
    return os.environ["PROMETHEUS_MULTIPROC_DIR"]


def _multiproc_helpers() -> ModuleType:
    """hrportal/multiproc.py loaded from its file, not imported as part of the hrportal package.

    Importing anything in the package (hrportal.metrics, hrportal.multiproc) runs hrportal/__init__.py: the
    Celery app, Django, prometheus_client and the task metrics would all load in the master.
    Those would create no metric files here (their metrics all have labels, so no sample exists until a worker
    sets one), but the workers would inherit the modules instead of importing them: after a HUP reload of new
    code they would run the old hrportal package. The file imports only the standard library.
    """
    spec = importlib.util.spec_from_file_location("_hrportal_multiproc", _BASE_DIR / "hrportal" / "multiproc.py")
    if spec is None or spec.loader is None:
        raise ImportError("cannot load hrportal/multiproc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_starting(server: Any) -> None:
    """Master start, before any worker: an empty directory (files of an earlier run are stale)."""
    path = _multiproc_dir()
    removed = _multiproc_helpers().prepare_multiproc_dir(path)
    server.log.info("metrics: multiprocess directory %s (%d stale files removed)", path, removed)


def child_exit(server: Any, worker: Any) -> None:
    """In the master, after a worker exited for any reason: its live gauges (memory) go with it."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, _multiproc_dir())


def post_request(worker: Any, req: Any, environ: dict[str, Any], resp: Any) -> None:
    """In the worker after each request: record its memory (one read of /proc/self/statm)."""
    from hrportal.metrics import update_process_memory

    update_process_memory("web")


def post_worker_init(worker: Any) -> None:
    """In the worker once the application is loaded: freeze the loaded heap out of the garbage collector's
    full collections (hrportal/warm.py; GUNICORN_GC_FREEZE=0 turns it off)."""
    if os.environ.get("GUNICORN_GC_FREEZE", "1") == "1":
        from hrportal.warm import freeze_after_load

        worker.log.info("gc: %d objects frozen after the application loaded", freeze_after_load())
