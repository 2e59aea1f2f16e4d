"""PostgreSQL restarts while the API is under load — on a throwaway cluster (initdb on a free port), never the
machine's server.

The cluster is migrated and seeded (`seed_demo`), then gunicorn (the project's gunicorn.conf.py, 2 workers) and a
Celery worker run against it, with a private Redis and an SMTP server. Six client threads file certificate
requests, read them back and read `/api/v1/me/` with tokens, while the database is restarted twice:
`pg_ctl restart -m fast`, then `pg_ctl stop -m fast` held until ten requests have failed, then `pg_ctl start`.

- Requests fail cleanly: every request gets an HTTP answer (no connection reset, no hang); a 5xx only for a
  request that overlapped an outage; after the database is back, not one 5xx (CONN_HEALTH_CHECKS replaces the
  dead persistent connections; no stale connection leaks out as a 500).
- No partial rows: every 201 has its request row, its `created` history row, its certificate details and its
  outbox row; no request exists without them (the request's transaction is all or nothing). A request whose
  commit went through but whose answer failed is complete too, and is counted against the failed POSTs.
- Nothing is restarted: the same gunicorn workers and the same Celery worker serve before and after, and every
  outbox row — notifications of requests filed around the outages included — is sent, each exactly once.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.faults.marks import FAULTS_NO_DB
from tests.harness.beat import Sweeper
from tests.harness.broker import celery_broker
from tests.harness.celery_worker import CeleryWorker
from tests.harness.gunicorn_server import Gunicorn
from tests.harness.postgres import PostgresCluster
from tests.harness.redis_server import RedisServer
from tests.harness.smtp import SMTPServer
from tests.harness.util import ROOT, wait_until

pytestmark = FAULTS_NO_DB

THREADS = 6
USERS = ("employee", "outsider", "manager", "hr")
PASSWORD = "demo12345"  # seed_demo's default
CLIENT_TIMEOUT = 20.0


@dataclass
class Call:
    method: str
    path: str
    started: float
    ended: float = 0.0
    status: int | None = None
    error: str = ""
    request_id: int | None = None


@dataclass
class Load:
    port: int
    tokens: dict[str, str]
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def call(self, conn: http.client.HTTPConnection, method: str, path: str, token: str, body: Any = None) -> Call:
        record = Call(method=method, path=path, started=time.monotonic())
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
            record.status = response.status
            if method == "POST" and response.status == 201:
                record.request_id = int(json.loads(data)["id"])
        except Exception as exc:  # a connection error or a timeout: the server did not answer
            record.error = f"{exc.__class__.__name__}: {exc}"
            conn.close()
        record.ended = time.monotonic()
        with self.lock:
            self.calls.append(record)
        return record

    def run(self, number: int) -> None:
        user = USERS[number % len(USERS)]
        token = self.tokens[user]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
        n = 0
        while not self.stop.is_set():
            n += 1
            created = self.call(
                conn,
                "POST",
                "/api/v1/requests/",
                token,
                {"kind": "certificate", "certificate_type": "employment", "copies": 1, "comment": f"{user} {n}"},
            )
            if created.request_id is not None:
                self.call(conn, "GET", f"/api/v1/requests/{created.request_id}/", token)
            self.call(conn, "GET", "/api/v1/me/", token)
        conn.close()

    def snapshot(self) -> list[Call]:
        with self.lock:
            return list(self.calls)

    def count(self, predicate: Any) -> int:
        return sum(1 for c in self.snapshot() if predicate(c))


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def obtain_token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        body = json.dumps({"username": username, "password": PASSWORD})
        conn.request("POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        assert response.status == 200, data
        return str(json.loads(data)["token"])
    finally:
        conn.close()


def rows(pg: PostgresCluster, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with pg.connect("hrportal") as conn:
        return list(conn.execute(sql, params).fetchall())


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_", "CELERY_BROKER_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "hrportal.settings",
            "HRPORTAL_VAR_DIR": str(tmp_path / "var"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECRET_KEY": "faults-postgres-restart-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_CONN_MAX_AGE": "60",  # production's persistent connections: they must heal by themselves
            "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling: the same processes must serve after the outage
            "GUNICORN_TIMEOUT": "60",
            "MAIL_RETRY_BACKOFF_MAX": "1",
            "EMAIL_TIMEOUT": "5",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def test_postgres_restart_under_api_load(stack_env: dict[str, str]) -> None:
    with PostgresCluster() as pg, RedisServer() as redis, SMTPServer() as smtp, celery_broker(redis.url()):
        with pg.connect() as conn:
            conn.execute("CREATE DATABASE hrportal")
        env = {
            **stack_env,
            **smtp.env(),
            "DATABASE_URL": pg.url("hrportal"),
            "CELERY_BROKER_URL": redis.url(),
        }
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--employees", "30", "--no-accrual")
        [(baseline,)] = rows(pg, "SELECT coalesce(max(id), 0) FROM requests_app_request")

        with Gunicorn(env=env) as web, CeleryWorker(env=env) as worker:
            web_pids = sorted(web.worker_pids())
            assert len(web_pids) == 2, web.log_tail()
            worker_pid = worker.pid
            load = Load(port=web.port, tokens={user: obtain_token(web.port, user) for user in USERS})
            threads = [threading.Thread(target=load.run, args=(n,), daemon=True) for n in range(THREADS)]
            for thread in threads:
                thread.start()
            outages: list[tuple[float, float]] = []
            try:

                def created_since(moment: float) -> int:
                    return load.count(lambda c: c.request_id is not None and c.started > moment)

                wait_until(lambda: created_since(0) >= 20, timeout=60, message=web.log_tail)

                # 1. A quick restart.
                down = time.monotonic()
                pg.restart("fast")
                outages.append((down, time.monotonic()))
                wait_until(lambda: created_since(outages[-1][1]) >= 20, timeout=60, message=web.log_tail)

                # 2. A longer outage: down until ten requests have failed on it, then back.
                down = time.monotonic()
                pg.stop("fast")
                wait_until(
                    lambda: load.count(lambda c: c.started > down and c.status is not None and c.status >= 500) >= 10,
                    timeout=60,
                    message=web.log_tail,
                )
                assert web.get("/readyz", timeout=10)[0] == 503  # readiness tells the truth meanwhile
                pg.start()
                outages.append((down, time.monotonic()))
                wait_until(lambda: created_since(outages[-1][1]) >= 30, timeout=60, message=web.log_tail)
            finally:
                load.stop.set()
                for thread in threads:
                    thread.join(CLIENT_TIMEOUT + 5)

            assert web.get("/readyz", timeout=10)[0] == 200
            calls = load.snapshot()

            # Requests failed cleanly: always an HTTP answer; 5xx only for requests that overlapped an outage.
            assert [c for c in calls if c.error] == []
            assert {c.status for c in calls} <= {200, 201, 500, 502, 503}, {c.status for c in calls}
            failed = [c for c in calls if c.status is not None and c.status >= 500]
            assert failed, "no request ever met the outage: the scenario tested nothing"

            def overlaps_outage(call: Call) -> bool:
                return any(call.started <= up and call.ended >= down for down, up in outages)

            assert [c for c in failed if not overlaps_outage(c)] == []
            after = [c for c in calls if c.started > outages[-1][1]]
            assert len(after) >= 30 and all(c.status in (200, 201) for c in after)

            # No partial rows.
            created = {c.request_id for c in calls if c.request_id is not None}
            failed_posts = sum(1 for c in failed if c.method == "POST")
            complete = {
                pk
                for (pk,) in rows(
                    pg,
                    """
                    SELECT r.id FROM requests_app_request r
                    WHERE r.id > %s
                      AND EXISTS (SELECT 1 FROM requests_app_requestevent e WHERE e.request_id = r.id
                                  AND e.action = 'created')
                      AND EXISTS (SELECT 1 FROM requests_app_certificatedetails d WHERE d.request_id = r.id)
                      AND EXISTS (SELECT 1 FROM notifications_outboxmessage m
                                  WHERE m.event = 'request_created'
                                    AND m.object_key = 'requests_app.request:' || r.id)
                    """,
                    baseline,
                )
            }
            every = {pk for (pk,) in rows(pg, "SELECT id FROM requests_app_request WHERE id > %s", baseline)}
            assert every == complete, f"requests without their history, details or mail: {sorted(every - complete)}"
            assert created <= every
            assert len(every - created) <= failed_posts  # committed, but the answer failed: complete all the same

            # Nothing was restarted, and the worker sends every notification once.
            assert sorted(web.worker_pids()) == web_pids
            assert worker.running and worker.pid == worker_pid and worker.starts == 1
            with Sweeper(period=2.0, queued_older_than=1.0):
                wait_until(
                    lambda: (
                        rows(pg, "SELECT count(*) FROM notifications_outboxmessage WHERE status <> 'sent'") == [(0,)]
                    ),
                    timeout=120,
                    interval=0.5,
                    message=worker.log_tail,
                )
            worker.stop()
            outbox = {pk for (pk,) in rows(pg, "SELECT id FROM notifications_outboxmessage")}
            assert smtp.count_by_outbox_id() == dict.fromkeys(outbox, 1)
