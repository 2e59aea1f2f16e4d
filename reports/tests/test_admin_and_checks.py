"""The admin's read-only job list (HR only) and the time-limit system checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from reports import services
from reports.checks import check_time_limits
from reports.models import ReportJob
from staff.services import hr_group_ensure


def _staff_client(person: Any) -> Client:
    hr_group_ensure()  # the `hr` group's permissions, as migrations/bootstrap give them
    person.user.is_staff = True
    person.user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(person.user)
    return client


def test_hr_sees_every_job_read_only(hr: Any, manager: Any, no_enqueue: list[int]) -> None:
    job, _ = services.report_request(
        user=manager.user, kind="requests", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)
    )
    client = _staff_client(hr)
    listing = client.get("/admin/reports/reportjob/?kind__exact=requests&status__exact=queued")
    assert listing.status_code == 200 and "2025-01-01:2025-01-31" in listing.text
    empty = client.get("/admin/reports/reportjob/?status__exact=done")
    assert empty.status_code == 200 and "2025-01-01:2025-01-31" not in empty.text
    detail = client.get(f"/admin/reports/reportjob/{job.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.text
    assert client.get("/admin/reports/reportjob/add/").status_code == 403
    assert client.post(f"/admin/reports/reportjob/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReportJob.objects.filter(pk=job.pk).exists()


def test_a_staff_user_who_is_not_hr_sees_no_jobs(manager: Any, no_enqueue: list[int]) -> None:
    services.report_request(
        user=manager.user, kind="requests", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31)
    )
    client = _staff_client(manager)
    assert client.get("/admin/reports/reportjob/").status_code == 403


def test_time_limit_checks(settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_VISIBILITY_TIMEOUT = 7200
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_SOFT_TIME_LIMIT": 1800, "REPORT_TIME_LIMIT": 2000}
    assert check_time_limits() == []
    settings.CELERY_VISIBILITY_TIMEOUT = 1800
    assert [w.id for w in check_time_limits()] == ["reports.W002"]
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_SOFT_TIME_LIMIT": 2000}
    assert {w.id for w in check_time_limits()} == {"reports.W001", "reports.W002"}
