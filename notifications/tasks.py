"""Mail tasks (queue `mail`). Thin: ids in, one call into `notifications.delivery`.

Their truth is the outbox row, so results are ignored. Time limits are read from settings.HRPORTAL when the
worker imports this module; the retry schedule at each retry (notifications/delivery.py).
"""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from notifications import delivery


@shared_task(
    bind=True,
    name="notifications.send_message",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,  # redelivered if the worker dies; the claim and the attempt cap stop loops
    # The row's retry schedule (notifications/retry.py) decides when and whether to retry, not Celery's count.
    max_retries=None,
    soft_time_limit=settings.HRPORTAL["MAIL_SEND_SOFT_TIME_LIMIT"],
    time_limit=settings.HRPORTAL["MAIL_SEND_TIME_LIMIT"],
)
def send_message(self: Task, message_id: int) -> str:
    try:
        return delivery.message_deliver(message_id=message_id, task_id=self.request.id or "")
    except delivery.RetryLater as later:
        if later.countdown is None:
            return "retry"  # due later than a broker should hold a countdown: the sweeper starts that try
        # If this publish fails (the broker is down), the row is queued and due: the sweeper sends it.
        raise self.retry(countdown=later.countdown, exc=later) from None


@shared_task(name="notifications.dispatch", ignore_result=True, soft_time_limit=60, time_limit=90)
def dispatch(message_ids: list[int]) -> int:
    return delivery.outbox_dispatch(message_ids=[int(pk) for pk in message_ids])


@shared_task(name="notifications.sweep_outbox", ignore_result=True, soft_time_limit=50, time_limit=55)
def sweep_outbox(queued_older_than: float | None = None) -> dict[str, int]:
    """Beat, every minute. `queued_older_than` overrides HRPORTAL["OUTBOX_SWEEP_AGE"] (tests use seconds)."""
    return delivery.outbox_sweep(queued_older_than=queued_older_than)
