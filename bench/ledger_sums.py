"""The ledger sums behind every balance and quote: the ORM aggregate against the hand-written SQL it replaced.

    .venv/bin/python bench/ledger_sums.py [--repeat 200] [--employees 100] [--reuse]

The ORM candidates live in this file; the hand-written functions are leave.selectors.balances'. Both run in
one process on the same data, so the ratio is what matters (docs/decisions/0007). Needs PostgreSQL
on 127.0.0.1:5432: database `hrportal_bench_ledger` is recreated, migrated and seeded (`seed_demo --employees N`,
which accrues leave) unless `--reuse` is given. Reports the median wall and CPU milliseconds of one employee's
sums (a balance or quote) and of every employee's (the balances report), and the ORM/SQL ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
DATABASE = "hrportal_bench_ledger"

# The query leave.selectors.balances._ledger_sums ran by hand before issue 16 (commit a0d7d15).
RAW_SQL = (
    "SELECT a.employee_id, a.leave_type_id, e.kind, SUM(e.days),"
    " SUM(CASE WHEN e.effective_date <= %s THEN e.days END), COUNT(*)"
    " FROM leave_leaveentry e JOIN leave_leaveaccount a ON a.id = e.account_id"
    " WHERE a.employee_id IN ({ids})"
    " GROUP BY a.employee_id, a.leave_type_id, e.kind"
)


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--employees", type=int, default=100)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}", "DJANGO_DEBUG": "0"}
    if not args.reuse:
        for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        for command in (["migrate", "--noinput"], ["seed_demo", "--employees", str(args.employees)]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrportal.settings")
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    import django

    django.setup()
    from collections import defaultdict
    from collections.abc import Iterable

    from django.db import connection
    from django.db.models import Count, Q, Sum

    from leave.models import Absence, LeaveEntry
    from leave.selectors.balances import ZERO, _ledger_sums, _Sums, active_absences
    from staff.models import Employee

    # The ORM candidates: what leave.selectors.balances had in the ORM during issue 16 (commit 92414a3).
    def orm_ledger_sums(
        *,
        employee_ids: Iterable[int],
        on: dt.date,
        leave_type_ids: Iterable[int] | None = None,
        exclude_request_id: int | None = None,
    ) -> dict[tuple[int, int], _Sums]:
        """Sums per (employee, leave type) and kind, split at `on` where it matters: one aggregate query."""
        ids = list(employee_ids)
        if not ids:
            return defaultdict(_Sums)
        entries = LeaveEntry.objects.filter(account__employee_id__in=ids)
        if leave_type_ids is not None:
            type_ids = list(leave_type_ids)
            if not type_ids:
                return defaultdict(_Sums)
            entries = entries.filter(account__leave_type_id__in=type_ids)
        if exclude_request_id is not None:
            entries = entries.filter(Q(request_id__isnull=True) | ~Q(request_id=exclude_request_id))
        rows = (
            entries.values_list("account__employee_id", "account__leave_type_id", "kind")
            .annotate(total=Sum("days"), on_or_before=Sum("days", filter=Q(effective_date__lte=on)), count=Count("id"))
            .order_by()
        )
        result: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
        for employee_id, leave_type_id, kind, total, on_or_before, count in rows:
            sums = result[(employee_id, leave_type_id)]
            total = total or ZERO
            on_or_before = on_or_before or ZERO
            if kind == LeaveEntry.Kind.ACCRUAL:
                sums.accrual_total, sums.accrual_on, sums.accrual_months = total, on_or_before, count
            elif kind == LeaveEntry.Kind.ADJUSTMENT:
                sums.adjustment_on = on_or_before
            elif kind == LeaveEntry.Kind.RESERVE:
                sums.reserve = total
            elif kind == LeaveEntry.Kind.RELEASE:
                sums.release = total
            else:
                sums.use = total
        return result

    def orm_active_absences(
        *, employee_ids: Iterable[int], kinds: Iterable[str] | None = None
    ) -> dict[int, list[tuple[str, dt.date, dt.date]]]:
        """(kind, start, end) of every absence not cancelled (of the given `kinds` if any), by employee: one query."""
        rows = Absence.objects.filter(cancelled_at__isnull=True, employee_id__in=list(employee_ids))
        if kinds is not None:
            rows = rows.filter(kind__in=list(kinds))
        result: dict[int, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
        for employee_id, kind, start, end in rows.order_by("start_date").values_list(
            "employee_id", "kind", "start_date", "end_date"
        ):
            result[employee_id].append((kind, start, end))
        return result

    on = dt.date(2026, 6, 1)
    everyone = list(Employee.objects.order_by("pk").values_list("pk", flat=True))
    one = [Employee.objects.get(user__username="employee").pk]

    def raw(ids: list[int]) -> dict[tuple[int, int], _Sums]:
        """The old function whole: the query and the same conversion into _Sums (a fair comparison)."""
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL.format(ids=", ".join(["%s"] * len(ids))), [on, *ids])
            rows = cursor.fetchall()
        result: dict[tuple[int, int], _Sums] = defaultdict(_Sums)
        for employee_id, leave_type_id, kind, total, on_or_before, count in rows:
            sums = result[(employee_id, leave_type_id)]
            total, on_or_before = total or ZERO, on_or_before or ZERO
            if kind == "accrual":
                sums.accrual_total, sums.accrual_on, sums.accrual_months = total, on_or_before, count
            elif kind == "adjustment":
                sums.adjustment_on = on_or_before
            elif kind == "reserve":
                sums.reserve = total
            elif kind == "release":
                sums.release = total
            else:
                sums.use = total
        return result

    print(f"{'operation':<28}{'wall ms':>10}{'cpu ms':>10}")
    results = {}
    assert raw(everyone) == _ledger_sums(employee_ids=everyone, on=on) == orm_ledger_sums(employee_ids=everyone, on=on)
    for name, ids in (("one employee", one), (f"{len(everyone)} employees", everyone)):
        orm_wall, orm_cpu = measure(lambda ids=ids: orm_ledger_sums(employee_ids=ids, on=on), args.repeat)
        sql_wall, sql_cpu = measure(lambda ids=ids: _ledger_sums(employee_ids=ids, on=on), args.repeat)
        results[name] = (orm_wall / sql_wall, orm_cpu / sql_cpu)
        print(f"{'ORM, ' + name:<28}{orm_wall:>10.3f}{orm_cpu:>10.3f}")
        print(f"{'SQL, ' + name:<28}{sql_wall:>10.3f}{sql_cpu:>10.3f}")

    def raw_absences(ids: list[int]) -> dict[int, list[Any]]:
        result: dict[int, list[Any]] = defaultdict(list)
        placeholders = ", ".join(["%s"] * len(ids))
        sql = "SELECT employee_id, kind, start_date, end_date FROM leave_absence WHERE cancelled_at IS NULL"
        sql += f" AND employee_id IN ({placeholders}) ORDER BY start_date"
        with connection.cursor() as cursor:
            cursor.execute(sql, ids)
            for employee_id, kind, start, end in cursor.fetchall():
                result[employee_id].append((kind, start, end))
        return result

    assert (
        orm_active_absences(employee_ids=everyone) == active_absences(employee_ids=everyone) == raw_absences(everyone)
    )
    orm_wall, orm_cpu = measure(lambda: orm_active_absences(employee_ids=one), args.repeat)
    sql_wall, sql_cpu = measure(lambda: active_absences(employee_ids=one), args.repeat)
    results["absences, one employee"] = (orm_wall / sql_wall, orm_cpu / sql_cpu)
    print(f"{'ORM, absences':<28}{orm_wall:>10.3f}{orm_cpu:>10.3f}")
    print(f"{'SQL, absences':<28}{sql_wall:>10.3f}{sql_cpu:>10.3f}")
    for name, (wall_ratio, cpu_ratio) in results.items():
        print(f"ORM/SQL, {name}: wall ×{wall_ratio:.2f}, CPU ×{cpu_ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
