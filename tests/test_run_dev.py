"""`make run`'s processes (deploy/run-dev.sh) stop cleanly on Ctrl-C: all three, once each, in seconds.

The script is started the way a terminal runs it (its own session, so Ctrl-C is SIGINT to its process group),
on a throw-away SQLite database, kombu's filesystem broker in a temporary folder and a free port. Issue 22:
the old `trap 'kill 0'` re-entered itself, flooded the worker with "Warm shutdown" lines and crashed bash.

A terminal's shell starts a foreground job with SIGINT at its default action. Whatever runs pytest may not: a
runner started as a background job of a non-interactive shell (`cmd &`) has SIGINT ignored, children inherit
that, and bash cannot trap a signal ignored on entry, so the script would never see the Ctrl-C (the likely cause
of a CI run's 30 s timeout, reproduced with pytest started under `trap '' INT`). The child therefore puts SIGINT
back to its default before it starts bash, as the terminal would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.harness.util import child_env, free_port, wait_until

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "run-dev.sh"

pytestmark = pytest.mark.slow


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a loopback URL of our own
            return response.status == 200
    except OSError:
        return False


def _session_members(sid: int) -> list[int]:
    """The processes still alive in session `sid` (the script and every child it started)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            members.append(int(entry.name))
    return members


def _as_a_terminal_starts_it() -> None:
    """In the child before exec: SIGINT at its default action, as an interactive shell leaves it for a job."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_the_worker_beat_and_web_once_each(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **child_env(),
        "PY": sys.executable,
        "HRPORTAL_ADDR": f"127.0.0.1:{port}",
        "HRPORTAL_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "DJANGO_SETTINGS_MODULE": "hrportal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_a_terminal_starts_it,  # runs between fork and exec; this test starts no threads
        )
    try:
        wait_until(lambda: _healthy(f"http://127.0.0.1:{port}/healthz"), timeout=120, message=log.read_text)
        wait_until(lambda: " ready." in log.read_text(), timeout=120, message=log.read_text)
        assert len(_session_members(process.pid)) >= 4  # the script, the worker (and its pool), beat, web
        before = len(log.read_text().splitlines())

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        started = time.monotonic()
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the script did not stop within 30 s of Ctrl-C; its output:\n" + log.read_text())
        assert returncode == 0, log.read_text()
        stopped_in = time.monotonic() - started
        wait_until(lambda: not _session_members(process.pid), timeout=10, message="a child outlived the script")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _session_members(process.pid):
            os.kill(pid, signal.SIGKILL)

    after = log.read_text().splitlines()[before:]
    assert "Traceback" not in "\n".join(after), "\n".join(after)
    assert len(after) <= 20, "\n".join(after)
    for name in ("worker", "beat", "web"):
        assert after.count(f"hrportal: {name} stopped") == 1, "\n".join(after)
    print(f"stopped in {stopped_in:.1f} s:", *after, sep="\n")
