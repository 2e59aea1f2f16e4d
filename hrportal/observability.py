"""Request ids: bound per HTTP request, written on every log line, carried into Celery tasks.

The id comes from the `X-Request-ID` header when a proxy sets a sane one, otherwise a new uuid4.
It lives in a context variable; a logging filter puts it on each record; Celery's publish signal
copies it into the task message headers and the worker binds it again before the task runs.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RefusalWithoutTraceback(logging.Filter):
    """On `django.request`: a refused request (a 4xx, logged at WARNING: PermissionDenied, a bad request) is one
    line, without the traceback Django attaches; a 5xx (ERROR) keeps it. The refusal is expected behaviour."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = rid
        return response


@before_task_publish.connect
def _add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None and "request_id" not in headers:
        rid = request_id_var.get()
        if rid != "-":
            headers["request_id"] = rid


_task_tokens: dict[str, contextvars.Token[str]] = {}


@task_prerun.connect
def _bind_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    rid = getattr(task.request, "request_id", None) if task is not None else None
    if not rid and task is not None:
        rid = (getattr(task.request, "headers", None) or {}).get("request_id")
    if task_id:
        _task_tokens[task_id] = request_id_var.set(rid or f"task-{task_id}")


@task_postrun.connect
def _unbind_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # reset from another context (eager mode): just clear it
            request_id_var.set("-")
