"""The project's gunicorn (its gunicorn.conf.py) on a free port, in its own process group."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tests.harness.util import (
    ROOT,
    children_of,
    file_tail,
    free_port,
    keep_logs,
    terminate_group,
    venv_executable,
    wait_until,
)


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, str]:
    """GET http://127.0.0.1:`port``path`: the status and the body (a 5xx is an answer here, not an exception)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        conn.close()


class Gunicorn:
    """`gunicorn hrportal.wsgi` with the project's gunicorn.conf.py on a free port, in its own process group.

    `env` is the whole environment of the server (database, settings); the bind address, the number of workers
    and a private PROMETHEUS_MULTIPROC_DIR (`metrics_dir`, which gunicorn.conf.py empties at start) are added
    here. `args` go on gunicorn's command line, e.g. `("--max-requests", "4")`. `served` counts the 200 answers
    this object has read, by path (the readiness polls at start included).
    """

    def __init__(self, *, env: dict[str, str], workers: int = 2, args: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="harness-gunicorn-"))
        self.log_path = self.dir / "gunicorn.log"
        self.metrics_dir = self.dir / "prometheus"
        self.args = tuple(args)
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.served: Counter[str] = Counter()

    def command(self) -> list[str]:
        config = str(ROOT / "gunicorn.conf.py")
        return [venv_executable("gunicorn"), "--config", config, *self.args, "hrportal.wsgi:application"]

    def start(self, timeout: float = 60) -> Gunicorn:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def up() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                return self.get("/healthz")[0] == 200
            except (OSError, http.client.HTTPException):
                return False

        wait_until(up, timeout=timeout, interval=0.2, message=self.log_tail)
        return self

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, str]:
        status, body = http_get(self.port, path, timeout)
        if status == 200:
            self.served[path] += 1
        return status, body

    def log_tail(self) -> str:
        return file_tail(self.log_path, 6000)

    def worker_pids(self) -> set[int]:
        """The master's live workers (a worker that exited but is not reaped yet is not one)."""
        if self.proc is None or self.proc.poll() is not None:
            return set()
        return set(children_of(self.proc.pid, include_zombies=False))

    def stop(self) -> None:
        if self.proc is not None:
            terminate_group(self.proc, 30)
            self.proc = None

    def close(self) -> None:
        self.stop()
        if not keep_logs():
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Gunicorn:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()
