"""Values of the report pipeline derived from `settings.HRPORTAL` (where every default lives).

A running export renews its job's heartbeat with every progress update, at least every
heartbeat_every_seconds(). A `running` job without a heartbeat for REPORT_HEARTBEAT_STALE_SECONDS has no live
run (a worker killed outright, a host gone): a later delivery, the sweeper or the requester asking again takes
it over. A claim with no heartbeat at all (made before heartbeats existed) is judged by its age instead: older
than the hard time limit plus a grace, the pool has killed that run by then.
"""

from __future__ import annotations

from django.conf import settings

# Seconds between the pool's hard kill and our takeover: the pool checks its timers about once a second.
TAKEOVER_GRACE_SECONDS = 30


def stale_after_seconds() -> float:
    """A `running` claim older than this belongs to a run that is dead (killed by the hard limit or lost)."""
    return float(settings.HRPORTAL["REPORT_TIME_LIMIT"] + TAKEOVER_GRACE_SECONDS)


def heartbeat_every_seconds() -> float:
    """The longest a run goes without renewing its heartbeat while rows flow: a quarter of
    REPORT_HEARTBEAT_STALE_SECONDS, so a live run misses three renewals (a slow chunk fetch, a pause of the
    host) before anyone may take its job over. Read at call time, like the threshold itself."""
    return settings.HRPORTAL["REPORT_HEARTBEAT_STALE_SECONDS"] / 4


def chunk_size() -> int:
    """Rows per fetch of the exporters' server-side cursor."""
    return int(settings.HRPORTAL["REPORT_CHUNK_SIZE"])
