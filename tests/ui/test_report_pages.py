"""The reports page: order a report, watch the progress row, download when done."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from reports.models import ReportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_reports_are_for_managers_and_hr(cast, login) -> None:
    assert login(cast.employee).get(reverse("reports")).status_code == 403
    assert login(cast.employee).post(reverse("reports"), {"kind": "holiday_work"}).status_code == 403
    assert login(cast.manager).get(reverse("reports")).status_code == 200
    assert login(cast.hr).get(reverse("reports")).status_code == 200


def test_asking_for_a_report_queues_one_job(cast, login) -> None:
    client = login(cast.hr)
    data = {"kind": "holiday_work", "date_from": "2026-01-01", "date_to": "2026-06-30", "department": ""}
    response = client.post(reverse("reports"), data)
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert (job.requester, job.kind, job.status, job.params["date_to"]) == (
        cast.hr.user,
        "holiday_work",
        "queued",
        "2026-06-30",
    )
    client.post(reverse("reports"), data)  # the same report while it is pending: the same job
    assert ReportJob.objects.count() == 1
    page = client.get(reverse("reports")).content.decode()
    assert f'id="job-{job.pk}"' in page and reverse("report-progress", args=[job.pk]) in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date_from": "2026-06-30", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_to"),  # longer than the longest period
    ],
)
def test_a_bad_period_is_refused_and_nothing_is_queued(cast, login, data, field) -> None:
    response = login(cast.hr).post(reverse("reports"), {"kind": "holiday_work", **data})
    assert response.status_code == 400 and response.context["form"].has_error(field)
    assert not ReportJob.objects.exists()


def test_a_manager_may_not_ask_about_a_department_outside_their_tree(cast, login) -> None:
    data = {"kind": "holiday_work", "date_from": "2026-01-01", "date_to": "2026-01-31"}
    response = login(cast.manager).post(reverse("reports"), {**data, "department": cast.engineering.pk})
    assert response.status_code == 400 and response.context["form"].has_error("department")
    assert not ReportJob.objects.exists()


def test_the_progress_row_polls_until_done_then_offers_the_file(cast, login) -> None:
    client = login(cast.manager)
    client.post(reverse("reports"), {"kind": "holiday_work", "date_from": "2026-01-01", "date_to": "2026-01-31"})
    job = ReportJob.objects.get()
    url = reverse("report-progress", args=[job.pk])
    ReportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert row.startswith("<tr") and 'hx-trigger="every 1s"' in row and 'value="40"' in row
    name = default_storage.save("reports/test.xlsx", ContentFile(b"xlsx"))
    ReportJob.objects.filter(pk=job.pk).update(status="done", progress=100, file=name, file_size=4)
    row = client.get(url).content.decode()
    assert "hx-trigger" not in row and 'value="100"' in row
    assert job.download_path() in row
    assert client.get(job.download_path()).status_code == 200


def test_a_failed_job_says_why(cast, login) -> None:
    client = login(cast.manager)
    client.post(reverse("reports"), {"kind": "holiday_work", "date_from": "2026-01-01", "date_to": "2026-01-31"})
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(status="failed", error="Нет данных")
    row = client.get(reverse("report-progress", args=[job.pk])).content.decode()
    assert "Нет данных" in row and "hx-trigger" not in row


def test_someone_elses_job_is_not_found(cast, login) -> None:
    client = login(cast.manager)
    client.post(reverse("reports"), {"kind": "holiday_work", "date_from": "2026-01-01", "date_to": "2026-01-31"})
    job = ReportJob.objects.get()
    assert login(cast.other_manager).get(reverse("report-progress", args=[job.pk])).status_code == 404
    assert login(cast.employee).get(reverse("report-progress", args=[job.pk])).status_code == 404
    assert login(cast.hr).get(reverse("report-progress", args=[job.pk])).status_code == 200
