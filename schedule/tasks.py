"""Celery tasks of the leave schedule: thin, each calls one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from schedule import notices


@shared_task(
    name="schedule.send_due_notices",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1200,
    time_limit=1300,
)
def send_due_notices(on: str | None = None) -> dict[str, int]:
    """Beat runs this hourly: the job is idempotent, so extra runs cost a few queries and catch up a missed day;
    a run killed halfway is redelivered (acks_late) and finishes what the first one left."""
    day = timezone.localdate() if on is None else dt.date.fromisoformat(on)
    result = notices.send_due_notices(on=day)
    return {"notices": result.notices, "payroll_lines": result.payroll_lines, "reminders": result.reminders}
