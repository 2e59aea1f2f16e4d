"""The Celery app, wired the usual way (cookiecutter-django's config/celery_app.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrportal.settings")

app = Celery("hrportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request ids travel into the tasks a request enqueues (see hrportal/observability.py).
from hrportal import observability  # noqa: E402,F401


@app.task(name="hrportal.ping", ignore_result=False, soft_time_limit=5, time_limit=10)
def ping() -> str:
    """A canary: answered by any worker that consumes the default queue."""
    return "pong"
