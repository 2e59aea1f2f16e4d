"""Celery tasks of the leave engine: thin, each calls one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from leave import services


@shared_task(
    name="leave.accrue_daily",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def accrue_daily(up_to: str | None = None) -> int:
    """Beat runs this every few hours: accrual is idempotent, so extra runs cost nothing and catch up."""
    day = timezone.localdate() if up_to is None else dt.date.fromisoformat(up_to)
    return services.accrue(up_to=day)


@shared_task(
    name="leave.art124_reminders",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def art124_reminders(on: str | None = None) -> int:
    """Beat runs this monthly: leave not used two working years running (art. 124); idempotent per month."""
    day = timezone.localdate() if on is None else dt.date.fromisoformat(on)
    return services.art124_remind(on=day)
