"""The leave schedule's reports (issue 18): form T-7 and schedule vs actual, through the one export pipeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from reports import services
from reports.tests.conftest import read_rows
from schedule import services as schedule_services

pytestmark = pytest.mark.django_db

YEAR = 2027


@pytest.fixture
def schedule(cast: Any) -> dict[str, Any]:
    """Two employees' parts; the employee's first part moved after the approval by agreement ("family")."""
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC), tick=False):
        schedule_services.campaign_open(actor=cast.hr.user, year=YEAR, proposal_deadline=dt.date(2026, 12, 1))
        first = schedule_services.part_add(
            actor=cast.employee.user, year=YEAR, start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 14)
        )
        second = schedule_services.part_add(
            actor=cast.employee.user, year=YEAR, start_date=dt.date(2027, 9, 6), end_date=dt.date(2027, 9, 19)
        )
        other = schedule_services.part_add(
            actor=cast.outsider.user, year=YEAR, start_date=dt.date(2027, 7, 5), end_date=dt.date(2027, 7, 25)
        )
        schedule_services.campaign_approve(actor=cast.hr.user, year=YEAR)
        change = schedule_services.part_move(
            actor=cast.employee.user,
            part_id=first.pk,
            start_date=dt.date(2027, 8, 2),
            end_date=dt.date(2027, 8, 15),
            reason="family",
        )
        schedule_services.change_decide(actor=cast.manager.user, change_id=change.pk, consent=True)
    return {"first": first, "second": second, "other": other}


def test_t7_rows_match_the_schedule(
    cast: Any, schedule: dict[str, Any], media_root: Any, no_enqueue: list[int]
) -> None:
    job, _ = services.report_request(
        user=cast.hr.user, kind="schedule_t7", date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31)
    )
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("done", 3)
    with job.file.open("rb") as fh:
        header, *rows = read_rows(fh.read())
    assert len(header) == 10
    by_name = [(r[2], Decimal(str(r[4])), r[5], r[7], r[8]) for r in rows]
    # Departments in name order: Продажи (the employee, two parts by date) before Разработка (the outsider).
    assert by_name == [
        # Moved to 2–15 August (no holiday inside): 14 days now; planned 1 June, moved for "family" to 2 August.
        ("Кузнецов Алексей Павлович", Decimal("14"), dt.datetime(2027, 6, 1), "family", dt.datetime(2027, 8, 2)),
        ("Кузнецов Алексей Павлович", Decimal("14"), dt.datetime(2027, 9, 6), None, None),
        ("Попов Дмитрий Иванович", Decimal("21"), dt.datetime(2027, 7, 5), None, None),
    ]


def test_schedule_vs_actual_lists_each_move(
    cast: Any, schedule: dict[str, Any], media_root: Any, no_enqueue: list[int]
) -> None:
    job, _ = services.report_request(
        user=cast.hr.user, kind="schedule_actual", date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31)
    )
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    with job.file.open("rb") as fh:
        _, *rows = read_rows(fh.read())
    assert len(rows) == 3 == job.row_count
    moved = rows[0]
    assert (moved[3], moved[5], moved[10], moved[12], moved[13], moved[14]) == (
        dt.datetime(2027, 6, 1),
        dt.datetime(2027, 8, 2),
        1,
        dt.datetime(2027, 6, 1),
        dt.datetime(2027, 8, 2),
        "family",
    )


def test_a_manager_exports_only_their_subtree(cast: Any, schedule: dict[str, Any], no_enqueue: list[int]) -> None:
    from reports.exporters import ReportParams, build_report

    params = ReportParams(user=cast.manager.user, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31))
    report = build_report(kind="schedule_t7", params=params)
    assert report.total == 2
    assert {row[2] for row in report.rows} == {"Кузнецов Алексей Павлович"}
