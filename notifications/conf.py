"""The outbox's knobs, read from `settings.HRPORTAL` (env-driven) with defaults derived from the mail settings.

Time limits of the send task follow `EMAIL_TIMEOUT`: an SMTP transaction is about five round trips
(connect, EHLO, MAIL, RCPT, DATA), each bounded by the socket timeout, so a send that takes longer than five
timeouts is stuck, and one past six has been killed by the pool. The sweeper reclaims a `sending` row only
after that hard limit, so it never takes a row from a sender that is still alive.
"""

from __future__ import annotations

from django.conf import settings

from hrportal.knobs import knob

# Seconds between the pool's hard kill and our reclaim: the pool checks its timers about once a second.
RECLAIM_GRACE_SECONDS = 5


def email_timeout() -> int:
    return int(getattr(settings, "EMAIL_TIMEOUT", None) or 10)


def max_retries() -> int:
    return int(knob("MAIL_MAX_RETRIES", 5))


def retry_backoff() -> int:
    """Backoff factor in seconds: retry n waits up to factor × 2ⁿ (full jitter), capped at the maximum."""
    return int(knob("MAIL_RETRY_BACKOFF", 30))


def retry_backoff_max() -> int:
    # Must stay below the broker's visibility timeout, or a scheduled retry is delivered twice.
    return int(knob("MAIL_RETRY_BACKOFF_MAX", 600))


def max_attempts() -> int:
    """Cap on claims of one row per round: a message that kills its worker cannot loop forever."""
    return int(knob("MAIL_MAX_ATTEMPTS", 10))


def send_soft_time_limit() -> int:
    return int(knob("MAIL_SEND_SOFT_TIME_LIMIT", 5 * email_timeout()))


def send_time_limit() -> int:
    return int(knob("MAIL_SEND_TIME_LIMIT", send_soft_time_limit() + email_timeout()))


def stuck_after_seconds() -> float:
    """A `sending` row claimed longer ago than this has no live sender: its task was killed."""
    return float(send_time_limit() + RECLAIM_GRACE_SECONDS)


def sweep_age_seconds() -> float:
    """A queued row overdue by this much lost its task (the broker was down at commit, or lost it)."""
    return float(knob("OUTBOX_SWEEP_AGE", 60))


def attach_max_bytes() -> int:
    return int(knob("REPORT_ATTACH_MAX_BYTES", 5 * 1024 * 1024))


def portal_base_url() -> str:
    return str(getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
