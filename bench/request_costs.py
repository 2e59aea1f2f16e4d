"""What one request of each kind in the load mix costs, in process: queries, wall time and CPU time.

    .venv/bin/python bench/request_costs.py [--repeat 50] [--employees 300] [--reuse]

The companion of bench/load.py: where load.py measures the whole stack under 20 users, this script serves one
user's requests through Django's test client (no HTTP server, no other load) and reports, per operation, the
number of SQL statements and the median wall and CPU time over `--repeat` runs. Needs PostgreSQL on
127.0.0.1:5432: database `hrportal_bench_costs` is recreated, migrated and seeded (`seed_demo --employees N`)
unless `--reuse` is given. Production-like settings: DJANGO_DEBUG=0, persistent connections.

Operations: `/healthz` without and with a session, the dashboard `/`, `GET /api/v1/leave/balance/`,
`POST /api/v1/leave/quote/`, `POST /api/v1/requests/` (a certificate), as the seeded login `employee` (`--user`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


# bench/_stack.prepare's twin, kept here on purpose: docs/benchmarks.md measures "before" by copying this one
# file into an older checkout, which has no bench/_stack.py.
def prepare(env: dict[str, str], database: str, employees: int) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    for args in (
        ["migrate", "--noinput"],
        ["seed_demo", "--employees", str(employees)],
        ["collectstatic", "--noinput"],
    ):
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `repeat` calls, after five unmeasured ones."""
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
    parser.add_argument("--repeat", type=int, default=50, help="measured calls per operation (default 50)")
    parser.add_argument("--employees", type=int, default=300, help="seed_demo --employees (default 300)")
    parser.add_argument("--database", default="hrportal_bench_costs", help="PostgreSQL database (recreated)")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is (no recreate, no seed)")
    parser.add_argument("--user", default="employee", help="the seeded login whose requests are served")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="hrportal-bench-costs-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hrportal.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
            "HRPORTAL_VAR_DIR": var,
            "PROMETHEUS_MULTIPROC_DIR": str(Path(var) / "prometheus"),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECRET_KEY": "bench-costs-" + "k" * 48,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    if not args.reuse:
        prepare(env, args.database, args.employees)
    else:
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True)
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from hrportal.celery import ensure_broker_folders
    from staff.services import api_token_issue

    # A filing enqueues its mail on the development broker (filesystem://, no worker reads it); settings make no
    # folder at import, so the bench makes them as `make run` does, or every filing's enqueue would fail and log.
    ensure_broker_folders()

    user = get_user_model().objects.get(username=args.user)
    token = api_token_issue(user=user)[1]
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    session = Client()
    session.force_login(user)
    anonymous = Client()
    quote = {"leave_type": "annual", "start_date": "2027-03-01", "end_date": "2027-03-10"}
    certificate = {"kind": "certificate", "certificate_type": "employment", "copies": 1, "comment": "costs"}
    operations: list[tuple[str, int, Callable[[], Any]]] = [
        ("GET /healthz, no session", 200, lambda: anonymous.get("/healthz")),
        ("GET /healthz, with a session", 200, lambda: session.get("/healthz")),
        ("dashboard GET /", 200, lambda: session.get("/")),
        ("balance GET /api/v1/leave/balance/", 200, lambda: api.get("/api/v1/leave/balance/")),
        (
            "quote POST /api/v1/leave/quote/",
            200,
            lambda: api.post("/api/v1/leave/quote/", quote, content_type="application/json"),
        ),
        (
            "create POST /api/v1/requests/",
            201,
            lambda: api.post("/api/v1/requests/", certificate, content_type="application/json"),
        ),
    ]
    print(f"one user (`{args.user}`), {args.repeat} calls each, medians; PostgreSQL database {args.database}")
    print()
    print("| operation | SQL statements | wall ms | CPU ms |")
    print("|---|---|---|---|")
    for name, expected, call in operations:
        statements: list[str] = []

        def count(
            execute: Any, sql: str, params: Any, many: bool, context: Any, statements: list[str] = statements
        ) -> Any:
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = call()
        if response.status_code != expected:
            sys.exit(f"{name}: {response.status_code} {response.content[:300]!r}")
        wall, cpu = measure(call, args.repeat)
        print(f"| {name} | {len(statements)} | {wall:.1f} | {cpu:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
