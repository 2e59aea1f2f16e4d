"""The reports API: order, follow, download — and who may do what (404 for anyone but requester and HR)."""

from __future__ import annotations

from typing import Any

import pytest

from reports import services
from reports.models import ReportJob
from reports.tests.conftest import HolidayFixture, read_rows

BODY = {"kind": "holiday_work", "date_from": "2025-10-25", "date_to": "2025-11-09"}


def test_hr_orders_a_report(api: Any, hr: Any, no_enqueue: list[int], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api(hr).post("/api/v1/reports/", BODY, format="json")
    assert response.status_code == 202, response.content
    job = ReportJob.objects.get()
    assert response.json() == {"id": job.pk, "status": "queued", "created": True}
    assert response["Location"].endswith(f"/api/v1/reports/{job.pk}/")
    assert no_enqueue == [job.pk]


def test_asking_again_answers_202_with_the_pending_job(api: Any, hr: Any, no_enqueue: list[int]) -> None:
    first = api(hr).post("/api/v1/reports/", BODY, format="json").json()
    ReportJob.objects.filter(pk=first["id"]).update(status="running")
    again = api(hr).post("/api/v1/reports/", BODY, format="json")
    assert again.status_code == 202
    assert again.json() == {"id": first["id"], "status": "running", "created": False}
    assert ReportJob.objects.count() == 1


def test_an_employee_is_refused(api: Any, employee: Any, no_enqueue: list[int]) -> None:
    response = api(employee).post("/api/v1/reports/", BODY, format="json")
    assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_anonymous_is_401(api: Any, cast: Any) -> None:
    assert api(None).post("/api/v1/reports/", BODY, format="json").status_code == 401
    assert api(None).get("/api/v1/reports/1/").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "date_to": "2025-10-01"}, "date_to"),
        ({**BODY, "date_from": "2024-01-01"}, "date_to"),
        ({**BODY, "kind": "salaries"}, "kind"),
        ({**BODY, "date_from": "yesterday"}, "date_from"),
        ({"kind": "requests"}, "date_from"),
    ],
)
def test_bad_input_is_400_and_saves_nothing(api: Any, hr: Any, body: dict, field: str, no_enqueue: list[int]) -> None:
    response = api(hr).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ReportJob.objects.exists()


def test_a_manager_cannot_order_another_department(api: Any, cast: Any, manager: Any, no_enqueue: list[int]) -> None:
    response = api(manager).post("/api/v1/reports/", {**BODY, "department": cast.engineering.pk}, format="json")
    assert response.status_code == 400 and "department" in response.json()
    ok = api(manager).post("/api/v1/reports/", {**BODY, "department": cast.sales_east.pk}, format="json")
    assert ok.status_code == 202


def _done_job(user: Any) -> ReportJob:
    job, _ = services.report_request(
        user=user, kind="holiday_work", date_from=_d("2025-10-25"), date_to=_d("2025-11-09")
    )
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    return job


def _d(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_status_follows_the_job(api: Any, holiday_fixture: HolidayFixture, manager: Any, no_enqueue: list[int]) -> None:
    created = api(manager).post("/api/v1/reports/", BODY, format="json").json()
    pending = api(manager).get(f"/api/v1/reports/{created['id']}/").json()
    assert pending == {
        "id": created["id"],
        "kind": "holiday_work",
        "status": "queued",
        "progress": 0,
        "row_count": 0,
        "download_url": None,
        "error": None,
    }
    services.report_run(job_id=created["id"])
    done = api(manager).get(f"/api/v1/reports/{created['id']}/").json()
    assert done["status"] == "done" and done["progress"] == 100 and done["row_count"] == 7  # A: 6 (4 Nov split), B: 1
    assert done["download_url"] == f"http://testserver/api/v1/reports/{created['id']}/download/"


def test_the_requester_downloads_with_safe_headers(
    api: Any, holiday_fixture: HolidayFixture, manager: Any, no_enqueue: list[int]
) -> None:
    job = _done_job(manager.user)
    response = api(manager).get(f"/api/v1/reports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_rows(b"".join(response.streaming_content))
    people = {r[1] for r in rows[1:] if r[3] is not None}
    assert people == {holiday_fixture.a.personnel_number, holiday_fixture.b.personnel_number}  # subtree only


def test_hr_may_download_anyones_report(
    api: Any, holiday_fixture: HolidayFixture, hr: Any, manager: Any, no_enqueue: list[int]
) -> None:
    job = _done_job(manager.user)
    assert api(hr).get(f"/api/v1/reports/{job.pk}/").status_code == 200
    assert api(hr).get(f"/api/v1/reports/{job.pk}/download/").status_code == 200


@pytest.mark.parametrize("role", ["employee", "outsider", "sub_manager", "other_manager", "ceo"])
def test_another_user_cannot_see_or_download(
    api: Any, holiday_fixture: HolidayFixture, cast: Any, manager: Any, role: str, no_enqueue: list[int]
) -> None:
    job = _done_job(manager.user)
    other = cast.by_role(role)
    assert api(other).get(f"/api/v1/reports/{job.pk}/").status_code == 404
    assert api(other).get(f"/api/v1/reports/{job.pk}/download/").status_code == 404
    assert api(other).get("/api/v1/reports/99999/download/").status_code == 404  # the same as a missing one


def test_download_before_done_is_409_and_after_purge_410(api: Any, hr: Any, no_enqueue: list[int]) -> None:
    job, _ = services.report_request(
        user=hr.user, kind="requests", date_from=_d("2025-10-25"), date_to=_d("2025-11-09")
    )
    assert api(hr).get(f"/api/v1/reports/{job.pk}/download/").status_code == 409
    ReportJob.objects.filter(pk=job.pk).update(status="done", file="")
    assert api(hr).get(f"/api/v1/reports/{job.pk}/download/").status_code == 410


def test_the_list_shows_only_my_jobs(api: Any, hr: Any, manager: Any, no_enqueue: list[int]) -> None:
    mine = api(manager).post("/api/v1/reports/", BODY, format="json").json()["id"]
    api(hr).post("/api/v1/reports/", BODY, format="json")
    listed = api(manager).get("/api/v1/reports/").json()["results"]
    assert [j["id"] for j in listed] == [mine]


def test_the_schema_documents_every_status(api: Any, hr: Any) -> None:
    schema = api(hr).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/reports/"]["post"]["responses"]) >= {"202", "400", "401", "403"}
    assert set(paths["/api/v1/reports/{job_id}/"]["get"]["responses"]) >= {"200", "401", "404"}
    assert set(paths["/api/v1/reports/{job_id}/download/"]["get"]["responses"]) >= {"200", "401", "404", "409", "410"}
