"""What the fault scenarios start, break and restart, beside tests/harness.py's Redis, worker, SMTP server and
gunicorn.

- `RabbitMQServer`: a private RabbitMQ node (its own node name, AMQP and distribution ports, mnesia and log
  directories, an empty plugin list) started from Debian's `rabbitmq-server` script in the foreground as a
  subprocess. `stop()` is a graceful SIGTERM (durable queues and persistent messages are kept on disk, as on
  a real broker restart), `start()` boots the same node again. The machine's RabbitMQ is never touched.
- `PostgresCluster`: a throwaway cluster made with `initdb` in a temporary directory, on a free loopback
  port, run as the `postgres` OS user when the tests run as root (initdb and postgres refuse root). `stop()`,
  `start()` and `restart()` go through `pg_ctl -m fast`. The machine's PostgreSQL is never touched.
- `HangingSMTP`: a TCP front for an `SMTPServer` whose next N connections are accepted and then never
  answered (no greeting, nothing read back): a mail server that hangs. Other connections are forwarded.
- `Sweeper`: Celery beat's two sweeping jobs (`notifications.sweep_outbox`, `reports.sweep_stuck`) published
  every `period` seconds, with short ages, from a thread of the test process.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from tests.harness import SMTPServer, file_tail, free_port, terminate_group, wait_until

logger = logging.getLogger(__name__)


# --- RabbitMQ ---------------------------------------------------------------------------------------------


def rabbitmq_server_script() -> str | None:
    """Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user with `su`, which drops the environment
    that makes a private node; the script it wraps takes the RABBITMQ_* variables as they are."""
    for candidate in (
        "/usr/lib/rabbitmq/bin/rabbitmq-server",
        *glob.glob("/usr/lib/rabbitmq/lib/*/sbin/rabbitmq-server"),
    ):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("rabbitmq-server")


def amqp_ready(url: str, timeout: float = 1.0) -> bool:
    """A full AMQP handshake: the port accepts before the broker has booted."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=0)
            return True
    except Exception:
        return False


class RabbitMQServer:
    """A private RabbitMQ node on free loopback ports; stop() and start() are a broker restart."""

    def __init__(self) -> None:
        script = rabbitmq_server_script()
        if script is None:
            raise RuntimeError("rabbitmq-server is not installed")
        self.script = script
        self.port = free_port()
        self.dist_port = free_port()
        while self.dist_port == self.port:
            self.dist_port = free_port()
        self.node = f"hrfaults{os.getpid()}x{uuid.uuid4().hex[:6]}@localhost"
        self.dir = Path(tempfile.mkdtemp(prefix="faults-rabbitmq-"))
        for sub in ("home", "mnesia", "log"):
            (self.dir / sub).mkdir()
        (self.dir / "rabbitmq-env.conf").write_text("")
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            # The test machine's disk may be nearly full; the node must not block publishers for it.
            "disk_free_limit.absolute = 1MB\n"
        )
        self.log_path = self.dir / "stdout.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            {
                "HOME": str(self.dir / "home"),  # its own Erlang cookie
                "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
                "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
                "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                "ERL_EPMD_ADDRESS": "127.0.0.1",
            }
        )
        return env

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self) -> str:
        return file_tail(self.log_path)

    def start(self, timeout: float = 90) -> RabbitMQServer:
        if self.running:
            return self
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.script],
                cwd=self.dir,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"rabbitmq-server exited with {self.proc.returncode}:\n{self.log_tail()}")
            return amqp_ready(self.url())

        wait_until(ready, timeout=timeout, interval=0.25, message=self.log_tail)
        return self

    def stop(self, timeout: float = 60) -> None:
        """A clean shutdown (SIGTERM): durable queues and persistent messages survive to the next start."""
        if self.proc is None:
            return
        terminate_group(self.proc, timeout)
        self.proc = None
        wait_until(lambda: not amqp_ready(self.url(), timeout=0.5), timeout=15)

    def close(self) -> None:
        self.stop()
        if not os.environ.get("HARNESS_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RabbitMQServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- PostgreSQL -------------------------------------------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The directory of initdb/pg_ctl/postgres (Debian keeps them out of PATH)."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), reverse=True)
    for directory in candidates:
        if all((directory / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb) on a free loopback port; never the machine's server."""

    def __init__(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError("initdb/pg_ctl/postgres not found")
        self.bin_dir = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.running = False

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stdout}\n{result.stderr}")
        return result

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def init(self) -> PostgresCluster:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def _options(self) -> list[str]:
        # -l: the server's output goes to a file. Without it a (re)started server would keep pg_ctl's stdout
        # open, and waiting for pg_ctl's output would wait for the server to exit.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        return ["-D", str(self.data), "-l", str(self.log_path), "-o", options, "-w", "-t", "60"]

    def start(self) -> None:
        self._run("pg_ctl", *self._options(), "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", *self._options(), "-m", mode, "restart")
        self.running = True

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)

    def log_tail(self) -> str:
        return file_tail(self.log_path)

    def close(self) -> None:
        if self.running:
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        self.init()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- SMTP that hangs --------------------------------------------------------------------------------------


class HangingSMTP:
    """A loopback port in front of `smtp`: the next `hang_next(n)` connections are accepted and never answered
    (no 220 greeting: the client waits until its own timeout); every other connection is spliced to `smtp`."""

    def __init__(self, smtp: SMTPServer) -> None:
        self.smtp = smtp
        self.port = free_port()
        self.plan: deque[str] = deque()
        self.connections = 0
        self.hung = 0
        self.hung_closed_by_client = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def env(self) -> dict[str, str]:
        return {**self.smtp.env(), "EMAIL_PORT": str(self.port)}

    def hang_next(self, count: int) -> None:
        with self._lock:
            self.plan.extend(["hang"] * count)

    def hang_all(self) -> None:
        self.hang_next(10_000)

    def heal(self) -> None:
        with self._lock:
            self.plan.clear()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                step = self.plan.popleft() if self.plan else "forward"
                if step == "hang":
                    self.hung += 1
            target = self._hang if step == "hang" else self._forward
            thread = threading.Thread(target=target, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _hang(self, client: socket.socket) -> None:
        client.settimeout(0.2)
        with client:
            while not self._stop.is_set():
                try:
                    if client.recv(4096) == b"":  # the client gave up and closed
                        with self._lock:
                            self.hung_closed_by_client += 1
                        return
                except TimeoutError:
                    continue
                except OSError:
                    with self._lock:
                        self.hung_closed_by_client += 1
                    return

    def _forward(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((self.smtp.host, self.smtp.port), timeout=10)
        except OSError:
            client.close()
            return

        def pipe(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)

        client.settimeout(None)
        upstream.settimeout(None)
        back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        back.start()
        pipe(client, upstream)
        back.join(30)
        client.close()
        upstream.close()

    def __enter__(self) -> HangingSMTP:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)
        for thread in self._threads:
            thread.join(1)


# --- beat ---------------------------------------------------------------------------------------------------


class Sweeper:
    """Celery beat's sweeping jobs with a short period, published from the test process."""

    def __init__(self, period: float = 2.0, queued_older_than: float = 1.0) -> None:
        self.period = period
        self.queued_older_than = queued_older_than
        self.ticks = 0
        self.failed_publishes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from notifications.tasks import sweep_outbox
        from reports.tasks import sweep_stuck

        while not self._stop.is_set():
            try:
                sweep_outbox.apply_async(kwargs={"queued_older_than": self.queued_older_than}, expires=30)
                sweep_stuck.apply_async(expires=30)
                self.ticks += 1
            except Exception:  # the broker may still be coming back: beat would try again next period too
                self.failed_publishes += 1
                logger.warning("sweeper: publish failed", exc_info=True)
            self._stop.wait(self.period)

    def __enter__(self) -> Sweeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(15)
