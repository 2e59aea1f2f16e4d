"""The Celery app, wired the usual way (cookiecutter-django's config/celery_app.py)."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrportal.settings")

app = Celery("hrportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids travel into the tasks a request enqueues (see hrportal/observability.py); task metrics come
# from the worker's signals (hrportal/task_metrics.py).
from hrportal import observability, task_metrics  # noqa: E402,F401

logger = logging.getLogger(__name__)


@app.task(name="hrportal.ping", ignore_result=False, soft_time_limit=5, time_limit=10)
def ping() -> str:
    """A canary: answered by any worker that consumes the default queue."""
    # Logged with the request id of the readiness probe that sent it (hrportal/observability.py).
    logger.info("canary task answered")
    return "pong"
