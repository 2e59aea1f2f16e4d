"""The knobs of the report pipeline, from `settings.HRPORTAL` with environment fallbacks and defaults.

Time limits: the export is soft-limited (the task fails the job with a readable message) and hard-limited
(the pool kills the process). The broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 2 h) must stay above
the hard limit, or Redis hands a long export to a second worker while the first still runs (see checks.py).

A `running` job whose claim is older than the hard limit plus a grace has no live run: the pool has killed
it by then. That is the rule by which a later delivery (or the sweeper) may take the job over.
"""

from __future__ import annotations

import os
import tempfile

from hrportal.knobs import knob, raw_knob

# Seconds between the pool's hard kill and our takeover: the pool checks its timers about once a second.
TAKEOVER_GRACE_SECONDS = 30


def soft_time_limit() -> int:
    return int(knob("REPORT_SOFT_TIME_LIMIT", 1800))


def time_limit() -> int:
    return int(knob("REPORT_TIME_LIMIT", 2000))


def stale_after_seconds() -> float:
    """A `running` claim older than this belongs to a run that is dead (killed by the hard limit or lost)."""
    return float(time_limit() + TAKEOVER_GRACE_SECONDS)


def max_attempts() -> int:
    """Cap on claims of one job: an export that kills its worker every time (OOM) cannot loop forever."""
    return int(knob("REPORT_MAX_ATTEMPTS", 3))


def progress_every() -> int:
    """Rows between two progress updates (each a short UPDATE in its own transaction)."""
    return max(int(knob("REPORT_PROGRESS_EVERY", 5000)), 1)


def chunk_size() -> int:
    """Rows per fetch of the server-side cursor."""
    return max(int(knob("REPORT_CHUNK_SIZE", 2000)), 1)


def attach_max_bytes() -> int:
    return int(knob("REPORT_ATTACH_MAX_BYTES", 5 * 1024 * 1024))


def retention_days() -> int:
    return int(knob("REPORT_RETENTION_DAYS", 30))


def queued_sweep_after_seconds() -> float:
    """A job still `queued` this long after it was requested lost its task (broker down at commit)."""
    return float(knob("REPORT_QUEUED_SWEEP_AFTER", 600))


def max_period_days() -> int:
    """The longest period a report may cover: a year and a bit (a leap year plus a month of slack)."""
    return int(knob("REPORT_MAX_PERIOD_DAYS", 366 + 31))


def temp_dir() -> str:
    """Where a run writes its file before storing it (REPORT_TEMP_DIR; default <system temp>/hrportal-reports)."""
    return raw_knob("REPORT_TEMP_DIR") or os.path.join(tempfile.gettempdir(), "hrportal-reports")
