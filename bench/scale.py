"""Is every page as fast for a 30,000-person company as for a 300-person one? (issue 20)

    nice -n 15 .venv/bin/python bench/scale.py [--sizes 300 3000 30000] [--calls 200] [--warmup 20]
                                               [--prefix hrportal_scale] [--rebuild] [--no-batch]

1. The organisations: one PostgreSQL database per size (`<prefix>_<size>` on 127.0.0.1:5432), built by
   `seed_demo --employees N` (the same shape at every size: a department tree 5–6 levels deep, two years of
   requests of every kind and status, absences, 13 months of timesheets and of payroll accruals, next year's
   leave schedule with parts and submissions, the documents of the approved requests) and reused when it already
   holds that many employees (`--rebuild` forces a new build). The build time of each is printed. A database
   built before the payroll, schedule and documents seeds is topped up (`seed_demo --extras-only`, its time
   printed) rather than rebuilt, and every reused one gets this checkout's migrations. Each is then vacuumed
   (`vacuum`: autovacuum is off on this machine).
2. The operations, per size: a child process sets Django up on that database (production settings:
   DJANGO_DEBUG=0, persistent connections) and serves each operation through **Django's test client in that one
   process** (no HTTP server): 20 warm-up calls, then 200 sequential measured calls; p50, p95 and the number of
   SQL statements of one call. The three processes are set up side by side and take turns, 25 calls per operation
   each, so that the load of the neighbours on this shared machine falls on every size alike. Who calls: the
   seeded `employee` (dashboard, request page, balance, quote, filing),
   the **top head** — the head of the root department, who sees every pending request below (approvals inbox,
   nav badge, team calendar, the team's approved requests), and `hr` (the admin's employee list, the requests
   list API, the schedule's HR progress page for the seeded year, the document register). The nav badge is
   `hrportal.web.context.nav_for` called directly (what every page of a head pays for the header), with the
   user's per-request memo cleared before each call. The certificates filed by the bench are deleted afterwards.
3. The batch jobs, per size, each in a fresh process: monthly accrual (`leave.services.accrue` for the month
   after the last one posted, every employee) beside its floor, a bare `bulk_create` of the rows it wrote (and
   of as many rows to one account), three rounds alternating, medians compared (each round takes back what it
   wrote, so a rerun measures the same month); and the company-wide
   leave-balances report (`reports.services.report_run` of HR's `leave_balances` job) with its peak RSS
   (`ru_maxrss`), beside a floor process that only sets Django up and reads one row.

At the end: the ratios the issue accepts against (30,000 / 300 for p95, equal statement counts, accrual / floor,
report RSS 30,000 / 3,000). The machine is shared: run it under `nice`, and compare ratios from one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import PYTHON, ROOT, bench_env, manage, recreate_database

BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
ROUND = 25  # calls per operation per turn of a size


# --- the parent: build, run the children, print ---------------------------------------------------------------


def env_for(prefix: str, size: int) -> dict[str, str]:
    var = Path(tempfile.gettempdir()) / f"{prefix}-var"
    env = bench_env(
        name="scale",
        database=f"{prefix}_{size}",
        var_dir=var,
        allowed_hosts="testserver",
        CELERY_BROKER_URL=BROKER,
        PROMETHEUS_MULTIPROC_DIR=str(var / "prometheus"),
    )
    (var / "prometheus").mkdir(parents=True, exist_ok=True)
    return env


def psql_value(database: str, sql: str) -> str | None:
    """One value of `sql` on `database` (None: no such database, or the query failed)."""
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql], capture_output=True, text=True
    )
    return result.stdout.strip() if result.returncode == 0 else None


def employees_in(database: str) -> int | None:
    """How many employees `database` holds (None: no such database or not migrated)."""
    count = psql_value(database, "SELECT count(*) FROM staff_employee")
    return int(count) if count is not None and count.isdigit() else None


# What seed_demo's later seeds write (EXTRA_SEEDS): payroll accruals, a leave schedule, and a document for every
# approved leave. A database built before them lacks these and is topped up, not rebuilt.
EXTRAS_PRESENT = """
SELECT EXISTS (SELECT 1 FROM payroll_payrollaccrual) AND EXISTS (SELECT 1 FROM schedule_campaign)
   AND NOT EXISTS (SELECT 1 FROM requests_app_request r WHERE r.kind = 'leave' AND r.status = 'approved'
                   AND NOT EXISTS (SELECT 1 FROM documents_document d WHERE d.request_id = r.id))
"""


def vacuum(database: str) -> None:
    """Do what autovacuum does for a live database, which this machine's PostgreSQL (autovacuum off, as CI's) never
    does: set the visibility map, so that a COUNT can be an index-only scan (the requests list's `count`), and merge
    the GIN indexes' pending lists (the admin's trigram search reads them whole otherwise). Quick once done: a
    rerun only visits the pages the last run changed."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", "VACUUM (ANALYZE)"], check=True)


def build(prefix: str, size: int, rebuild: bool) -> str:
    database = f"{prefix}_{size}"
    env = env_for(prefix, size)
    if not rebuild and employees_in(database) == size:
        manage(env, "migrate", "--noinput")  # this checkout's migrations (indexes) on a database built before
        manage(env, "collectstatic", "--noinput")  # the static manifest lives in the bench's var directory
        vacuum(database)
        if psql_value(database, EXTRAS_PRESENT) == "t":
            return "reused"
        started = time.perf_counter()
        manage(env, "seed_demo", "--extras-only", "--verbosity", "0")
        vacuum(database)
        return f"reused; payroll, schedule and documents seeded in {time.perf_counter() - started:.0f} s"
    started = time.perf_counter()
    recreate_database(database)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--employees", str(size), "--verbosity", "0")
    manage(env, "collectstatic", "--noinput")
    vacuum(database)
    return f"built in {time.perf_counter() - started:.0f} s"


def child(prefix: str, size: int, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [PYTHON, __file__, "--child", mode, "--sizes", str(size), "--prefix", prefix]
    command += ["--calls", str(args.calls), "--warmup", str(args.warmup), "--gc", args.gc]
    result = subprocess.run(command, cwd=ROOT, env=env_for(prefix, size), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{mode} at {size} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def interleave(prefix: str, sizes: list[int], args: argparse.Namespace) -> dict[int, dict[str, Any]]:
    """One child per size, all set up and warmed up first; then rounds of `ROUND` calls per operation, the sizes
    taking turns, until each has made `--calls`: a neighbour's burst on this shared machine then falls on every
    size alike instead of on whichever ran at that moment."""
    children, sql = {}, {}
    for size in sizes:
        command = [
            PYTHON,
            __file__,
            "--child",
            "ops",
            "--prefix",
            prefix,
            "--warmup",
            str(args.warmup),
            "--gc",
            args.gc,
        ]
        children[size] = subprocess.Popen(
            command, cwd=ROOT, env=env_for(prefix, size), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        sql[size] = _answer(children[size], size)
    times: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    done = 0
    while done < args.calls:
        calls = min(ROUND, args.calls - done)
        for size in sizes:
            children[size].stdin.write(f"{calls}\n")  # type: ignore[union-attr]
            children[size].stdin.flush()  # type: ignore[union-attr]
            for name, values in _answer(children[size], size).items():
                times[size].setdefault(name, []).extend(values)
        done += calls
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        children[size].stdin.write("0\n")  # type: ignore[union-attr]
        children[size].stdin.close()  # type: ignore[union-attr]
        children[size].wait()
        results[size] = {}
        for name, values in times[size].items():
            values.sort()
            p95 = values[max(0, int(len(values) * 0.95) - 1)]
            results[size][name] = {"sql": sql[size][name], "p50": statistics.median(values), "p95": p95}
    return results


def _answer(process: subprocess.Popen[str], size: int) -> dict[str, Any]:
    while True:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            sys.exit(f"the operations at {size} stopped (exit {process.wait()})")
        if line.startswith("{"):  # anything else is a log line
            return json.loads(line)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000, 30000])
    parser.add_argument("--calls", type=int, default=200, help="measured calls per operation (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured calls first (default 20)")
    parser.add_argument("--prefix", default="hrportal_scale", help="database name prefix (default hrportal_scale)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild every database even when the size fits")
    parser.add_argument("--no-batch", action="store_true", help="skip the accrual and the report")
    parser.add_argument(
        "--gc",
        choices=["freeze", "default"],
        default="freeze",
        help="freeze the loaded heap as gunicorn's post_worker_init does (hrportal/warm.py), or not (default freeze)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args)))
        return 0

    sizes = sorted(args.sizes)
    print(f"sizes {sizes}; {args.calls} calls after {args.warmup} warm-up per operation; gc: {args.gc}; Django's")
    print(
        "test client, one process per size (no HTTP server), sizes in turns; PostgreSQL databases "
        + ", ".join(f"{args.prefix}_{n}" for n in sizes)
    )
    for size in sizes:
        print(f"  {size:>6} employees: {build(args.prefix, size, args.rebuild)}", flush=True)
    ops = interleave(args.prefix, sizes, args)
    names = list(ops[sizes[0]])
    print()
    print("| operation | " + " | ".join(f"{n} p50 / p95 ms, SQL" for n in sizes) + f" | p95 {sizes[-1]}/{sizes[0]} |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for name in names:
        cells = [f"{ops[n][name]['p50']:.1f} / {ops[n][name]['p95']:.1f}, {ops[n][name]['sql']}" for n in sizes]
        ratio = ops[sizes[-1]][name]["p95"] / ops[sizes[0]][name]["p95"]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f}× |")
    same_sql = all(len({ops[n][name]["sql"] for n in sizes}) == 1 for name in names)
    worst = max(ops[sizes[-1]][name]["p95"] / ops[sizes[0]][name]["p95"] for name in names)
    print(f"\nworst p95 ratio {worst:.2f} (limit 1.5); same SQL count at every size: {same_sql}")
    if args.no_batch:
        return 0
    print("\n| batch job | " + " | ".join(str(n) for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    accrual = {n: child(args.prefix, n, "accrual", args) for n in sizes}
    report = {n: child(args.prefix, n, "report", args) for n in sizes}
    floor = {n: child(args.prefix, n, "floor", args) for n in sizes}
    rows = [
        ("accrual, one month: entries", lambda n: f"{accrual[n]['entries']}"),
        ("accrual: seconds", lambda n: f"{accrual[n]['seconds']:.2f}"),
        ("floor, bulk_create of the same rows: seconds", lambda n: f"{accrual[n]['floor']:.2f}"),
        ("as many rows to one account: seconds", lambda n: f"{accrual[n]['floor_one_account']:.2f}"),
        ("accrual / floor", lambda n: f"{accrual[n]['seconds'] / accrual[n]['floor']:.2f}×"),
        ("leave-balances report: rows", lambda n: f"{report[n]['rows']}"),
        ("report: seconds", lambda n: f"{report[n]['seconds']:.1f}"),
        ("report: peak RSS MB", lambda n: f"{report[n]['rss']:.0f}"),
        ("floor process (Django set up, one row): peak RSS MB", lambda n: f"{floor[n]['rss']:.0f}"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(n) for n in sizes) + " |")
    if len(sizes) >= 2:
        big, mid = sizes[-1], sizes[-2]
        print(f"\naccrual / floor at {big}: {accrual[big]['seconds'] / accrual[big]['floor']:.2f} (limit 3)")
        print(f"report peak RSS {big} / {mid}: {report[big]['rss'] / report[mid]['rss']:.2f} (limit 1.25)")
    return 0


# --- the children -----------------------------------------------------------------------------------------


def run_child(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    if mode == "ops":
        if args.gc == "freeze":
            from hrportal.warm import freeze_after_load

            freeze_after_load()
        return measure_operations(args.warmup)
    if mode == "accrual":
        return measure_accrual()
    if mode == "report":
        return measure_report()
    if mode == "cleanup":  # after bench/scale_load.py
        _delete_filed(0)
        return {}
    from staff.models import Employee

    Employee.objects.first()
    return {"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def statements_of(call: Callable[[], Any]) -> tuple[int, Any]:
    from django.db import connection

    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = call()
    return len(statements), result


def measure_operations(warmup: int) -> dict[str, Any]:
    operations, employee = build_operations()
    return _serve_rounds(operations, employee, warmup)


def build_operations() -> tuple[list[tuple[str, int | None, Callable[[], Any]]], Any]:
    """The operations (name, expected status, call) and the employee whose filings the bench deletes."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from hrportal.web.context import nav_for
    from requests_app.models import Request
    from schedule.models import Campaign
    from staff import access
    from staff.models import Department, Employee
    from staff.services import api_token_issue

    users = {name: access.principal_users().get(username=name) for name in ("employee", "hr")}
    top = Department.objects.get(parent__isnull=True).head
    users["top"] = access.principal_users().get(pk=top.user_id)
    # A head of a department with none below (a team's head, as most heads are), the first in the tree's order.
    head = Department.objects.filter(head__isnull=False, children__isnull=True).order_by("path").first().head
    users["head"] = access.principal_users().get(pk=head.user_id)
    sessions, tokens = {}, {}
    for name, user in users.items():
        sessions[name] = Client()
        sessions[name].force_login(user)
        tokens[name] = Client(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)[1]}")
    employee = Employee.objects.get(user=users["employee"])
    # The same request at every size: the employee's latest approved leave (seed_requests files it).
    leave = Request.objects.filter(employee=employee, kind="leave", status="approved").order_by("-id")
    detail = leave.values_list("pk", flat=True).first()
    month = timezone.localdate().strftime("%Y-%m")
    start = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    end = (timezone.localdate() + dt.timedelta(days=409)).isoformat()
    quote = {"leave_type": "annual", "start_date": start, "end_date": end}
    certificate = {"kind": "certificate", "certificate_type": "employment", "copies": 1, "comment": "bench"}
    top_user = users["top"]
    year = Campaign.objects.order_by("-year").values_list("year", flat=True).first()  # seed_schedule's next year

    def badge() -> Any:
        access.forget(top_user)
        access.remember_principal(top_user)
        return nav_for(top_user).approvals_count

    json_post = "application/json"
    operations: list[tuple[str, int | None, Callable[[], Any]]] = [
        ("employee: dashboard GET /", 200, lambda: sessions["employee"].get("/")),
        ("top head: approvals GET /approvals/", 200, lambda: sessions["top"].get("/approvals/")),
        ("a team's head: dashboard GET /", 200, lambda: sessions["head"].get("/")),
        # HR decides the HR step of every request of the company: the inbox's head on the dashboard, the whole page.
        ("HR: dashboard GET /", 200, lambda: sessions["hr"].get("/")),
        ("HR: approvals GET /approvals/", 200, lambda: sessions["hr"].get("/approvals/")),
        ("top head: nav badge (nav_for)", None, badge),
        ("top head: team calendar, a month", 200, lambda: sessions["top"].get(f"/team/calendar/?month={month}")),
        (
            "top head: the team's requests GET /requests/?scope=team",
            200,
            lambda: sessions["top"].get("/requests/?scope=team&status=approved"),
        ),
        ("HR admin: employees ?q=Иванов", 200, lambda: sessions["hr"].get("/admin/staff/employee/?q=Иванов")),
        # A filter that fills the page at every size (a department's subtree holds 15 people at 300, a full
        # page of 50 at 30,000: the comparison would be of the rendering of 15 rows against 50).
        ("HR admin: employees ?active=yes", 200, lambda: sessions["hr"].get("/admin/staff/employee/?active=yes")),
        ("employee: request page with history", 200, lambda: sessions["employee"].get(f"/requests/{detail}/")),
        ("API GET /api/v1/leave/balance/", 200, lambda: tokens["employee"].get("/api/v1/leave/balance/")),
        (
            "API POST /api/v1/leave/quote/",
            200,
            lambda: tokens["employee"].post("/api/v1/leave/quote/", quote, content_type=json_post),
        ),
        (
            "API POST /api/v1/requests/ (certificate)",
            201,
            lambda: tokens["employee"].post("/api/v1/requests/", certificate, content_type=json_post),
        ),
        (
            "API GET /api/v1/requests/?status=approved, page 50",
            200,
            lambda: tokens["hr"].get("/api/v1/requests/?status=approved&limit=20&offset=980"),
        ),
        ("HR: schedule progress GET /schedule/<year>/hr/", 200, lambda: sessions["hr"].get(f"/schedule/{year}/hr/")),
        ("HR: document register GET /documents/", 200, lambda: sessions["hr"].get("/documents/")),
    ]
    return operations, employee


def _serve_rounds(operations: list[tuple[str, int | None, Callable[[], Any]]], employee: Any, warmup: int) -> Any:
    from requests_app.models import Request

    first_new = (Request.objects.order_by("-id").values_list("pk", flat=True).first() or 0) + 1
    try:
        sql = {}
        for name, expected, call in operations:
            sql[name], response = statements_of(call)
            if expected is not None and response.status_code != expected:
                raise SystemExit(f"{name}: {response.status_code} {response.content[:500]!r}")
            for _ in range(warmup):
                call()
        # Rounds on the parent's word, so that the sizes take turns on the shared machine (see `interleave`).
        print(json.dumps(sql), flush=True)
        for line in sys.stdin:
            calls = int(line)
            if calls == 0:
                break
            times: dict[str, list[float]] = {}
            for name, _, call in operations:
                times[name] = []
                for _ in range(calls):
                    started = time.perf_counter()
                    call()
                    times[name].append((time.perf_counter() - started) * 1000)
            print(json.dumps(times), flush=True)
    finally:
        _delete_filed(first_new, employee)
    return {}


def _delete_filed(first_id: int, employee: Any = None) -> None:
    """The bench's certificates (comment "bench", filed from `first_id` on, by `employee` or anyone) go, with
    their history and mail, so that every run starts from the same data."""
    from django.contrib.contenttypes.models import ContentType

    from bench._stack import purge_queues
    from notifications.models import OutboxContent, OutboxMessage
    from requests_app.models import Request
    from requests_app.services import tally_recount

    filed = Request.objects.filter(pk__gte=first_id, comment="bench")
    if employee is not None:
        filed = filed.filter(employee=employee)
    ids = [str(pk) for pk in filed.values_list("pk", flat=True)]
    contents = OutboxContent.objects.filter(content_type=ContentType.objects.get_for_model(Request), object_id__in=ids)
    OutboxMessage.objects.filter(content__in=contents).delete()
    contents.delete()
    filed.delete()
    tally_recount()  # the tallies counted them when they were filed
    purge_queues()


ACCRUAL_ROUNDS = 3  # the run and its floors alternate; the medians are compared (the machine is shared)


def measure_accrual() -> dict[str, Any]:
    """The month after the last one posted, taken back and posted again by `accrue`, beside two floors: the very
    rows it wrote, written again by a bare `bulk_create` (each to its own account, as the run writes them), and as
    many rows written to one account (the floor of the first measurements, which spares the per-account index
    pages)."""
    from django.utils import timezone

    from leave import services
    from leave.calc.dates import add_months
    from leave.models import LeaveAccount, LeaveEntry
    from leave.services.accrual import ENTRY_INSERT_CHUNK

    today = timezone.localdate()
    month = LeaveEntry.objects.filter(
        kind="accrual", effective_date__gt=add_months(today, -1), effective_date__lte=today
    )
    account = LeaveAccount.objects.order_by("pk").first()
    runs, floors, one_account, entries = [], [], [], 0
    for _ in range(ACCRUAL_ROUNDS):
        _bench_delete(month, rewind_accounts=True)
        started = time.perf_counter()
        services.accrue(up_to=today)
        runs.append(time.perf_counter() - started)
        written = list(month.order_by("pk"))
        entries = len(written)
        _bench_delete(month)
        for row in written:
            row.pk = None
        started = time.perf_counter()
        LeaveEntry.objects.bulk_create(written, batch_size=ENTRY_INSERT_CHUNK)
        floors.append(time.perf_counter() - started)
        floor_rows = [
            LeaveEntry(
                account=account,
                kind="accrual",
                days="2.33",
                effective_date=today,
                idempotency_key=f"bench-floor:{i}",
                period_start=today,
                period_end=today,
                comment="month 100 of service",
            )
            for i in range(entries)
        ]
        started = time.perf_counter()
        LeaveEntry.objects.bulk_create(floor_rows, batch_size=ENTRY_INSERT_CHUNK)
        one_account.append(time.perf_counter() - started)
        _bench_delete(LeaveEntry.objects.filter(idempotency_key__startswith="bench-floor:"))
    return {
        "entries": entries,
        "seconds": statistics.median(runs),
        "floor": statistics.median(floors),
        "floor_one_account": statistics.median(one_account),
    }


def _bench_delete(entries: Any, *, rewind_accounts: bool = False) -> None:
    """The ledger is append-only (a trigger refuses DELETE); the bench takes back the month it posted with the
    triggers off for its own transaction (the bench runs as the database superuser). With `rewind_accounts`, the
    accounts' accrual totals go back with the entries (each was its account's last month posted)."""
    from django.db import connection, transaction

    from leave.models import LeaveAccount

    with transaction.atomic():
        taken = {}
        if rewind_accounts:
            rows = entries.values_list("account_id", "idempotency_key", "days")
            taken = {account_id: (key, days) for account_id, key, days in rows}
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        entries.delete()
        if rewind_accounts:
            accounts = list(LeaveAccount.objects.filter(pk__in=list(taken)))
            for account in accounts:
                key, days = taken[account.pk]
                account.accrued_months = int(key.rsplit(":", 1)[1]) - 1
                account.accrued_days -= days
            LeaveAccount.objects.bulk_update(accounts, ["accrued_months", "accrued_days"], batch_size=2000)


def measure_report() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reports import services
    from reports.models import ReportJob

    services.enqueue_export = lambda job_id: None  # the task's body runs below, in this process
    today = timezone.localdate()
    hr = get_user_model().objects.get(username="hr")
    ReportJob.objects.filter(requester=hr, kind="leave_balances").delete()
    job, _ = services.report_request(user=hr, kind="leave_balances", date_from=today, date_to=today)
    started = time.perf_counter()
    services.report_run(job_id=job.pk, task_id="bench")
    seconds = time.perf_counter() - started
    job = ReportJob.objects.get(pk=job.pk)
    if job.status != "done":
        raise SystemExit(f"report {job.status}: {job.error}")
    rows = job.row_count
    job.file.delete(save=False)
    job.delete()
    return {"seconds": seconds, "rows": rows, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    sys.exit(main())
