"""Report tasks: thin — an id in, one service call. Routed to the `reports` queue by their name prefix.

`reports.export` is late-acked and rejected back to the queue when its pool process dies, so a killed export
runs again; services.report_run makes the second run take over the job safely (claim + fencing token).
Its hard time limit stays below the broker's visibility timeout (checked by reports.checks).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reports import services


@shared_task(
    name="reports.export",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.HRPORTAL["REPORT_SOFT_TIME_LIMIT"],
    time_limit=settings.HRPORTAL["REPORT_TIME_LIMIT"],
)
def export(self: object, job_id: int) -> None:
    request = self.request  # type: ignore[attr-defined]
    services.report_run(job_id=job_id, task_id=request.id or "")


@shared_task(name="reports.purge_old_files", ignore_result=True, soft_time_limit=600, time_limit=660)
def purge_old_files() -> int:
    return services.report_purge_files()


@shared_task(name="reports.sweep_stuck", ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_stuck() -> dict[str, int]:
    return services.report_sweep()
