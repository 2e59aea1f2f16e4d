"""A private RabbitMQ node: its own node name, AMQP and distribution ports, mnesia and log directories and an
empty plugin list, started from Debian's `rabbitmq-server` script in the foreground as a subprocess. `stop()` is
a graceful SIGTERM (durable queues and persistent messages are kept on disk, as on a real broker restart),
`start()` boots the same node again. The machine's RabbitMQ is never touched."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tests.harness.util import file_tail, free_port, keep_logs, terminate_group, wait_until


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
        self.dir = Path(tempfile.mkdtemp(prefix="harness-rabbitmq-"))
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
        if not keep_logs():
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RabbitMQServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
