"""A web worker's start, after the application is loaded (gunicorn's `post_worker_init`, gunicorn.conf.py).

Import what the first request would (the URLconf and through it every view), then move every object alive
now — Django, the apps, their modules and caches, hundreds of thousands of them — into the garbage
collector's permanent generation (`gc.freeze`). A full collection otherwise walks all of them again, and it
ran often enough to dominate the p95 of every page (issue 20; measured in docs/benchmarks.md). Objects made
by requests are still collected as before.
"""

from __future__ import annotations

import gc


def freeze_after_load() -> int:
    """Import the URLconf, collect once, freeze what is left; the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not on the first request
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
