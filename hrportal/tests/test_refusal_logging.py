"""A refused request (403) is one WARNING line without a traceback, written once; a 500 keeps its traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.urls import reverse


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the configured handlers write (the root's console and any of Django's own), in one buffer."""
    buffer = io.StringIO()
    handlers = [
        h
        for name in ("", "django", "django.request")
        for h in logging.getLogger(name).handlers
        if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")  # not caplog's
    ]
    streams = [h.setStream(buffer) for h in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)


@pytest.mark.django_db
def test_a_403_is_one_warning_line_without_a_traceback(cast, login, caplog, log_output, settings) -> None:
    settings.DEBUG = True  # `make run`: Django's own console handler is live too
    client = login(cast.employee)
    caplog.clear()
    log_output.seek(0)
    log_output.truncate()
    response = client.get(reverse("delegations"))  # managers only
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in refusals] == [
        ("WARNING", "Forbidden (Permission denied): /delegations/", None)
    ]
    written = log_output.getvalue()
    assert "Traceback" not in written, written
    assert written.count("Forbidden (Permission denied): /delegations/") == 1, written


def test_a_server_error_keeps_its_traceback(caplog) -> None:
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        logger.error("Internal Server Error: /x", exc_info=exc)
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and record.exc_info is not None
