"""Small helpers every harness module and many tests share: polling, ports, child processes, races, logins."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from staff.models import Employee

ROOT = Path(__file__).resolve().parents[2]
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


def keep_logs() -> bool:
    """HARNESS_KEEP_LOGS=1 keeps the services' temporary directories (failure messages carry their log tails)."""
    return bool(os.environ.get("HARNESS_KEEP_LOGS"))


# --- the test process -------------------------------------------------------------------------------------


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


def login_client(person: Employee | User) -> Client:
    """A Django test client with a real session of `person` (an employee, or a bare user)."""
    from django.test import Client

    from staff.models import Employee

    client = Client()
    client.force_login(person.user if isinstance(person, Employee) else person)
    return client
