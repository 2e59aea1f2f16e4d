"""gunicorn.conf.py under a real gunicorn: one scrape answers for every worker, dead ones included.

Workers are replaced every few requests (`--max-requests`), so the requests are spread over several worker
processes, most of them gone by the time of the scrape: only multiprocess mode counts them all. The database
is an empty SQLite file, so the business metrics also show how a missing table is reported.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.harness import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
MAX_REQUESTS = 4


class Gunicorn:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.metrics_dir = tmp / "prometheus" / "web"
        self.log_path = tmp / "gunicorn.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_"))}
        self.env.update(
            {
                "DATABASE_URL": f"sqlite:///{tmp / 'empty.sqlite3'}",
                "HRPORTAL_VAR_DIR": str(tmp / "var"),
                "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
                "DJANGO_SETTINGS_MODULE": "hrportal.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.ok_requests = 0

    def start(self) -> None:
        gunicorn = Path(sys.prefix) / "bin" / "gunicorn"
        command = [
            str(gunicorn if gunicorn.exists() else ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--max-requests",
            str(MAX_REQUESTS),
            "--max-requests-jitter",
            "0",
            "hrportal.wsgi:application",
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._healthy, timeout=60, interval=0.2, message=self.log_tail)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def get(self, path: str) -> tuple[int, str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.status, response.read().decode()

    def _healthy(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self.log_tail()
        try:
            status, _ = self.get("/healthz")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False
        self.ok_requests += status == 200
        return status == 200

    def healthz(self) -> None:
        status, _ = self.get("/healthz")
        assert status == 200
        self.ok_requests += 1

    def worker_pids(self) -> set[int]:
        assert self.proc is not None
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                children.add(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Gunicorn]:
    server = Gunicorn(tmp_path)
    # What an earlier run left behind: stale, and removed when the master starts.
    server.metrics_dir.mkdir(parents=True)
    (server.metrics_dir / "counter_999999.db").write_bytes(b"stale")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for f in text_string_to_metric_families(text) for s in f.samples]


def test_gunicorn_workers_share_one_scrape(gunicorn: Gunicorn) -> None:
    assert not (gunicorn.metrics_dir / "counter_999999.db").exists()
    for _ in range(3 * MAX_REQUESTS):
        gunicorn.healthz()
    status, text = gunicorn.get("/metrics")
    assert status == 200
    samples = _samples(text)

    # Every request, whichever worker (most of them replaced since) served it.
    served = [
        v
        for name, labels, v in samples
        if name == "django_http_requests_latency_seconds_by_view_method_count"
        and labels == {"view": "healthz", "method": "GET"}
    ]
    assert served == [gunicorn.ok_requests]
    pids = {name.rsplit("_", 1)[-1][:-3] for name in os.listdir(gunicorn.metrics_dir) if name.startswith("histogram_")}
    assert len(pids) >= 3, pids  # 13+ requests, at most 4 per worker process

    # The database has no tables: each business source says so, and nothing else breaks.
    up = {labels["source"]: v for name, labels, v in samples if name == "hrportal_business_metrics_up"}
    assert up == {"mail": 0, "outbox": 0, "reports": 0, "requests": 0}

    # Memory of live workers only: a replaced worker's series is dropped by child_exit.
    def memory_pids() -> set[int]:
        _, current = gunicorn.get("/metrics")
        return {
            int(labels["pid"])
            for name, labels, _ in _samples(current)
            if name == "hrportal_process_resident_memory_bytes" and labels.get("role") == "web"
        }

    def only_live_workers() -> bool:
        found = memory_pids()
        return bool(found) and found <= gunicorn.worker_pids()

    wait_until(
        only_live_workers, timeout=20, interval=0.2, message=lambda: f"{memory_pids()} vs {gunicorn.worker_pids()}"
    )
