"""hrportal/celery.py's signal handlers, run through celery's own signals."""

import logging

import pytest
from celery import signals


class _Scheduler:
    pass


class _BeatService:
    """What beat's `Service` offers the handler: a `scheduler` built on first access (a cached property there)."""

    def __init__(self) -> None:
        self.built = 0

    @property
    def scheduler(self) -> _Scheduler:
        self.built += 1
        return _Scheduler()


def test_beat_says_it_is_ready_once_its_schedule_is_asked_for(caplog: pytest.LogCaptureFixture) -> None:
    """The line `make run`'s test waits for (tests/test_run_dev.py), logged at INFO from beat_init, after the
    handler has asked for the scheduler (so it is built before the line, whatever order celery keeps)."""
    import hrportal.celery  # noqa: F401 - connects the handlers

    service = _BeatService()
    with caplog.at_level(logging.INFO, logger="hrportal.celery"):
        signals.beat_init.send(sender=service)

    assert service.built == 1
    assert [r.getMessage() for r in caplog.records if r.name == "hrportal.celery"] == ["beat: ready (_Scheduler)"]
