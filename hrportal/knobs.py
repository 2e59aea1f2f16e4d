"""hrportal's numeric tuning knobs: `settings.HRPORTAL`, else the environment, else the caller's default.

settings.py fills `HRPORTAL` from environment variables of the same names; the fallback covers knobs it does
not list (REPORT_CHUNK_SIZE, REPORT_MAX_PERIOD_DAYS, …) and settings overridden without them.
"""

from __future__ import annotations

import os

from django.conf import settings


def raw_knob(name: str) -> str | None:
    """settings.HRPORTAL[name], else the environment variable of that name; None when neither sets it."""
    value = getattr(settings, "HRPORTAL", {}).get(name)
    if value in (None, ""):
        value = os.environ.get(name)
    return None if value in (None, "") else str(value)


def knob(name: str, default: float) -> float:
    """A numeric knob (`raw_knob`), else `default`."""
    value = raw_knob(name)
    return default if value is None else float(value)
