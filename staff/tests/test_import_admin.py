"""The admin's import pages (HR only) and the readable "Export selected to Excel" action."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from conftest import Cast
from staff.imports import services
from staff.imports.models import ImportJob
from staff.models import Employee, Position
from staff.services import hr_group_ensure

pytestmark = pytest.mark.django_db

FILE = (
    "personnel_number;last_name;first_name;middle_name;email;department;position;manager;hire_date;fte;salary\n"
    "A1;Белова;Ольга;;o.belova@example.ru;Компания/Продажи;Кассир;;2024-04-01;1;80000\n"
)


@pytest.fixture
def hr_client(cast: Cast) -> Client:
    user = cast.hr.user
    user.is_staff = True
    user.save()
    user.groups.add(hr_group_ensure())
    client = Client()
    client.force_login(user)
    return client


def test_hr_uploads_previews_and_confirms(cast: Cast, hr_client: Client, django_capture_on_commit_callbacks) -> None:
    Position.objects.create(name="Кассир")
    listing = hr_client.get("/admin/staff/employee/")
    assert b"/admin/staff/importjob/add/?kind=employees" in listing.content
    form = hr_client.get("/admin/staff/importjob/add/?kind=employees")
    assert form.status_code == 200 and b"personnel_number;last_name" in form.content

    with django_capture_on_commit_callbacks() as queued:  # the task is queued, not run in the request
        response = hr_client.post(
            "/admin/staff/importjob/add/",
            {"kind": "employees", "file": SimpleUploadedFile("new.csv", FILE.encode())},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/staff/importjob/{job.pk}/change/")
    assert len(queued) == 1 and job.status == ImportJob.Status.QUEUED
    running = hr_client.get(response["Location"])
    assert b'http-equiv="refresh"' in running.content

    services.import_job_plan(job_id=job.pk)  # what the worker runs
    preview = hr_client.get(response["Location"]).content.decode()
    assert "Белова Ольга" in preview and "80 000,00" in preview  # the new row's values, as a person reads them
    assert 'id="import-confirm"' in preview and "Компания/Продажи" in preview
    assert not Employee.objects.filter(personnel_number="A1").exists()

    with django_capture_on_commit_callbacks() as queued:
        hr_client.post(f"/admin/staff/importjob/{job.pk}/confirm/")
    assert len(queued) == 1
    services.import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.confirmed_by == cast.hr.user
    assert Employee.objects.get(personnel_number="A1").history.latest().history_user == cast.hr.user


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(cast: Cast, hr_client: Client) -> None:
    data = FILE.replace("Кассир", "Нет такой").replace("2024-04-01", "вчера")
    job = services.import_job_create(
        kind="employees", upload=SimpleUploadedFile("bad.csv", data.encode()), actor=cast.hr.user
    )
    services.import_job_plan(job_id=job.pk)
    page = hr_client.get(f"/admin/staff/importjob/{job.pk}/change/").content.decode()
    errors = page.split('id="import-errors"')[1].split("</ul>")[0]
    assert errors.count("<li>") == 2 and "Нет такой" in errors and "вчера" in errors
    assert 'id="import-confirm"' not in page
    response = hr_client.post(f"/admin/staff/importjob/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID


def test_a_non_hr_staff_user_sees_no_imports(cast: Cast) -> None:
    user = cast.manager.user
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    assert client.get("/admin/staff/importjob/add/?kind=employees").status_code == 403
    job = ImportJob.objects.create(kind="employees", file_name="x.csv", file="imports/x.csv", created_by=cast.hr.user)
    assert client.get(f"/admin/staff/importjob/{job.pk}/change/").status_code in (403, 404)
    assert client.post(f"/admin/staff/importjob/{job.pk}/confirm/").status_code in (403, 404)


def test_export_writes_names_labels_and_real_dates(cast: Cast, hr_client: Client) -> None:
    response = hr_client.post(
        "/admin/staff/employee/", {"action": "export_selected_xlsx", "_selected_action": [cast.employee.pk]}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = [list(r) for r in sheet.iter_rows(max_row=2, values_only=True)]
    values = dict(zip(header, row, strict=True))
    assert values["отдел"] == "Продажи"  # the name, not the id
    assert values["язык"] == "Русский"  # the label, not "ru"
    assert values["пользователь"] == "employee"
    assert "ID" not in header and "id" not in header
    hire = sheet.cell(row=2, column=header.index("дата приёма") + 1)
    assert hire.is_date and hire.value.date() == dt.date(2023, 1, 9) and hire.number_format == "DD.MM.YYYY"


def test_export_writes_money_with_two_places_and_a_thousands_separator(cast: Cast, hr_client: Client) -> None:
    rate = cast.employee.rates.get()
    response = hr_client.post(
        "/admin/staff/payrate/", {"action": "export_selected_xlsx", "_selected_action": [rate.pk]}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    salary = sheet.cell(row=2, column=header.index("оклад в месяц, руб.") + 1)
    assert salary.value == 100000 and salary.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=header.index("сотрудник") + 1).value == "Кузнецов Алексей Павлович"
