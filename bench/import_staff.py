"""Importing employees: 1 000 and 10 000 rows, the command and the admin's job path, time and peak RSS.

    .venv/bin/python bench/import_staff.py [--sizes 1000 10000]

For each size the bench database (`hrportal_import_bench`, dropped and recreated) gets a tree of 61 departments
and 20 positions (through the departments and positions imports), then each step runs in its own fresh Python
process so its peak RSS (`getrusage(RUSAGE_SELF).ru_maxrss`) is its own:

- first:   `manage.py import_staff employees.xlsx` — every row new (users, employees, first rates, history);
- again:   the same file once more — every row "no change", nothing written;
- bad:     the same rows plus one bad row at the end — every row checked, one error, nothing written;
- job:     the admin's path without the broker: `import_job_plan` (the preview) then `import_job_apply` of an
           XLSX that changes every employee's email (10 000 updates, each with a history row).

It prints a table and the ratios: time(10k)/time(1k) of the first import (linear is 10×) and RSS(10k)/RSS(1k).
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

from bench._stack import PYTHON, database_url, django_env, recreate_database  # noqa: E402

DATABASE = "hrportal_import_bench"
WORK = Path("/tmp/hrportal-import-bench")
HEADER = ["personnel_number", "last_name", "first_name", "middle_name", "email", "department", "position",
          "manager", "hire_date", "fte", "salary"]  # fmt: skip
LAST = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова", "Новиков"]
FIRST = ["Александр", "Мария", "Дмитрий", "Анна", "Сергей", "Елена", "Андрей", "Ольга", "Алексей", "Наталья"]


def _env() -> dict[str, str]:
    django_env(DATABASE_URL=database_url(DATABASE))
    return {**os.environ, "HRPORTAL_VAR_DIR": str(WORK / "var")}


def write_files(size: int) -> dict[str, Path]:
    from openpyxl import Workbook

    WORK.mkdir(parents=True, exist_ok=True)
    departments = [["code", "name", "parent"], ["ROOT", "Компания", ""]]
    for d in range(10):
        departments.append([f"D{d}", f"Дирекция {d}", "ROOT"])
        departments.extend([f"D{d}-{t}", f"Отдел {d}.{t}", f"D{d}"] for t in range(5))
    positions = [["name", "extra_leave_days"]] + [[f"Должность {p}", p % 4] for p in range(20)]
    rows = []
    for n in range(size):
        team = f"D{n % 10}-{(n // 10) % 5}"
        manager = "" if n < 50 else f"E{n % 50:06d}"  # the first 50 rows manage the rest (a later row for none)
        rows.append([f"E{n:06d}", LAST[n % 9], FIRST[n % 10], "Петрович", f"e{n}@example.ru", team,
                     f"Должность {n % 20}", manager, f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}", 1,
                     60000 + (n % 100) * 1000])  # fmt: skip
    files = {}
    for name, table in (("departments", departments), ("positions", positions)):
        files[name] = WORK / f"{name}.csv"
        files[name].write_text("\n".join(";".join(map(str, r)) for r in table) + "\n", encoding="utf-8")
    for name, data in (
        ("employees", rows),
        ("bad", [*rows, ["E999999", "Плохой", "", "", "нет", "Нет/Такого", "", "", "31.02.2024", 5, -1]]),
        ("emails", [[*r[:4], r[4].replace("@", ".new@"), *r[5:]] for r in rows]),
    ):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        for row in data:
            sheet.append(row)
        files[name] = WORK / f"{name}-{size}.xlsx"
        workbook.save(files[name])
    return files


def child(step: str, path: str) -> None:
    """One measured step, in this fresh process; prints {"seconds", "rss_mb", …} as JSON."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from staff.imports import engine, services
    from staff.imports.files import read_table
    from staff.models import Employee

    started = time.perf_counter()
    result: dict[str, object] = {}
    if step in ("departments", "positions"):
        table = read_table(name=path, data=Path(path).read_bytes())
        outcome = engine.run(engine.KINDS[step], table, engine.Context(file_name=path), write=True)
        result["ok"] = outcome.ok
    elif step == "job":
        from staff import tasks

        tasks.import_plan.delay = lambda job_id: None  # the bench calls what the worker would, in this process
        hr = User.objects.get_or_create(username="bench-hr")[0]
        data = Path(path).read_bytes()
        job = services.import_job_create(kind="employees", upload=SimpleUploadedFile(Path(path).name, data), actor=hr)
        services.import_job_plan(job_id=job.pk)
        job.refresh_from_db()
        job.status, job.confirmed_by = "confirmed", hr
        job.save(update_fields=["status", "confirmed_by"])
        services.import_job_apply(job_id=job.pk)
        job.refresh_from_db()
        result.update(status=job.status, counts=job.counts)
    else:
        try:
            call_command("import_staff", path, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))  # noqa: SIM115
            result["exit"] = 0
        except CommandError:
            result["exit"] = 1
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["employees"] = Employee.objects.count()
    print(json.dumps(result))


def measure(step: str, path: Path) -> dict[str, object]:
    out = subprocess.run([PYTHON, __file__, "--child", step, str(path)], env=_env(), cwd=ROOT, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"))
    args = parser.parse_args()
    if args.child:
        _env()
        child(*args.child)
        return
    results: dict[int, dict[str, dict[str, object]]] = {}
    for size in args.sizes:
        files = write_files(size)
        recreate_database(DATABASE)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=_env(), cwd=ROOT, check=True)
        measure("departments", files["departments"])
        measure("positions", files["positions"])
        results[size] = {
            "first": measure("first", files["employees"]),
            "again": measure("again", files["employees"]),
            "bad": measure("bad", files["bad"]),
            "job": measure("job", files["emails"]),
        }
        print(f"\n{size} employees")
        print(f"{'step':<6} {'seconds':>8} {'peak RSS MB':>12}  result")
        for step, r in results[size].items():
            extra = {k: v for k, v in r.items() if k not in ("seconds", "rss_mb")}
            print(f"{step:<6} {r['seconds']:>8} {r['rss_mb']:>12}  {extra}")
    if len(args.sizes) == 2:
        small, large = (results[s]["first"] for s in args.sizes)
        print(f"\nfirst import, time {args.sizes[1]}/{args.sizes[0]}: {large['seconds'] / small['seconds']:.1f}×, "
              f"peak RSS: {large['rss_mb'] / small['rss_mb']:.2f}×")  # fmt: skip


if __name__ == "__main__":
    main()
