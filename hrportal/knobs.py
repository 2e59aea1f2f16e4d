"""hrportal's numeric tuning knobs: `settings.HRPORTAL`, else the environment, else the caller's default.

settings.py fills `HRPORTAL` from environment variables of the same names; the fallback covers knobs it does
not list (REPORT_CHUNK_SIZE, REPORT_MAX_PERIOD_DAYS, …) and settings overridden without them.
"""

from __future__ import annotations

import os

from django.conf import settings


def knob(name: str, default: float) -> float:
    """settings.HRPORTAL[name], else the environment variable of that name, else `default` (None or "": unset)."""
    value = getattr(settings, "HRPORTAL", {}).get(name)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else float(value)
