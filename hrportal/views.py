"""Operational endpoints: liveness, readiness and the guarded Prometheus scrape."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hrportal import metrics as hr_metrics
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


def _timeout(raw: str | None) -> float:
    """The canary's wait: a finite number of seconds, held to 0.5–30 s; anything else (text, nan, inf) is 5."""
    try:
        value = float(raw or 5)
    except ValueError:
        return 5.0
    return min(max(value, 0.5), 30.0) if math.isfinite(value) else 5.0


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
        problem = _check_worker(_timeout(request.GET.get("timeout")))
        if problem:
            problems.append(problem)
    if problems:
        logger.warning("not ready: %s", "; ".join(problems))
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})


def _client_ip(request: HttpRequest) -> str:
    # The socket's peer, never X-Forwarded-For: a header anyone can send must not open the scrape.
    return request.META.get("REMOTE_ADDR", "")


def _address_allowed(address: str, allowed: list[str]) -> bool:
    """`allowed` holds addresses or networks (`10.0.0.0/8`)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or a network", entry)
    return False


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_BEARER_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(auth.encode(), f"Bearer {token}".encode()):
        return True
    return _address_allowed(_client_ip(request), list(settings.METRICS_ALLOWED_IPS))


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape, only for allowed addresses or a bearer token (never the public).

    Every process's metrics (multiprocess files merged) and the business metrics counted from the database
    at this moment (hrportal/metrics.py).
    """
    if not _metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    hr_metrics.update_process_memory("web")
    body = generate_latest(hr_metrics.scrape_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
