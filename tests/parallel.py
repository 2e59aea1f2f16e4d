"""The suite on several pytest-xdist workers (`make test`: `-p tests.parallel -n 2`): what each worker keeps apart.

A plugin, not a conftest: pytest-django loads the settings before any conftest is imported, so the environment
below must change first. Each worker gets
- its own test database (pytest-django adds the worker's id to the name by itself);
- its own Redis database for the broker (`…/0` → `…/1` for gw1): a task published by a test on one worker must
  not reach the Celery worker started by a test on the other, whose database holds different rows;
- its own var directory (`var/xdist-gw1`): the file mail sink, the report files and the metrics directories.

The tests that start, stop and kill services (`faults`) or a real Celery worker (`broker`) run on one worker, one
after another (`xdist_group`, with `--dist loadgroup`): they wait on processes and time-outs, and two of them side
by side would each see the other's load. The rest are spread over the workers as they free up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERIAL_MARKS = ("faults", "broker")


def worker_environ(environ: Mapping[str, str], worker: str) -> dict[str, str]:
    """The variables that worker `gwN` sets: the broker's Redis database moved on by N, var/xdist-gwN."""
    index = int(worker.removeprefix("gw"))
    changed = {"HRPORTAL_TEST_WORKER": worker}  # conftest.py checks it: `-n` without this plugin is refused
    broker = environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        scheme, _, rest = broker.partition("//")
        host, _, db = rest.partition("/")
        changed["CELERY_BROKER_URL"] = f"{scheme}//{host}/{int(db or 0) + index}"
    var = Path(environ.get("HRPORTAL_VAR_DIR") or ROOT / "var")
    changed["HRPORTAL_VAR_DIR"] = str(var / f"xdist-{worker}")
    return changed


if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.update(worker_environ(os.environ, os.environ["PYTEST_XDIST_WORKER"]))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(mark) for mark in SERIAL_MARKS):
            item.add_marker(pytest.mark.xdist_group("services"))
