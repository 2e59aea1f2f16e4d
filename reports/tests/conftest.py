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
    """Period 2025-10-25 … 2025-11-09. Expected lines (hourly rate = salary / month norm, half-up to kopecks;
    pay = hours × rate × 2, or × 1 with a day off instead):

    A (Кузнецов, Sales; 100 000 until 4 Nov, 120 000 from 5 Nov):
      2025-10-19 Sun weekend 8 h            outside the period                      — not listed
      2025-10-26 Sun weekend 8 h   100 000/184 = 543.478… → 543.48; 8 × 543.48 × 2  = 8 695.68
      2025-10-27 Mon regular 8 h            an ordinary working day                 — not listed
      2025-11-01 Sat regular 7 h            a working Saturday by decree            — not listed
      2025-11-02 Sun weekend 4 h   100 000/151 = 662.251… → 662.25; 4 × 662.25 × 2  = 5 298.00
      2025-11-03 Mon regular 5 h   transferred day off (kind says regular);  5 × 662.25 × 2 = 6 622.50
      2025-11-04 Tue holiday 8 h   public holiday;                           8 × 662.25 × 2 = 10 596.00
      2025-11-08 Sat weekend 6.5 h 120 000/151 = 794.701… → 794.70; day off instead: 6.5 × 794.70 × 1 = 5 165.55
      total: 31.5 h, 8 695.68 + 5 298.00 + 6 622.50 + 10 596.00 + 5 165.55 = 36 377.73
    B (Волков, Sales East; 0.5 FTE × 90 000 — the FTE cancels out of the hourly rate):
      2025-11-01 Sat weekend 4 h   a working Saturday: not holiday work even if called so — not listed
      2025-11-04 Tue holiday 4 h   90 000/151 = 596.026… → 596.03; 4 × 596.03 × 2 = 4 768.24
      total: 4 h, 4 768.24
    Outsider (Попов, Engineering; 100 000):
      2025-11-04 Tue holiday 8 h   8 × 662.25 × 2 = 10 596.00
    Report (HR): 43.5 h, 36 377.73 + 4 768.24 + 10 596.00 = 51 741.97
    Manager of Sales (subtree Sales + Sales East): A and B only: 35.5 h, 41 145.97
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
