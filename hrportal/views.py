"""Operational endpoints: liveness, readiness and the guarded Prometheus scrape."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from hrportal.celery import app as celery_app
from hrportal.celery import ping

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"database: {exc.__class__.__name__}: {exc}".strip()
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        return f"broker: {exc.__class__.__name__}: {exc}".strip()
    return None


def _check_worker(timeout: float) -> str | None:
    try:
        result = ping.apply_async(queue=settings.CELERY_TASK_DEFAULT_QUEUE, expires=timeout)
        answer = result.get(timeout=timeout, propagate=True)
    except Exception as exc:
        return f"worker: no answer to the canary task within {timeout:g}s ({exc.__class__.__name__})"
    return None if answer == "pong" else f"worker: unexpected canary answer {answer!r}"


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    problems = [p for p in (_check_database(), _check_broker()) if p]
    if not problems and request.GET.get("deep") == "1":
        timeout = float(request.GET.get("timeout", "5") or 5)
        problem = _check_worker(min(max(timeout, 0.5), 30.0))
        if problem:
            problems.append(problem)
    if problems:
        logger.warning("not ready: %s", "; ".join(problems))
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape, only for allowed addresses or a bearer token (never the public)."""
    token = settings.METRICS_BEARER_TOKEN
    auth = request.headers.get("Authorization", "")
    by_token = bool(token) and hmac.compare_digest(auth, f"Bearer {token}")
    if not by_token and _client_ip(request) not in settings.METRICS_ALLOWED_IPS:
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return ExportToDjangoView(request)
