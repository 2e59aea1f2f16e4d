"""The Celery app, wired the usual way (cookiecutter-django's config/celery_app.py)."""

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrportal.settings")

app = Celery("hrportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids travel into the tasks a request enqueues (see hrportal/observability.py); task metrics come
# from the worker's signals (hrportal/task_metrics.py).
from hrportal import observability, task_metrics  # noqa: E402,F401

logger = logging.getLogger(__name__)


def ensure_broker_folders(**_: object) -> None:
    """kombu's `filesystem://` broker (development) creates none of its folders: whoever uses them first — a
    worker or beat starting, or `bootstrap_dev` before the web server — makes them. Nothing is made at import."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        folders = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(folders[key]).mkdir(parents=True, exist_ok=True)


def announce_beat_ready(sender: Any, **_: object) -> None:
    """Beat's counterpart of the worker's "ready." line, which celery itself logs only at DEBUG: the schedule is
    built (asking for it here makes sure) and beat starts ticking. A SIGTERM before this can leave beat running;
    `make run` kills it after its grace (deploy/run-dev.sh), and tests/test_run_dev.py waits for this line."""
    logger.info("beat: ready (%s)", type(sender.scheduler).__name__)


signals.celeryd_init.connect(ensure_broker_folders)
signals.beat_init.connect(ensure_broker_folders)
signals.beat_init.connect(announce_beat_ready)


@app.task(name="hrportal.ping", ignore_result=False, soft_time_limit=5, time_limit=10)
def ping() -> str:
    """A canary: answered by any worker that consumes the default queue."""
    # Logged with the request id of the readiness probe that sent it (hrportal/observability.py).
    logger.info("canary task answered")
    return "pong"
