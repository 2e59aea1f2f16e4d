"""`manage.py import_payroll` at 5 000 and 50 000 rows: peak memory must not grow with the file (issue 17).

    .venv/bin/python bench/import_payroll.py [--sizes 5000 50000] [--employees 500] [--formats csv xlsx]

Recreates its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hrportal_bench_payroll),
migrates it and seeds `--employees` employees; writes a payroll file of each size and format (valid rows, every
kind, bonuses with their periods); then runs the real command on each in its own child process, the accruals
table emptied before each run, and reads the child's peak RSS from `wait4`. Prints time, peak RSS and the ratio
RSS(largest) / RSS(smallest) for each format; exits 1 when a ratio is above 1.3 (the acceptance).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stack import PYTHON, database_url, django_env, recreate_database  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", database_url("hrportal_bench_payroll"))
django_env(DATABASE_URL=URL)
PREFIX = "PB"
HEADER = ["personnel_number", "month", "kind", "amount", "period_start", "period_end", "document"]
KINDS = ["salary", "bonus_month", "bonus_quarter", "bonus_year", "allowance", "holiday_work", "sick_pay", "other"]
MAX_RATIO = 1.3


def seed(employees: int) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.contrib.auth.models import User

    from staff.models import Department, Employee
    from staff.services import department_save

    department = department_save(department=Department(name="Bench payroll"))
    users = User.objects.bulk_create([User(username=f"pb{i:06d}", password="!") for i in range(employees)])
    Employee.objects.bulk_create(
        Employee(
            user=user,
            personnel_number=f"{PREFIX}{i:06d}",
            last_name=f"Фамилия{i:06d}",
            first_name="Имя",
            email=f"pb{i}@bench.test",
            department=department,
            hire_date=dt.date(2020, 1, 1),
        )
        for i, user in enumerate(users)
    )


def rows(size: int, employees: int):  # type: ignore[no-untyped-def]
    for i in range(size):
        combo = i // employees
        month_index = combo // len(KINDS)
        year, month = 2015 + month_index // 12, month_index % 12 + 1
        kind = KINDS[combo % len(KINDS)]
        start = end = ""
        if kind == "bonus_quarter":
            quarter = (month - 1) // 3
            start, end = f"{year}-{quarter * 3 + 1:02d}-01", f"{year}-{quarter * 3 + 3:02d}-28"
        elif kind == "bonus_year":
            start, end = f"{year - 1}-01-01", f"{year - 1}-12-31"
        yield [
            f"{PREFIX}{i % employees:06d}",
            f"{year}-{month:02d}",
            kind,
            f"{10000 + i % 90000},{i % 100:02d}",
            start,
            end,
            f"DOC-{i}",
        ]


def write_file(directory: Path, size: int, employees: int, fmt: str) -> Path:
    path = directory / f"payroll-{size}.{fmt}"
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            writer.writerows(rows(size, employees))
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for row in rows(size, employees):
            sheet.append(row)
        book.save(path)
    return path


def run_import(path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of `manage.py import_payroll path` in a child process."""
    subprocess.run(["psql", URL, "-qc", "DELETE FROM payroll_payrollaccrual"], check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    child = subprocess.Popen(
        [PYTHON, "manage.py", "import_payroll", str(path)], cwd=ROOT, stdout=subprocess.DEVNULL, env=os.environ
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    args = parser.parse_args()
    recreate_database(urlparse(URL).path.lstrip("/"))
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    seed(args.employees)
    failed = False
    with tempfile.TemporaryDirectory() as directory:
        for fmt in args.formats:
            peaks = []
            for size in args.sizes:
                path = write_file(Path(directory), size, args.employees, fmt)
                seconds, peak, code = run_import(path)
                if code != 0:
                    print(f"{fmt} {size}: import failed with exit {code}")
                    return 1
                peaks.append(peak)
                print(
                    f"{fmt:4} {size:>7} rows  {seconds:7.1f} s  peak RSS {peak:6.1f} MB  ({size / seconds:,.0f} rows/s)"
                )
            ratio = peaks[-1] / peaks[0]
            failed |= ratio > MAX_RATIO
            print(f"{fmt:4} RSS {args.sizes[-1]} / RSS {args.sizes[0]} = {ratio:.2f} (acceptance ≤ {MAX_RATIO})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
