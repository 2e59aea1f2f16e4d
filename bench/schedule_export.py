"""Form T-7 (`schedule_t7`) at 5k and 50k parts: the export's peak memory must not grow with the rows.

    .venv/bin/python bench/schedule_export.py [--sizes 5000 50000] [--employees 5000]

The bench database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hrportal_bench_schedule) is
recreated and migrated; `--employees` employees are bulk-created, and for each size the 2027 schedule is refilled
with exactly that many parts (one to ten a person, 1–3 days each, none overlapping). Each export then runs the real
task path (`reports.services.report_run` on a queued job: COUNT, the rows streamed by `values_list(...).iterator()`
into openpyxl write-only, progress UPDATEs, the file stored, `done` and the mail queued) in a fresh Python process,
whose peak RSS (`getrusage(RUSAGE_SELF).ru_maxrss`) is its own. It prints time and peak RSS per size and the ratio
the issue judges: RSS(50k) ≤ 1.25 × RSS(5k) (constant memory: issue 18, as issue 7 asked of every export).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stack import database_url, django_env, recreate_database  # noqa: E402

NAME = "hrportal_bench_schedule"
django_env(DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", database_url(NAME)))
YEAR = 2027


def _setup() -> None:
    import django

    django.setup()


def seed_people(count: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.models import Group, User

    from staff.models import HR_GROUP, Department, Employee, PayRate
    from staff.services import department_save

    department = department_save(department=Department(name="Бенчмарк"))
    hr_user = User.objects.create_user(username="bench-hr", email="hr@bench.test", password="x")
    hr_user.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
    Employee.objects.create(
        user=hr_user,
        personnel_number="HR0001",
        last_name="Кадровик",
        first_name="Бенч",
        email=hr_user.email,
        department=department,
        hire_date=dt.date(2020, 1, 1),
    )
    users = User.objects.bulk_create([User(username=f"b{i}", email=f"b{i}@bench.test") for i in range(count)])
    people = Employee.objects.bulk_create(
        [
            Employee(
                user=u,
                personnel_number=f"B{i:06d}",
                last_name=f"Сотрудник{i}",
                first_name="Тест",
                patronymic="Тестович",
                email=u.email,
                department=department,
                hire_date=dt.date(2020, 1, 1),
            )
            for i, u in enumerate(users)
        ]
    )
    PayRate.objects.bulk_create(
        [PayRate(employee=e, effective_date=e.hire_date, fte=Decimal(1), salary=Decimal(90000)) for e in people]
    )


def fill_parts(total: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.models import User

    from leave.models import LeaveType
    from schedule.models import Campaign, Part
    from staff.models import Employee

    Part.objects.all().delete()
    campaign = Campaign.objects.filter(year=YEAR).first() or Campaign.objects.create(
        year=YEAR,
        proposal_deadline=dt.date(YEAR - 1, 12, 1),
        approval_deadline=dt.date(YEAR - 1, 12, 17),
        opened_by=User.objects.get(username="bench-hr"),
    )
    annual = LeaveType.objects.get(code="annual")
    people = list(Employee.objects.filter(personnel_number__startswith="B").values_list("pk", flat=True))
    rows = []
    for n in range(total):
        person, slot = people[n % len(people)], n // len(people)  # slot k: 1 + 30k … 3 + 30k days in
        start = dt.date(YEAR, 1, 10) + dt.timedelta(days=30 * slot + n % 3)
        rows.append(
            Part(
                campaign=campaign,
                employee_id=person,
                leave_type=annual,
                start_date=start,
                end_date=start + dt.timedelta(days=2),
                days=Decimal(3),
            )
        )
    Part.objects.bulk_create(rows, batch_size=5000)


def child() -> None:
    """One export in this process; prints its time, rows and peak RSS as JSON."""
    _setup()
    import datetime as dt

    from django.contrib.auth.models import User

    from reports import services

    services.enqueue_export = lambda job_id: None  # the run below is the worker's
    user = User.objects.get(username="bench-hr")
    job, _ = services.report_request(
        user=user, kind="schedule_t7", date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31)
    )
    started = time.perf_counter()
    services.report_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    job.delete()  # the next size asks for the same report again
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": job.row_count, "status": job.status, "seconds": elapsed, "rss_mb": rss}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--employees", type=int, default=5000)
    args = parser.parse_args()
    if not os.environ.get("BENCH_DATABASE_URL"):
        recreate_database(NAME)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    # Seeding runs in processes of its own: Linux keeps a process's peak RSS across fork and exec (the child's
    # `ru_maxrss` starts at the parent's), so the parent that starts the export must stay small.
    subprocess.run([sys.executable, __file__, "--seed", str(args.employees)], cwd=ROOT, check=True)
    results = {}
    for size in args.sizes:
        subprocess.run([sys.executable, __file__, "--fill", str(size)], cwd=ROOT, check=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child"], cwd=ROOT, check=True, capture_output=True, text=True
        )
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{size:>7} parts: {results[size]}")
    small, large = results[min(args.sizes)], results[max(args.sizes)]
    assert small["rows"] == min(args.sizes) and large["rows"] == max(args.sizes), results
    ratio = large["rss_mb"] / small["rss_mb"]
    print(f"peak RSS {max(args.sizes)} / {min(args.sizes)} parts: {ratio:.2f}x (must be <= 1.25)")
    sys.exit(0 if ratio <= 1.25 else 1)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    elif "--seed" in sys.argv:
        _setup()
        seed_people(int(sys.argv[-1]))
    elif "--fill" in sys.argv:
        _setup()
        fill_parts(int(sys.argv[-1]))
    else:
        main()
