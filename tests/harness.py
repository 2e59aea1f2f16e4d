"""Helpers for integration tests with real processes: an SMTP server, a Celery worker, a private Redis.

Celery's eager mode tests none of what matters here (RELIABILITY-NOTES.md), so integration tests run:

- `SMTPServer`: aiosmtpd's `Controller` on a free loopback port. Its handler records what it accepts and can
  refuse the next N deliveries with `451 4.3.0 try later` (or `550`), refuse at RCPT, or hang in DATA until
  released or until the client goes away (a killed worker).
- `CeleryWorker`: `.venv/bin/celery -A hrportal worker -Q default,mail,reports -c 2 ...` as a subprocess in its
  own process group, with the test database, the broker and the SMTP server in its environment;
  `start()`, `stop()` (warm shutdown), `kill()` (SIGKILL to the whole group), `kill_child()` (SIGKILL to one
  pool process: Celery's "worker lost"), `restart()`.
- `RedisServer`: a private `redis-server --port N --save '' --appendonly no` on a free port that can be
  stopped and started again (a broker outage). It refuses port 6379: the machine's Redis is never touched.
- `celery_broker(url)`: points the test process's Celery app at a broker, so what the code under test
  publishes reaches the worker; restores the previous broker on exit.
- `Gunicorn`: the project's gunicorn (its gunicorn.conf.py) on a free port, in its own process group.
- `login_client(person)`: a Django test client with a real session (the `login` fixtures return it).
- `wait_until(predicate, timeout)`: poll with a deadline instead of sleeping.

Integration tests need PostgreSQL (a SQLite test database lives in the test process's memory and the
worker cannot see it) and commit for real. Mark them with `INTEGRATION` (a list of marks):

    from tests.harness import INTEGRATION, CeleryWorker, SMTPServer, celery_broker, wait_until, worker_env

    pytestmark = INTEGRATION

    def test_it_sends(broker_url):
        with SMTPServer() as smtp, CeleryWorker(env=worker_env(broker_url=broker_url, smtp=smtp)) as worker:
            ...  # commit something that enqueues mail
            wait_until(lambda: len(smtp.messages) == 1, timeout=30, message=worker.log_tail)

The fixture `broker_url` (CELERY_BROKER_URL, its queues purged) is defined here too: import it into a test
module (or a conftest) to use it; `private_broker()` is a private Redis as the broker, for a test's own outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.header
import email.message
import email.policy
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from staff.models import Employee

ROOT = Path(__file__).resolve().parents[1]
QUEUES = ("default", "mail", "reports")
TRY_LATER = "451 4.3.0 try later"
NO_SUCH_USER = "550 5.1.1 no such user"
T = TypeVar("T")


# --- polling ----------------------------------------------------------------------------------------------


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 30.0,
    interval: float = 0.05,
    message: str | Callable[[], str] | None = None,
) -> T:
    """Call `predicate` until it returns something truthy and return that; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = message() if callable(message) else message
            raise AssertionError(f"condition not met within {timeout:g}s" + (f": {detail}" if detail else ""))
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- processes --------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    """This process's environment for a child process, without pytest's and coverage's own variables."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE_"))}


def venv_executable(name: str) -> str:
    """A console script of this virtualenv (`celery`, `gunicorn`), else the project's .venv, else PATH."""
    for candidate in (Path(sys.prefix) / "bin" / name, ROOT / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name) or name


def file_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def children_of(pid: int, *, include_zombies: bool = True) -> list[int]:
    """The pids whose parent is `pid` (from /proc); a zombie is a child that exited and was not reaped yet."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and (include_zombies or fields[0] != "Z"):
            children.append(int(stat.parent.name))
    return children


def terminate_group(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the process group of `proc` (started with start_new_session), SIGKILL after `timeout`."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    # Children that outlived the leader (the group id is the leader's pid).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --- environment checks -----------------------------------------------------------------------------------


def database_is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def env_broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def have_redis_server() -> bool:
    return shutil.which("redis-server") is not None


requires_postgres = pytest.mark.skipif(
    not database_is_postgres(),
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): a SQLite test database is invisible to a worker process",
)
requires_redis_broker = pytest.mark.skipif(
    not env_broker_url().startswith(("redis://", "rediss://")),
    reason="needs a Redis broker (CELERY_BROKER_URL=redis://…) for a real worker",
)
requires_redis_server = pytest.mark.skipif(
    not have_redis_server(), reason="needs the redis-server binary to run a private Redis"
)

# The marks every integration test carries (pytest.ini declares `broker` and `postgres`).
INTEGRATION = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    requires_postgres,
]


# --- SMTP -------------------------------------------------------------------------------------------------


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: email.message.EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        """The Subject as a mail client shows it. A subject too long for the header's first line is folded
        before its first encoded word ("Subject:", a line break, " =?utf-8?b?...?="), and the default policy
        keeps that folding space as text (" Заявка № 1126 ..."); so unfold (RFC 5322 2.2.3), drop the space
        after the colon, then decode the encoded words (RFC 2047)."""
        raw = next((value for name, value in self.message.raw_items() if name.lower() == "subject"), "")
        unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(raw)).lstrip(" \t")
        return str(email.header.make_header(email.header.decode_header(unfolded)))

    @property
    def outbox_id(self) -> int | None:
        value = self.message.get("X-HRPortal-Outbox-Id")
        return int(value) if value else None

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def attachment_names(self) -> list[str]:
        return [part.get_filename() or "" for part in self.message.iter_attachments()]


class SMTPHandler:
    """An aiosmtpd handler with a plan: the next deliveries are refused, rejected or held, then accepted.

    Plan steps: "refuse" (451 at DATA), "refuse_rcpt" (451 at RCPT), "reject" (550 at DATA), "hang" (hold
    DATA until `release()` — then 451 — or until the client disconnects, which is counted in `lost`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.messages: list[ReceivedMessage] = []
        self.plan: deque[str] = deque()
        self.data_calls = 0
        self.refused = 0
        self.holds = 0  # DATA commands held so far
        self.holding = 0  # DATA commands held right now
        self.lost = 0  # held DATA commands whose client went away

    # Test-facing controls.
    def refuse_next(self, count: int) -> None:
        with self._lock:
            self.plan.extend(["refuse"] * count)

    def refuse_rcpt_next(self, count: int) -> None:
        with self._lock:
            self.plan.extend(["refuse_rcpt"] * count)

    def reject_next(self, count: int) -> None:
        with self._lock:
            self.plan.extend(["reject"] * count)

    def hang_next(self, count: int = 1) -> None:
        with self._lock:
            self._release.clear()
            self.plan.extend(["hang"] * count)

    def release(self) -> None:
        self._release.set()

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.plan.clear()
            self.data_calls = self.refused = self.holds = self.lost = 0
        self._release.set()

    def _next(self, kinds: tuple[str, ...]) -> str:
        with self._lock:
            if self.plan and self.plan[0] in kinds:
                return self.plan.popleft()
            return "accept"

    # aiosmtpd hooks.
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self._next(("refuse_rcpt",)) == "refuse_rcpt":
            with self._lock:
                self.refused += 1
            return TRY_LATER
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.data_calls += 1
        step = self._next(("refuse", "reject", "hang"))
        if step == "refuse":
            with self._lock:
                self.refused += 1
            return TRY_LATER
        if step == "reject":
            with self._lock:
                self.refused += 1
            return NO_SUCH_USER
        if step == "hang":
            with self._lock:
                self.holds += 1
                self.holding += 1
            try:
                while not self._release.is_set():
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:  # the client went away (aiosmtpd cancels the handler)
                with self._lock:
                    self.lost += 1
                raise
            finally:
                with self._lock:
                    self.holding -= 1
            return TRY_LATER
        data = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append(
                ReceivedMessage(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    data=data,
                    message=parsed,  # type: ignore[arg-type]
                )
            )
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd on a free loopback port. `with SMTPServer() as smtp: smtp.port, smtp.handler, smtp.messages`."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.host = host
        self.port = port or free_port()
        self.handler = SMTPHandler()
        self.controller = Controller(self.handler, hostname=host, port=self.port, ready_timeout=10)

    @property
    def messages(self) -> list[ReceivedMessage]:
        return list(self.handler.messages)

    def count_by_outbox_id(self) -> dict[int | None, int]:
        counts: dict[int | None, int] = {}
        for received in self.messages:
            counts[received.outbox_id] = counts.get(received.outbox_id, 0) + 1
        return counts

    def env(self) -> dict[str, str]:
        """Settings for a process that should send here (CONTRACT.md's EMAIL_* variables)."""
        return {
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release()
        with contextlib.suppress(Exception):
            self.controller.stop()

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- Redis ------------------------------------------------------------------------------------------------


class RedisServer:
    """A private, memory-only redis-server on a free loopback port; stop() and start() simulate an outage."""

    def __init__(self, port: int | None = None, binary: str = "redis-server") -> None:
        self.port = port or free_port()
        if self.port == 6379:
            raise ValueError("RedisServer never runs on 6379: that is the machine's Redis")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="harness-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 15) -> RedisServer:
        if self.running:
            return self
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.dir), "--daemonize", "no", "--protected-mode", "yes"]
        with open(self.dir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.ping, timeout=timeout, message=lambda: self._log_tail())
        return self

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.proc = None
        wait_until(lambda: not self.ping(), timeout=timeout)

    def _log_tail(self) -> str:
        path = self.dir / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- Celery -----------------------------------------------------------------------------------------------


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
    `worker_env(broker_url=..., smtp=smtp, MAIL_MAX_RETRIES=3, EMAIL_TIMEOUT=2)`.
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
        if not os.environ.get("HARNESS_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reset_producer_pools(app: Any) -> None:
    pool = app._pool
    if pool is not None:
        with contextlib.suppress(Exception):
            pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        producers = amqp._producer_pool
        if producers is not None:
            with contextlib.suppress(Exception):
                producers.force_close_all()
        amqp._producer_pool = None
    # kombu keeps one producer pool per broker URL; the one just closed must not be handed out again.
    import kombu.pools

    kombu.pools.reset()


@contextlib.contextmanager
def celery_broker(url: str, transport_options: dict[str, Any] | None = None) -> Iterator[Any]:
    """Make `hrportal.celery.app` in this process publish to `url`; restore the previous broker after.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so that is switched too.
    """
    from hrportal.celery import app

    env_keys = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")
    saved_env = {key: os.environ.get(key) for key in env_keys}
    saved_conf = {
        key: app.conf.get(key)
        for key in ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    }
    _reset_producer_pools(app)
    for key in env_keys:
        os.environ.pop(key, None)
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_read_url = None
    app.conf.broker_write_url = None
    app.conf.broker_transport_options = dict(transport_options or {"visibility_timeout": 3600})
    try:
        yield app
    finally:
        _reset_producer_pools(app)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        for key, value in saved_conf.items():
            app.conf[key] = value


@contextlib.contextmanager
def private_broker() -> Iterator[str]:
    """A private Redis as this process's broker for one test alone: nothing left in the shared broker by other
    tests (a message restored from an earlier test's killed worker, say) can add to the counts it asserts."""
    with RedisServer() as server, celery_broker(server.url()):
        yield server.url()


def wait_for_consumer(queue: str = "default", timeout: float = 60) -> None:
    """Wait until a worker answers a canary task on `queue` (a worker that logged "Connected" after a broker
    restart may still not consume; RELIABILITY-NOTES.md). Needs the result backend (django-db by default)."""
    from hrportal.celery import ping

    def answered() -> bool:
        try:
            return ping.apply_async(queue=queue, expires=30).get(timeout=2, interval=0.1) == "pong"
        except Exception:
            return False

    wait_until(answered, timeout=timeout, interval=0.2, message=f"no worker consumes the {queue!r} queue")


def purge_queues(url: str, queues: tuple[str, ...] = QUEUES) -> None:
    """Empty the named queues on a broker (leftovers of an earlier test must not reach this test's worker)."""
    from hrportal.celery import app

    with app.connection_for_write(url) as conn:
        channel = conn.default_channel
        for queue in queues:
            with contextlib.suppress(Exception):
                channel.queue_purge(queue)


def run_together(calls: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """Run the calls in threads released at once by a barrier (a race on purpose); each call's result, or the
    exception it raised, in the calls' order. Each thread closes its own database connections at the end."""
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as exc:  # recorded for the caller to assert on
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a concurrent call did not finish"
    return results


# --- gunicorn ---------------------------------------------------------------------------------------------


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
        if not os.environ.get("HARNESS_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Gunicorn:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- page tests -------------------------------------------------------------------------------------------


def login_client(person: Employee | User) -> Client:
    """A Django test client with a real session of `person` (an employee, or a bare user)."""
    from django.test import Client

    from staff.models import Employee

    client = Client()
    client.force_login(person.user if isinstance(person, Employee) else person)
    return client


# --- fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture
def broker_url() -> Iterator[str]:
    """CELERY_BROKER_URL (Redis), its queues purged; the test process publishes there."""
    url = env_broker_url()
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip("needs a Redis broker (CELERY_BROKER_URL=redis://…) for a real worker")
    purge_queues(url)
    with celery_broker(url):
        yield url
