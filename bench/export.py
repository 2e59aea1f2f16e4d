"""The holiday_work export at 50k and 500k timesheet rows: the real task path vs the naive way vs the floor.

    .venv/bin/python bench/export.py [--sizes 50000 500000] [--employees 2000] [--repeat 3]

For each size the bench database is seeded (bulk_create: `--employees` employees with a pay-rate change in
mid-year, and `size / employees` days of weekend/holiday work each in 2025), then three measurements run, each
in its own fresh Python process so that its peak RSS (`getrusage(RUSAGE_SELF).ru_maxrss`) is its own:

- task:  the real code path, `reports.services.report_run` on a queued job — COUNT, one rate query, the rows
         streamed by `values_list(...).iterator(chunk_size=2000)` into openpyxl write-only (+ lxml), progress
         UPDATEs, the file stored in Django storage, `done` and the mail queued in the outbox (not sent);
- naive: the old system's way — `list()` of the entries with `select_related`, the same row arithmetic, a
         normal (not write-only) openpyxl workbook;
- floor: the same rows, already in memory (built before the clock starts), written by openpyxl write-only:
         what writing the file costs at the least.

It prints time, the process's CPU time (robust to other load on a shared machine) and peak RSS for each, and the
ratios issue 7 judges: RSS(task, 500k) ≤ 1.25 × RSS(task, 50k);
RSS(task, 500k) ≤ 20% of RSS(naive, 500k); time(task, 500k) ≤ 1.3 × time(floor, 500k). Task and floor run
`--repeat` rounds, interleaved; the time ratio is judged on the best run of each (on a shared machine other
load only ever adds time, so the minimum is the estimate of the cost — as `timeit` argues) and shown on the
medians too. The naive way runs once per size: only its memory is judged.

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hrportal_bench; created if missing,
migrated, its report data replaced). Files go under HRPORTAL_VAR_DIR (default /tmp/hrportal-bench-var).

Past 400 lines: the seeding, the three measured ways (task, naive, floor) and their child processes must stay in one
runnable file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stack import database_url, django_env  # noqa: E402

DEFAULT_URL = database_url("hrportal_bench")
django_env(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
os.environ.setdefault("REPORT_ATTACH_MAX_BYTES", str(5 * 1024 * 1024))

YEAR = 2025
DATE_FROM, DATE_TO = f"{YEAR}-01-01", f"{YEAR}-12-31"
BENCH_PREFIX = "bench"  # usernames and personnel numbers of the seeded organisation
MODES = ("task", "naive", "floor")


def _setup_django() -> None:
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- the parent: database, seeding, children ----------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist, then migrate it."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    server = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "dbname": "postgres",
        "user": parsed.username or "postgres",
        "password": parsed.password or None,
    }
    with psycopg.connect(**server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def seed(*, employees: int, rows: int) -> dict[str, Any]:
    """The organisation (once) and exactly `rows` timesheet entries of holiday work in YEAR."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from leave.models import CalendarDay
    from leave.services import load_calendar
    from notifications.models import OutboxMessage
    from reports.models import ReportJob
    from staff.models import Department, Employee, PayRate, TimesheetEntry
    from staff.services import department_save

    started = time.perf_counter()
    if not CalendarDay.objects.filter(date__year=YEAR).exists():
        load_calendar(year=YEAR)
    people = list(Employee.objects.filter(personnel_number__startswith=BENCH_PREFIX).order_by("pk"))
    if len(people) != employees:
        with transaction.atomic():
            TimesheetEntry.objects.filter(employee__personnel_number__startswith=BENCH_PREFIX).delete()
            PayRate.objects.filter(employee__personnel_number__startswith=BENCH_PREFIX).delete()
            Employee.history.filter(personnel_number__startswith=BENCH_PREFIX).delete()
            Employee.objects.filter(personnel_number__startswith=BENCH_PREFIX).delete()
            User.objects.filter(username__startswith=BENCH_PREFIX).delete()
            root = Department.objects.filter(name="Bench company").first() or department_save(
                department=Department(name="Bench company")
            )
            departments = [
                Department.objects.filter(name=f"Bench department {i:02d}").first()
                or department_save(department=Department(name=f"Bench department {i:02d}", parent=root))
                for i in range(20)
            ]
            users = User.objects.bulk_create(
                [User(username=f"{BENCH_PREFIX}{i:06d}", password="!", is_superuser=(i == 0)) for i in range(employees)]
            )
            people = Employee.objects.bulk_create(
                [
                    Employee(
                        user=user,
                        personnel_number=f"{BENCH_PREFIX}{i:06d}",
                        last_name=f"Фамилия{i:06d}",
                        first_name="Имя",
                        patronymic="Отчество",
                        email=f"{user.username}@bench.test",
                        department=departments[i % len(departments)],
                        hire_date=dt.date(2020, 1, 1),
                    )
                    for i, user in enumerate(users)
                ]
            )
            PayRate.objects.bulk_create(
                [
                    PayRate(
                        employee=p,
                        effective_date=dt.date(2020, 1, 1),
                        fte=Decimal("1.00"),
                        salary=Decimal(80000 + (p.pk % 50) * 1000),
                    )
                    for p in people
                ]
                + [
                    PayRate(
                        employee=p,
                        effective_date=dt.date(YEAR, 7, 1),
                        fte=Decimal("1.00"),
                        salary=Decimal(90000 + (p.pk % 50) * 1000),
                    )
                    for p in people
                ]
            )
    ReportJob.objects.all().delete()
    OutboxMessage.objects.filter(event__startswith="report_").delete()
    working_weekends = set(
        CalendarDay.objects.filter(date__year=YEAR, kind="working_weekend").values_list("date", flat=True)
    )
    holidays = set(CalendarDay.objects.filter(date__year=YEAR, kind="public_holiday").values_list("date", flat=True))
    dates = [dt.date(YEAR, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    dates = [d for d in dates if d not in working_weekends]
    per_employee = -(-rows // employees)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM staff_timesheetentry WHERE employee_id IN "
                "(SELECT id FROM staff_employee WHERE personnel_number LIKE %s)",
                [f"{BENCH_PREFIX}%"],
            )

        def entries() -> Any:
            made = 0
            for index, day in enumerate(dates[:per_employee]):
                for p in people:
                    if made == rows:
                        return
                    yield TimesheetEntry(
                        employee_id=p.pk,
                        date=day,
                        kind="holiday" if day in holidays else "weekend",
                        hours=Decimal("8.00") if (index + p.pk) % 3 else Decimal("4.50"),
                        day_off_instead=(index + p.pk) % 5 == 0,
                    )
                    made += 1

        batch: list[Any] = []
        for entry in entries():
            batch.append(entry)
            if len(batch) == 10_000:
                TimesheetEntry.objects.bulk_create(batch)
                batch = []
        if batch:
            TimesheetEntry.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE staff_timesheetentry")
    count = TimesheetEntry.objects.filter(employee__personnel_number__startswith=BENCH_PREFIX).count()
    return {"rows": count, "employees": len(people), "seconds": round(time.perf_counter() - started, 1)}


def run_child(mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the children -----------------------------------------------------------------------------------------


def _requester() -> Any:
    from django.contrib.auth.models import User

    return User.objects.get(username=f"{BENCH_PREFIX}000000")  # a superuser: HR's view, everyone


def child_task() -> dict[str, Any]:
    import datetime as dt

    from reports import services
    from reports.models import ReportJob

    services.enqueue_export = lambda job_id: None  # the measured run below is the task's body, in this process
    job, _ = services.report_request(
        user=_requester(),
        kind="holiday_work",
        date_from=dt.date.fromisoformat(DATE_FROM),
        date_to=dt.date.fromisoformat(DATE_TO),
    )
    started, cpu = time.perf_counter(), time.process_time()
    services.report_run(job_id=job.pk, task_id="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job = ReportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    job.file.delete(save=False)  # keep the bench's disk use flat across runs
    return {"seconds": seconds, "cpu": cpu, "rows": job.row_count, "bytes": job.file_size}


def _naive_rows(entries: list[Any], rates: Any, calendar: Any, months: dict[Any, Any]) -> list[tuple[Any, ...]]:
    from leave.calc import holiday_pay
    from reports.exporters.holiday_work import ZERO, day_kind, rule_labels

    labels = {
        "holiday": "Public holiday",
        "transferred": "Transferred day off",
        "weekend": "Weekend",
        "rest_day": "Rest day by schedule",
    }
    rules = rule_labels()
    out = []
    done: dict[tuple[int, int, int], Any] = {}
    for e in entries:
        kind_label, holiday = day_kind(calendar, e.date, labels)
        weekly = e.employee.weekly_hours
        hourly = rates.hourly_rate(e.employee_id, e.date, weekly)
        key = (e.employee_id, e.date.year, e.date.month)
        worked, holiday_hours, premium, before = months.get(key, (ZERO,) * 4)
        norm = rates.employee_month_norm(e.employee_id, e.date.year, e.date.month, weekly)
        month = holiday_pay.MonthHours(norm=norm, worked=worked, holiday=holiday_hours, premium=premium)
        done[key] = done.get(key, before) + (ZERO if e.day_off_instead else e.hours)
        parts = holiday_pay.split_line(
            hours=e.hours, day_off_instead=e.day_off_instead, month=month, premium_after=premium - done[key]
        )
        for hours, rule in parts:
            pay = holiday_pay.line_pay(hours, hourly, rule) if hourly is not None else None
            out.append(
                (
                    e.employee.department.name,
                    e.employee.personnel_number,
                    e.employee.full_name,
                    e.date,
                    kind_label,
                    holiday,
                    hours,
                    hourly,
                    rules[rule],
                    holiday_pay.MULTIPLIERS[rule],
                    pay,
                )
            )
    return out


def child_naive() -> dict[str, Any]:
    """The old way: every entry as a model instance in a list, every row in a normal workbook in memory."""
    import datetime as dt
    import tempfile

    from openpyxl import Workbook

    from leave import selectors as leave_selectors
    from reports.exporters.base import ReportParams
    from reports.exporters.holiday_work import ORDER, RateBook, entries, header, month_hours, month_span

    params = ReportParams(
        user=_requester(), date_from=dt.date.fromisoformat(DATE_FROM), date_to=dt.date.fromisoformat(DATE_TO)
    )
    started, cpu = time.perf_counter(), time.process_time()
    calendar = leave_selectors.production_calendar(start=month_span(params)[0], end=month_span(params)[1])
    qs = entries(params, calendar).select_related("employee__department").order_by(*ORDER)
    items = list(qs)
    rows = _naive_rows(items, RateBook(params, calendar), calendar, month_hours(params, calendar))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header())
    for row in rows:
        sheet.append(row)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        workbook.save(fh.name)
        size = os.path.getsize(fh.name)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": len(rows),
        "bytes": size,
    }


def child_floor() -> dict[str, Any]:
    """The same rows (built by the report's own generator before the clock starts) written write-only."""
    import datetime as dt
    import tempfile

    from openpyxl import Workbook

    from reports.exporters import ReportParams, build_report

    params = ReportParams(
        user=_requester(), date_from=dt.date.fromisoformat(DATE_FROM), date_to=dt.date.fromisoformat(DATE_TO)
    )
    report = build_report(kind="holiday_work", params=params)
    rows = list(report.rows)
    started, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(report.header))
    for row in rows:
        sheet.append(row)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        workbook.save(fh.name)
        size = os.path.getsize(fh.name)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rows": len(rows),
        "bytes": size,
    }


def child(mode: str) -> None:
    _setup_django()
    result = {"task": child_task, "naive": child_naive, "floor": child_floor}[mode]()
    result["peak_rss_mb"] = _peak_rss_mb()
    result["mode"] = mode
    print(json.dumps(result))


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of task and floor (best and median time, max RSS)"
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    import lxml  # noqa: F401  (openpyxl is ~30% faster with it: the bench must run with it)

    url = os.environ["DATABASE_URL"]
    print(f"database {url}; {args.employees} employees; sizes {args.sizes}; repeat {args.repeat}", flush=True)
    ensure_database(url)
    _setup_django()
    import openpyxl
    from django.db import connection

    connection.ensure_connection()
    print(
        f"python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}, lxml installed, "
        f"PostgreSQL {connection.cursor().connection.info.server_version}",
        flush=True,
    )
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for size in args.sizes:
        seeded = seed(employees=args.employees, rows=size)
        connection.close()
        print(f"\n{size} rows: seeded {seeded}", flush=True)
        # Rounds interleave the modes, so drift in the machine's load (it is shared) hits each mode alike. The
        # naive way runs once: only its memory is judged, and it takes minutes at 500k.
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
        for round_number in range(args.repeat):
            for mode in MODES:
                if mode == "naive" and round_number > 0:
                    continue
                result = run_child(mode)
                runs[mode].append(result)
                print(
                    f"  round {round_number + 1}  {mode:<6} {result['seconds']:8.1f} s   cpu {result['cpu']:6.1f} s   "
                    f"peak RSS {result['peak_rss_mb']:8.1f} MB   rows {result['rows']:>7}   "
                    f"file {result['bytes'] / 1e6:6.1f} MB",
                    flush=True,
                )
        results[size] = {}
        for mode in MODES:
            times = [r["seconds"] for r in runs[mode]]
            results[size][mode] = {
                "cpu": min(r["cpu"] for r in runs[mode]),
                "seconds": min(times),
                "median": statistics.median(times),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs[mode]),
            }
            print(
                f"  {mode:<6} best {min(times):8.1f} s   median {statistics.median(times):8.1f} s   "
                f"best cpu {results[size][mode]['cpu']:6.1f} s   "
                f"peak RSS {results[size][mode]['peak_rss_mb']:8.1f} MB   ({len(times)} run(s))",
                flush=True,
            )
    small, large = min(args.sizes), max(args.sizes)
    if small == large:
        return
    task_s, task_l = results[small]["task"], results[large]["task"]
    naive_l, floor_l = results[large]["naive"], results[large]["floor"]
    checks = [
        (f"RSS task {large} / task {small}", task_l["peak_rss_mb"] / task_s["peak_rss_mb"], 1.25),
        (f"RSS task {large} / naive {large}", task_l["peak_rss_mb"] / naive_l["peak_rss_mb"], 0.20),
        (f"time task {large} / floor {large} (best)", task_l["seconds"] / floor_l["seconds"], 1.30),
        (f"time task {large} / floor {large} (median)", task_l["median"] / floor_l["median"], 1.30),
    ]
    print("\nratio                              value   limit")
    ok = True
    for label, value, limit in checks:
        ok &= value <= limit
        print(f"  {label:<32} {value:6.2f}   ≤ {limit:.2f}   {'ok' if value <= limit else 'FAIL'}")
    # The process's own CPU time (not PostgreSQL's): what the writer costs, even when other jobs share the machine.
    print(f"  cpu time task {large} / floor {large} (best)   {task_l['cpu'] / floor_l['cpu']:6.2f}   (shown)")
    print("\nall within the limits" if ok else "\nSOME RATIOS ARE OUTSIDE THE LIMITS")


if __name__ == "__main__":
    main()
