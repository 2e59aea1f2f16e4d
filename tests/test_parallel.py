"""tests/parallel.py: what each pytest-xdist worker keeps to itself (docs/decisions/tests-in-parallel.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.parallel import ROOT, worker_environ


@pytest.mark.parametrize(
    ("broker", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/3", "gw2", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
        ("rediss://:secret@cache.example:6380/2", "gw1", "rediss://:secret@cache.example:6380/3"),
    ],
)
def test_each_worker_publishes_to_its_own_redis_database(broker: str, worker: str, expected: str) -> None:
    assert worker_environ({"CELERY_BROKER_URL": broker}, worker)["CELERY_BROKER_URL"] == expected


@pytest.mark.parametrize("broker", ["", "filesystem://", "amqp://guest:guest@127.0.0.1:5672//"])
def test_other_brokers_are_left_alone(broker: str) -> None:
    """The filesystem broker lives in the var directory, which is the worker's own; RabbitMQ is never shared."""
    assert "CELERY_BROKER_URL" not in worker_environ({"CELERY_BROKER_URL": broker}, "gw1")


def test_each_worker_has_its_own_var_directory(tmp_path: Path) -> None:
    assert worker_environ({}, "gw1")["HRPORTAL_VAR_DIR"] == str(ROOT / "var" / "xdist-gw1")
    given = {"HRPORTAL_VAR_DIR": str(tmp_path)}
    assert worker_environ(given, "gw0")["HRPORTAL_VAR_DIR"] == str(tmp_path / "xdist-gw0")


def test_this_worker_runs_with_its_own_settings() -> None:
    """Under `make test` the settings this process loaded are the worker's; in one process, the plain ones."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        assert "xdist-" not in str(settings.VAR_DIR)
    else:
        assert settings.VAR_DIR.name == f"xdist-{worker}"
        assert os.environ["HRPORTAL_TEST_WORKER"] == worker
