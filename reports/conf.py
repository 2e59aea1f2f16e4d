"""Values of the report pipeline derived from `settings.HRPORTAL` (where every default lives).

A `running` job whose claim is older than the hard time limit plus a grace has no live run: the pool has killed
it by then. That is the rule by which a later delivery (or the sweeper) may take the job over.
"""

from __future__ import annotations

from django.conf import settings

# Seconds between the pool's hard kill and our takeover: the pool checks its timers about once a second.
TAKEOVER_GRACE_SECONDS = 30


def stale_after_seconds() -> float:
    """A `running` claim older than this belongs to a run that is dead (killed by the hard limit or lost)."""
    return float(settings.HRPORTAL["REPORT_TIME_LIMIT"] + TAKEOVER_GRACE_SECONDS)


def chunk_size() -> int:
    """Rows per fetch of the exporters' server-side cursor."""
    return int(settings.HRPORTAL["REPORT_CHUNK_SIZE"])
