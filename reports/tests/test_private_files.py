"""Report files are private: no URL serves them (not even under DEBUG), their names say nothing a job id
would let anyone derive, and the download view hands them to the requester and HR only, under a readable
name. docs/decisions/reports-private-files.md."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import Client
from django.urls import clear_url_caches

import hrportal.urls
from reports import services
from reports.models import ReportJob
from reports.tests.conftest import HolidayFixture

PERIOD = "2025-10-25_2025-11-09"


def _done_job(person: Any, fixture: HolidayFixture) -> ReportJob:
    job, _created = services.report_request(
        user=person.user, kind="holiday_work", date_from=fixture.date_from, date_to=fixture.date_to
    )
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    return job


@pytest.fixture
def debug_urls(settings: Any) -> Iterator[None]:
    """The URLconf as `make run` builds it (DJANGO_DEBUG=1), put back afterwards."""
    settings.DEBUG = True
    importlib.reload(hrportal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(hrportal.urls)
    clear_url_caches()


def test_no_url_serves_report_files_even_under_debug(
    debug_urls: None, holiday_fixture: HolidayFixture, hr: Any, no_enqueue: list[int]
) -> None:
    job = _done_job(hr, holiday_fixture)
    # A file where the old layout put one (the media root, a name built from the job id), and the new file's
    # own name: neither is served to an anonymous client.
    old = default_storage.save(f"reports/2025/11/holiday_work_{PERIOD}_job{job.pk}_a1.xlsx", ContentFile(b"PK"))
    for name in (old, job.file.name):
        assert Client().get(f"/media/{name}").status_code == 404, name


def test_a_file_name_is_random_and_lives_in_the_private_storage(
    holiday_fixture: HolidayFixture, hr: Any, private_root: Path, no_enqueue: list[int]
) -> None:
    first = _done_job(hr, holiday_fixture)
    second = _done_job(hr, holiday_fixture)  # the same report again
    names = [first.file.name, second.file.name]
    for job, name in zip((first, second), names, strict=True):
        assert re.fullmatch(rf"reports/\d{{4}}/\d{{2}}/holiday_work_{PERIOD}_[\w-]{{22}}\.xlsx", name), name
        assert f"job{job.pk}" not in name and f"_{job.pk}_" not in name
        assert (private_root / name).is_file()
    assert names[0] != names[1]
    with pytest.raises(ValueError, match="no URL"):
        storages["private"].url(names[0])


def test_download_by_owner_and_hr_only_under_a_readable_name(
    api: Any, cast: Any, holiday_fixture: HolidayFixture, no_enqueue: list[int]
) -> None:
    job = _done_job(cast.manager, holiday_fixture)
    url = f"/api/v1/reports/{job.pk}/download/"
    for person in (cast.outsider, cast.other_manager, cast.employee, cast.sub_manager):
        assert api(person).get(url).status_code == 404, person
    for person in (cast.manager, cast.hr):
        response = api(person).get(url)
        assert response.status_code == 200, person
        assert response["Content-Disposition"] == f'attachment; filename="holiday_work_{PERIOD}.xlsx"'
        assert b"".join(response.streaming_content).startswith(b"PK")
    # A job finished before the private storage keeps its file in the media root, and it still downloads.
    legacy = default_storage.save(f"reports/2025/11/holiday_work_{PERIOD}_job{job.pk}_a1.xlsx", ContentFile(b"PK"))
    ReportJob.objects.filter(pk=job.pk).update(file=legacy)
    response = api(cast.manager).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK"
