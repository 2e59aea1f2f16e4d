"""The prometheus_client multiprocess directory of this process group: where it is and how it is emptied.

Standard library only, on purpose: gunicorn's master empties the directory (gunicorn.conf.py `on_starting`)
and loads this file by its path, so the hrportal package (whose __init__ loads the Celery app, Django and the
task metrics) is never imported into the master, and its workers import the application's code themselves.
(The master's `child_exit` imports prometheus_client's multiprocess module later, only to delete a dead
worker's files.) hrportal.metrics re-exports these.
"""

from __future__ import annotations

import glob
import os

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiproc_dir() -> str | None:
    """This process's multiprocess directory, or None when it keeps its metrics in memory."""
    return os.environ.get(MULTIPROC_ENV) or None


def pid_of(path: str) -> str:
    """`counter_1234.db` → "1234" (the process identifier is the last `_` part of the name)."""
    return os.path.basename(path)[: -len(".db")].rsplit("_", 1)[-1]


def prepare_multiproc_dir(path: str | None = None, *, keep_pid: int | None = None) -> int:
    """Create the directory and delete the files of earlier runs; return how many were deleted.

    Called once per process group at its start, before it forks (gunicorn's `on_starting`, Celery's
    `celeryd_init`): what a previous run left is stale, and a live gauge of a dead process would otherwise be
    exported forever. `keep_pid`: files of this process survive (it may already have opened them).
    """
    path = path or multiproc_dir()
    if not path:
        return 0
    os.makedirs(path, exist_ok=True)
    removed = 0
    for name in glob.glob(os.path.join(path, "*.db")):
        if keep_pid is not None and pid_of(name) == str(keep_pid):
            continue
        try:
            os.remove(name)
            removed += 1
        except FileNotFoundError:
            pass
    return removed
