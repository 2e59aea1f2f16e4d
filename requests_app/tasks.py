"""Celery tasks of requests: thin, each calls one service."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.db import OperationalError

from requests_app import reminders


@shared_task(
    name="requests_app.remind_pending",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def remind_pending(on: str | None = None) -> dict[str, Any]:
    """Beat runs this every morning; a second run the same day queues nothing new (the outbox's key has the date)."""
    run = reminders.pending_reminders(today=dt.date.fromisoformat(on) if on else None)
    return {**asdict(run), "day": run.day.isoformat()}
