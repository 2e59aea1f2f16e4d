"""Staff tasks: thin — a job id in, one service call (staff/imports/services.py). Queue `default`."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from staff.imports import services

LIMITS = {
    "acks_late": True,
    "ignore_result": True,
    "soft_time_limit": settings.HRPORTAL["IMPORT_SOFT_TIME_LIMIT"],
    "time_limit": settings.HRPORTAL["IMPORT_TIME_LIMIT"],
}


@shared_task(name="staff.import_plan", **LIMITS)
def import_plan(job_id: int) -> None:
    services.import_job_plan(job_id=job_id)


@shared_task(name="staff.import_apply", **LIMITS)
def import_apply(job_id: int) -> None:
    services.import_job_apply(job_id=job_id)
