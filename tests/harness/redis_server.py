"""A private Redis: `redis-server --port N --save '' --appendonly no` on a free loopback port that can be stopped
and started again (a broker outage). It refuses port 6379: the machine's Redis is never touched."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.harness.util import file_tail, free_port, wait_until


def have_redis_server() -> bool:
    return shutil.which("redis-server") is not None


class RedisServer:
    """A private, memory-only redis-server on a free loopback port; stop() and start() simulate an outage."""

    def __init__(self, port: int | None = None, binary: str = "redis-server") -> None:
        self.port = port or free_port()
        if self.port == 6379:
            raise ValueError("RedisServer never runs on 6379: that is the machine's Redis")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="harness-redis-"))
        self.log_path = self.dir / "redis.log"
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
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.ping, timeout=timeout, message=self.log_tail)
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

    def log_tail(self) -> str:
        return file_tail(self.log_path, 2000)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
