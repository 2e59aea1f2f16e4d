"""A real Celery worker: `celery -A hrportal worker -Q default,mail,reports -c 2 ...` as a subprocess in its own
process group, with the test database, the broker and the SMTP server in its environment; `start()`, `stop()`
(warm shutdown), `kill()` (SIGKILL to the whole group), `kill_child()` (SIGKILL to one pool process: Celery's
"worker lost"), `restart()`.

The worker shares the test database, so the test must be on PostgreSQL (a SQLite test database lives in the
test process's memory) and commit for real: mark it with `tests.harness.marks.INTEGRATION`.

    with SMTPServer() as smtp, CeleryWorker(env=worker_env(broker_url=broker_url, smtp=smtp)) as worker:
        ...  # commit something that enqueues mail
        wait_until(lambda: len(smtp.messages) == 1, timeout=30, message=worker.log_tail)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from tests.harness.broker import QUEUES
from tests.harness.smtp import SMTPServer
from tests.harness.util import ROOT, child_env, children_of, keep_logs, venv_executable, wait_until


def database_url_for_worker() -> str:
    """DATABASE_URL of the database this test process uses (the *test* database)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("a worker process can only share a PostgreSQL test database")
    sd = connection.settings_dict
    auth = ""
    if sd.get("USER"):
        auth = quote(str(sd["USER"]), safe="")
        if sd.get("PASSWORD"):
            auth += ":" + quote(str(sd["PASSWORD"]), safe="")
        auth += "@"
    host = sd.get("HOST") or "127.0.0.1"
    port = sd.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(str(sd['NAME']), safe='')}"


def worker_env(*, broker_url: str, smtp: SMTPServer | None = None, **overrides: str | int | float) -> dict[str, str]:
    """The environment of a worker that shares this test's database and broker and mails `smtp`.

    Retries are short (MAIL_RETRY_BACKOFF_MAX=1); pass overrides as keyword arguments, e.g.
    `worker_env(broker_url=..., smtp=smtp, MAIL_RETRY_BACKOFF_MAX=1, EMAIL_TIMEOUT=2)`.
    """
    env = child_env()
    env.pop("CELERY_BROKER_READ_URL", None)
    env.pop("CELERY_BROKER_WRITE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "hrportal.settings"),
            "DATABASE_URL": database_url_for_worker(),
            "DATABASE_CONN_MAX_AGE": "0",  # no idle connections left to block the test database's teardown
            "CELERY_BROKER_URL": broker_url,
            "MAIL_RETRY_BACKOFF_MAX": "1",
            "EMAIL_TIMEOUT": "5",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    if smtp is not None:
        env.update(smtp.env())
    env.update({key: str(value) for key, value in overrides.items()})
    return env


class CeleryWorker:
    """A real `celery worker` subprocess (its own process group), logging to a file."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        queues: str = ",".join(QUEUES),
        concurrency: int = 2,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.queues = queues
        self.concurrency = concurrency
        self.extra_args = extra_args
        self.name = f"harness-{uuid.uuid4().hex[:8]}@%h"
        self.dir = Path(tempfile.mkdtemp(prefix="harness-worker-"))
        self.log_path = self.dir / "worker.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self) -> list[str]:
        return [
            venv_executable("celery"),
            "-A",
            "hrportal",
            "worker",
            "-Q",
            self.queues,
            "-c",
            str(self.concurrency),
            "-n",
            self.name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            *self.extra_args,
        ]

    def start(self, timeout: float = 60) -> CeleryWorker:
        if self.running:
            return self
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"the worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            return " ready." in self.log_since_start()

        wait_until(ready, timeout=timeout, interval=0.1, message=self.log_tail)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_since_start(self) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as fh:
            fh.seek(self._log_offset)
            return fh.read().decode(errors="replace")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def pool_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.running and self.proc is not None else []

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM: finish running tasks), then SIGKILL if it takes longer than `timeout`."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._reap_group()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crashed host would."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self._reap_group()
        self.proc = None

    def kill_child(self, pid: int | None = None) -> int:
        """SIGKILL one pool process (Celery sees "worker lost"); returns its pid."""
        target = pid or wait_until(self.pool_pids, timeout=10)[0]
        os.kill(target, signal.SIGKILL)
        return target

    def _reap_group(self) -> None:
        # Pool processes orphaned by a killed parent must not outlive the test.
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def restart(self, timeout: float = 60) -> CeleryWorker:
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """Stop the worker and remove its log (failure messages carry `log_tail()`; HARNESS_KEEP_LOGS=1 keeps it)."""
        self.stop()
        if not keep_logs():
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
