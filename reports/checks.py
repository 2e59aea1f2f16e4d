"""System checks: the export's time limits must fit inside the broker's visibility timeout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from reports import conf


@register()
def check_time_limits(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    problems = []
    soft, hard = settings.HRPORTAL["REPORT_SOFT_TIME_LIMIT"], settings.HRPORTAL["REPORT_TIME_LIMIT"]
    if soft >= hard:
        problems.append(
            Warning(
                f"REPORT_SOFT_TIME_LIMIT ({soft}s) should be below REPORT_TIME_LIMIT ({hard}s), or a slow export is "
                "killed without a readable failure.",
                id="reports.W001",
            )
        )
    broker = settings.CELERY_BROKER_URL
    visibility = settings.CELERY_VISIBILITY_TIMEOUT
    if broker.startswith(("redis", "sqs")) and conf.stale_after_seconds() >= visibility:
        problems.append(
            Warning(
                f"CELERY_VISIBILITY_TIMEOUT ({visibility}s) must exceed the export's hard time limit plus a grace "
                f"({conf.stale_after_seconds():.0f}s): the broker would hand a running export to a second worker.",
                id="reports.W002",
            )
        )
    return problems
