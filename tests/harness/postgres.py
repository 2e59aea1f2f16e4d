"""A throwaway PostgreSQL cluster made with `initdb` in a temporary directory, on a free loopback port, run as
the `postgres` OS user when the tests run as root (initdb and postgres refuse root). `stop()`, `start()` and
`restart()` go through `pg_ctl -m fast`. The machine's PostgreSQL is never touched."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.harness.util import file_tail, free_port


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
        self.dir = Path(tempfile.mkdtemp(prefix="harness-pg-"))
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
