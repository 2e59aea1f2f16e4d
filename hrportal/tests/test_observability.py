"""Logs: the formatters of settings.LOGGING carry the request id; JSON lines when LOG_FORMAT=json.

Propagation into a real worker's log lines (acceptance 4) is in test_observability_integration.py.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from hrportal import observability


def _handler(formatter_name: str, stream: io.StringIO) -> logging.Handler:
    configurator = logging.config.DictConfigurator({})
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(dict(settings.LOGGING["formatters"][formatter_name])))
    handler.addFilter(configurator.configure_filter(dict(settings.LOGGING["filters"]["request_id"])))
    return handler


@pytest.fixture
def capture() -> Iterator[Any]:
    """`capture(formatter)` → (logger, stream): a private logger writing through that settings formatter."""
    loggers: list[logging.Logger] = []

    def make(formatter_name: str) -> tuple[logging.Logger, io.StringIO]:
        stream = io.StringIO()
        logger = logging.getLogger(f"hrportal.tests.obs.{formatter_name}.{len(loggers)}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(_handler(formatter_name, stream))
        loggers.append(logger)
        return logger, stream

    yield make
    for logger in loggers:
        logger.handlers.clear()


def test_json_lines_carry_the_request_id_and_the_extra_ids(capture: Any) -> None:
    logger, stream = capture("json")
    token = observability.request_id_var.set("req-42")
    try:
        logger.info("outbox message %s: attempt %s sent", 7, 2, extra={"outbox_message_id": 7, "attempt": 2})
    finally:
        observability.request_id_var.reset(token)
    logger.warning("outside any request")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "outbox message 7: attempt 2 sent"
    assert first["request_id"] == "req-42"
    assert (first["level"], first["logger"]) == ("INFO", logger.name)
    assert (first["outbox_message_id"], first["attempt"]) == (7, 2)
    assert first["time"]
    assert second["request_id"] == "-" and second["level"] == "WARNING"


def test_json_lines_keep_exceptions_on_one_line(capture: Any) -> None:
    logger, stream = capture("json")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("report job %s failed", 3, extra={"report_job_id": 3})
    [line] = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["report_job_id"] == 3 and "ValueError: boom" in record["exc_info"]


def test_text_lines_carry_the_request_id(capture: Any) -> None:
    logger, stream = capture("text")
    token = observability.request_id_var.set("abc-123")
    try:
        logger.info("hello")
    finally:
        observability.request_id_var.reset(token)
    assert "INFO [abc-123] hrportal.tests.obs.text" in stream.getvalue()


def test_the_console_handler_uses_the_format_chosen_by_log_format() -> None:
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == ("json" if settings.LOG_FORMAT == "json" else "text")
    assert "request_id" in handler["filters"]


@pytest.mark.django_db
def test_log_lines_inside_a_request_carry_its_id(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="hrportal.views")
    caplog.handler.addFilter(observability.RequestIdFilter())
    with mock.patch("hrportal.views._check_broker", return_value="broker: down for the test"):
        response = client.get("/readyz", HTTP_X_REQUEST_ID="probe-1")
    assert response.status_code == 503
    [record] = [r for r in caplog.records if r.name == "hrportal.views"]
    assert record.request_id == "probe-1"  # type: ignore[attr-defined]


def test_publishing_inside_a_request_adds_its_id_to_the_task_headers() -> None:
    headers: dict[str, Any] = {}
    observability._add_request_id_header(headers=headers)
    assert "request_id" not in headers  # no request: nothing to carry
    token = observability.request_id_var.set("req-9")
    try:
        observability._add_request_id_header(headers=headers)
    finally:
        observability.request_id_var.reset(token)
    assert headers["request_id"] == "req-9"


def test_a_task_runs_under_the_request_id_of_its_message() -> None:
    task = SimpleNamespace(request=SimpleNamespace(request_id=None, headers={"request_id": "req-5"}))
    observability._bind_request_id(task_id="t1", task=task)
    try:
        assert observability.current_request_id() == "req-5"
    finally:
        observability._unbind_request_id(task_id="t1")
    assert observability.current_request_id() == "-"
    bare = SimpleNamespace(request=SimpleNamespace(request_id=None, headers=None))
    observability._bind_request_id(task_id="t2", task=bare)
    try:
        assert observability.current_request_id() == "task-t2"
    finally:
        observability._unbind_request_id(task_id="t2")
