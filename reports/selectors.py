"""Reads of report jobs. A job is visible to its requester and to HR; to anyone else it does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hrportal.errors import NotFound
from reports.models import ReportJob
from staff import access


def visible_jobs(user: Any) -> QuerySet[ReportJob]:
    base = ReportJob.objects.select_related("requester")
    if not access.is_active_user(user):
        return base.none()
    if access.is_hr(user):
        return base.all()
    return base.filter(requester=user)


def access_job(user: Any, job_id: Any) -> ReportJob:
    """Fetch and authorise in one step: NotFound (404) for anyone but the requester and HR."""
    try:
        return visible_jobs(user).get(pk=int(job_id))
    except (ReportJob.DoesNotExist, TypeError, ValueError):
        raise NotFound("Report not found.") from None


def job_list(*, user: Any) -> QuerySet[ReportJob]:
    """The caller's own jobs, newest first (HR reaches everyone's through the admin)."""
    return ReportJob.objects.filter(requester=user).order_by("-created_at", "-id")
