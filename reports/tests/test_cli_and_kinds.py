"""export_report produces the task's file; the requests register and leave balances reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from leave.calc.pay import round_money
from leave.selectors import balances, quote
from reports import services
from reports.exporters import ReportParams, build_report
from reports.tests.conftest import HolidayFixture, read_rows
from reports.xlsx import SummaryRow
from requests_app.models import Request, RequestEvent


def test_the_cli_writes_the_same_file_as_the_task(
    holiday_fixture: HolidayFixture, hr: Any, tmp_path: Path, no_enqueue: list[int]
) -> None:
    job, _ = services.report_request(
        user=hr.user, kind="holiday_work", date_from=holiday_fixture.date_from, date_to=holiday_fixture.date_to
    )
    services.report_run(job_id=job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as fh:  # the private storage
        task_rows = read_rows(fh.read())
    out = tmp_path / "cli.xlsx"
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "export_report",
        "holiday_work",
        "--date-from",
        "2025-10-25",
        "--date-to",
        "2025-11-09",
        "--out",
        str(out),
        "--user",
        "hr",
        stdout=stdout,
        stderr=stderr,
    )
    assert "8 rows written" in stdout.getvalue()
    assert read_rows(out) == task_rows
    assert "rows" in stderr.getvalue()  # the tqdm bar


def test_the_cli_without_a_user_covers_everyone_and_checks_dates(
    holiday_fixture: HolidayFixture, tmp_path: Path
) -> None:
    out = tmp_path / "all.xlsx"
    call_command(
        "export_report",
        "holiday_work",
        "--date-from",
        "2025-10-25",
        "--date-to",
        "2025-11-09",
        "--out",
        str(out),
        "--no-progress",
        stdout=StringIO(),
    )
    assert read_rows(out)[-1][10] == 38734.52
    with pytest.raises(CommandError):
        call_command(
            "export_report",
            "holiday_work",
            "--date-from",
            "2025-11-09",
            "--date-to",
            "2025-10-25",
            "--out",
            str(out),
            stdout=StringIO(),
        )
    with pytest.raises(CommandError):
        call_command(
            "export_report",
            "holiday_work",
            "--date-from",
            "2025-10-25",
            "--date-to",
            "2025-11-09",
            "--out",
            str(out),
            "--user",
            "employee",
            stdout=StringIO(),
        )


def _request(employee: Any, actor: Any, comment: str, status: str = "pending") -> Request:
    req = Request.objects.create(
        kind="certificate", employee=employee, status=status, stage="manager", created_by=actor, comment=comment
    )
    RequestEvent.objects.create(
        request=req, action="created", actor=actor, from_status="", to_status="pending", comment=comment
    )
    return req


def test_requests_register_lists_history_within_scope(cast: Any, hr: Any, manager: Any) -> None:
    mine = _request(cast.employee, cast.employee.user, '=HYPERLINK("http://x")')
    RequestEvent.objects.create(
        request=mine, action="approved", actor=manager.user, from_status="pending", to_status="approved", comment="ok"
    )
    other = _request(cast.outsider, cast.outsider.user, "")
    today = mine.created_at.date()
    params = ReportParams(
        user=manager.user, date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1)
    )
    with translation.override("en"):
        report = build_report(kind="requests", params=params)
        lines = list(report.rows)
    assert report.total == len(lines) == 2
    assert {line[0] for line in lines} == {mine.pk}
    assert [line[11] for line in lines] == ["created", "approved"]
    assert lines[1][12] == "manager" and lines[0][16].startswith("=HYPERLINK")
    hr_lines = list(
        build_report(
            kind="requests", params=ReportParams(user=hr.user, date_from=params.date_from, date_to=params.date_to)
        ).rows
    )
    assert {line[0] for line in hr_lines} == {mine.pk, other.pk}
    outside = ReportParams(user=hr.user, date_from=today + dt.timedelta(days=2), date_to=today + dt.timedelta(days=3))
    assert list(build_report(kind="requests", params=outside).rows) == []


def test_leave_balances_use_the_leave_selectors(cast: Any, hr: Any, manager: Any, calendar_2025: None) -> None:
    on = dt.date(2025, 11, 30)
    params = ReportParams(user=manager.user, date_from=dt.date(2025, 11, 1), date_to=on, language="en")
    report = build_report(kind="leave_balances", params=params)
    data = [line for line in report.rows if type(line) is not SummaryRow]
    assert report.total == len(data) > 0
    people = {line[1] for line in data}
    assert cast.outsider.personnel_number not in people and cast.employee.personnel_number in people
    assert {len(line) for line in data} == {8}  # no money columns for a manager (test_report_columns.py)
    # HR's report of the same department has them.
    params = ReportParams(
        user=hr.user, date_from=params.date_from, date_to=on, department_id=cast.sales.pk, language="en"
    )
    report = build_report(kind="leave_balances", params=params)
    lines = list(report.rows)
    data = [line for line in lines if type(line) is not SummaryRow]
    assert {line[1] for line in data} == people
    # Every line of one employee equals the leave app's balance, and the value is the days earned month by month
    # and unused (the reserve; `available` by working year would be 84 here) × average daily
    # earnings as the leave app computes them for a leave starting on that date (100 000 × 12 / (29.3 × 12)).
    average = quote(employee=cast.employee, leave_type="annual", start_date=on, end_date=on).average_daily_earnings
    assert average == Decimal("3412.97")
    mine = [line for line in data if line[1] == cast.employee.personnel_number]
    expected = balances(employee=cast.employee, on=on)
    assert [line[4:8] for line in mine] == [(b.accrued, b.used, b.pending, b.available) for b in expected]
    for line, balance in zip(mine, expected, strict=True):
        assert line[8] == average
        assert line[9] == (
            round_money(average * balance.earned_unused) if balance.earned_unused > 0 else Decimal("0.00")
        )
    annual = mine[0]
    assert annual[3] == "Annual paid leave" and annual[9] == Decimal("278737.26")  # 81.67 × 3 412.97
    total = lines[-1]
    assert type(total) is SummaryRow
    assert total[9] == sum((line[9] for line in data if line[9] is not None), Decimal("0.00"))
