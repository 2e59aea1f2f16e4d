"""Fixtures of the reports tests: a private media root, the 2025 calendar, the hand-checked holiday fixture, and
slow progress updates for tests that kill a worker mid-export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from leave.services import load_calendar
from reports.models import ReportJob
from staff.models import Employee, TimesheetEntry
from staff.services import pay_rate_record

D = Decimal


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Report files (and the runs' temporary files) go to a per-test directory, never to var/ or /tmp: the
    private storage to `private_root`, the mail copies to this media root."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.HRPORTAL = {**settings.HRPORTAL, "REPORT_TEMP_DIR": str(tmp_path / "tmp")}
    return root


@pytest.fixture
def private_root(media_root: Path) -> Path:
    return media_root.parent / "private"


def read_rows(source: str | Path | bytes) -> list[tuple[Any, ...]]:
    """Every row of the first sheet, as values (header included)."""
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    workbook = load_workbook(data, read_only=True)
    sheet = workbook.worksheets[0]
    rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


@pytest.fixture
def calendar_2025(db: None) -> None:
    """The official 2025 production calendar (October: 23 working days, 184 h; November: 19 days, 151 h —
    1 Nov a working Saturday, shortened to 7 h; 3 Nov a transferred day off; 4 Nov a public holiday)."""
    load_calendar(year=2025)


@dataclass
class HolidayFixture:
    date_from: dt.date
    date_to: dt.date
    a: Employee  # cast.employee (Sales), 100 000 → 120 000 from 2025-11-05
    b: Employee  # cast.sub_employee (Sales East), 0.5 FTE × 90 000 from 2025-10-01
    outsider: Employee  # Engineering, 100 000


def entry(employee: Employee, day: dt.date, kind: str, hours: str, day_off: bool = False) -> TimesheetEntry:
    return TimesheetEntry.objects.create(
        employee=employee, date=day, kind=kind, hours=D(hours), day_off_instead=day_off
    )


@pytest.fixture
def holiday_fixture(cast: Any, calendar_2025: None) -> HolidayFixture:
    """Period 2025-10-25 … 2025-11-09 (art. 153; leave.calc.holiday_pay). Hourly rate = salary × FTE / the month's
    norm at the employee's own week (40 h × FTE here), half-up to kopecks; pay = hours × rate × 1 within the month's
    norm, × 2 beyond it, × 1 with a day off instead, half-up to kopecks. Beyond the norm: the month's timesheet hours
    above the norm, taken from the month's latest holiday hours.

    A (Кузнецов, Sales; 100 000 until 4 Nov, 120 000 from 5 Nov; full time: 184 h in October, 151 h in November):
      October timesheet: 19 Oct (Sun) 8 h, 26 Oct (Sun) 8 h, 27 Oct regular 8 h → 24 h worked ≤ 184: within.
      2025-10-19 Sun weekend 8 h   outside the period                                  — not listed
      2025-10-26 Sun weekend 8 h   100 000/184 = 543.478… → 543.48; within: 8 × 543.48 × 1 = 4 347.84
      2025-10-27 Mon regular 8 h   an ordinary working day                             — not listed
      November timesheet: 1 Nov (working Saturday) 7 h + regular 8 h on the other 18 working days but 20 and 21 Nov
      (16 × 8 = 128 h) + holiday work 4 + 5 + 8 + 6.5 = 23.5 h → 158.5 h worked, 151 h norm: 7.5 h beyond, taken
      from the latest premium hours (4 Nov); the day off instead (8 Nov) is single whatever.
      2025-11-01 Sat regular 7 h   a working Saturday by decree                        — not listed
      2025-11-02 Sun weekend 4 h   100 000/151 = 662.251… → 662.25; within: 4 × 662.25 = 2 649.00
      2025-11-03 Mon regular 5 h   transferred day off (kind says regular); within: 5 × 662.25 = 3 311.25
      2025-11-04 Tue holiday 8 h   two lines: within 0.5 × 662.25 = 331.125 → 331.13;
                                              beyond 7.5 × 662.25 × 2 = 9 933.75
      2025-11-08 Sat weekend 6.5 h 120 000/151 = 794.701… → 794.70; day off instead: 6.5 × 794.70 × 1 = 5 165.55
      total: 31.5 h, 4 347.84 + 2 649.00 + 3 311.25 + 331.13 + 9 933.75 + 5 165.55 = 25 738.52
    B (Волков, Sales East; 0.5 FTE × 90 000 from 1 Oct: own week 40 × 0.5 = 20 h, 4 h a day, 3 h on the shortened
      1 Nov; November norm 18 × 4 + 3 = 75 h; rate 90 000 × 0.5 / 75 = 600.00):
      2025-11-01 Sat weekend 4 h   a working Saturday: not holiday work even if called so — not listed (worked)
      2025-11-04 Tue holiday 4 h   8 h worked ≤ 75: within: 4 × 600.00 = 2 400.00
      total: 4 h, 2 400.00
    Outsider (Попов, Engineering; 100 000): November's timesheet has only the holiday: the norm taken as worked.
      2025-11-04 Tue holiday 8 h   beyond (assumed): 8 × 662.25 × 2 = 10 596.00
    Report (HR): 43.5 h in 8 lines (7 entries), 25 738.52 + 2 400.00 + 10 596.00 = 38 734.52
    Manager of Sales (subtree Sales + Sales East): A and B only: 35.5 h, 28 138.52
    """
    a, b, outsider = cast.employee, cast.sub_employee, cast.outsider
    pay_rate_record(employee=a, effective_date=dt.date(2025, 11, 5), fte=D("1.00"), salary=D("120000.00"))
    pay_rate_record(employee=b, effective_date=dt.date(2025, 10, 1), fte=D("0.50"), salary=D("90000.00"))
    entry(a, dt.date(2025, 10, 19), "weekend", "8")
    entry(a, dt.date(2025, 10, 26), "weekend", "8")
    entry(a, dt.date(2025, 10, 27), "regular", "8")
    entry(a, dt.date(2025, 11, 1), "regular", "7")
    entry(a, dt.date(2025, 11, 2), "weekend", "4")
    entry(a, dt.date(2025, 11, 3), "regular", "5")
    entry(a, dt.date(2025, 11, 4), "holiday", "8")
    entry(a, dt.date(2025, 11, 8), "weekend", "6.5", day_off=True)
    for day in range(5, 29):
        date = dt.date(2025, 11, day)
        if date.weekday() < 5 and day not in (20, 21):  # 20 and 21 Nov: unpaid leave, no hours
            entry(a, date, "regular", "8")
    entry(b, dt.date(2025, 11, 1), "weekend", "4")
    entry(b, dt.date(2025, 11, 4), "holiday", "4")
    entry(outsider, dt.date(2025, 11, 4), "holiday", "8")
    return HolidayFixture(date_from=dt.date(2025, 10, 25), date_to=dt.date(2025, 11, 9), a=a, b=b, outsider=outsider)


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Record export enqueues instead of publishing them (unit tests have no broker)."""
    calls: list[int] = []
    monkeypatch.setattr("reports.services.enqueue_export", lambda job_id: calls.append(job_id))
    yield calls


@contextmanager
def slow_progress_updates(seconds: float) -> Iterator[None]:
    """Each progress update of a running export takes `seconds` longer, so a test can watch the progress rise and
    kill a worker mid-export while the worker runs the code unchanged: a PostgreSQL trigger on the job's table
    sleeps whenever a running job's row count grows. For tests with committed data (transaction=True)."""
    table = connection.ops.quote_name(ReportJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION test_slow_progress() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status = 'running' AND NEW.row_count > OLD.row_count THEN
                    PERFORM pg_sleep({float(seconds)});
                END IF;
                RETURN NEW;
            END $$
            """
        )
        cursor.execute(
            f"CREATE TRIGGER test_slow_progress BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION test_slow_progress()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS test_slow_progress ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS test_slow_progress()")
