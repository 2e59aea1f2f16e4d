"""gunicorn.conf.py under a real gunicorn: one scrape answers for every worker, dead ones included.

Workers are replaced every few requests (`--max-requests`), so the requests are spread over several worker
processes, most of them gone by the time of the scrape: only multiprocess mode counts them all. The database
is an empty SQLite file, so the business metrics also show how a missing table is reported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.harness.gunicorn_server import Gunicorn
from tests.harness.util import child_env, wait_until

MAX_REQUESTS = 4


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Gunicorn]:
    env = child_env()
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            "HRPORTAL_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "hrportal.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    server = Gunicorn(env=env, args=("--max-requests", str(MAX_REQUESTS), "--max-requests-jitter", "0"))
    # What an earlier run left behind: stale, and removed when the master starts.
    server.metrics_dir.mkdir(parents=True)
    (server.metrics_dir / "counter_999999.db").write_bytes(b"stale")
    with server:
        yield server


def _samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for f in text_string_to_metric_families(text) for s in f.samples]


def test_gunicorn_workers_share_one_scrape(gunicorn: Gunicorn) -> None:
    assert not (gunicorn.metrics_dir / "counter_999999.db").exists()
    for _request in range(3 * MAX_REQUESTS):
        assert gunicorn.get("/healthz")[0] == 200
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
    assert served == [gunicorn.served["/healthz"]]  # the readiness polls at start included
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
