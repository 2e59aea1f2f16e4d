"""A production server refuses to start with the public development key (issue 23)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"} | env
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_debug_off_without_a_secret_key_refuses_to_start() -> None:
    result = _check(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="hr.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


def test_debug_off_with_a_secret_key_starts() -> None:
    result = _check(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="hr.example.com", DJANGO_SECRET_KEY="s" * 60)
    assert result.returncode == 0, result.stderr
