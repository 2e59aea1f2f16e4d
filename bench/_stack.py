"""What the bench scripts share: the environment they run Django in and a PostgreSQL database of their own.

Each benchmark owns a database on 127.0.0.1:5432 (user postgres, trust) that it drops and recreates, so a run
starts from the same state and never touches the caller's `DATABASE_URL`. Not a benchmark itself.

    from bench._stack import django_env, recreate_database   # Django in the bench's own process
    from bench._stack import bench_env, prepare              # Django in subprocesses (gunicorn, Celery)

bench/request_costs.py keeps its own copy of `prepare`: docs/benchmarks.md measures "before" by copying that
one file into an older checkout, which has no bench/_stack.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
QUEUES = ("default", "mail", "reports")


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def recreate_database(name: str) -> None:
    """DROP and CREATE `name` on the local PostgreSQL server."""
    # Formatted into SQL below: a plain identifier only.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        sys.exit(f"not a plain database name: {name!r}")
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def django_env(**overrides: str) -> None:
    """For a bench that runs Django in its own process: the project importable and production-like settings.

    The caller's environment wins except for `overrides`: a bench that must not use the caller's database or
    broker passes them here.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    defaults = {
        "HRPORTAL_VAR_DIR": "/tmp/hrportal-bench-var",
        "DJANGO_SETTINGS_MODULE": "hrportal.settings",
        "LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "0",  # no query log kept in memory
        "DJANGO_SECRET_KEY": "bench-only-not-secret-" + "b" * 40,
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    os.environ.update(overrides)


def bench_env(*, name: str, database: str, var_dir: str | Path, allowed_hosts: str, **extra: str) -> dict[str, str]:
    """The environment of a bench's subprocesses: production settings (DJANGO_DEBUG=0) on its own database.

    The caller's CELERY_*, EMAIL_* and PYTEST_* variables are dropped: the bench says where its tasks and mail go.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hrportal.settings",
            "DATABASE_URL": database_url(database),
            "HRPORTAL_VAR_DIR": str(var_dir),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; a proxy terminates TLS in production
            "DJANGO_SECRET_KEY": f"bench-{name}-" + "k" * 48,
            "DJANGO_ALLOWED_HOSTS": allowed_hosts,
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py <args>` in a subprocess; on failure the bench stops with the tail of its output."""
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: dict[str, str], database: str, *, employees: int) -> None:
    """Recreate `database`, migrate it, seed `seed_demo --employees N` and collect the static files."""
    recreate_database(database)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--employees", str(employees))
    manage(env, "collectstatic", "--noinput")


def purge_queues() -> None:
    """Empty the project's Celery queues on the configured broker (after django.setup()).

    tests.harness.broker.purge_queues does the same for the tests; bench/ does not import tests/ (it pulls in pytest).
    """
    from hrportal.celery import app

    # By name: control.purge() only empties the queues this process consumes (none).
    with app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)
