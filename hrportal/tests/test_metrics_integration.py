"""Issue 9, acceptance 1 (and the scrape half of 3): `/metrics` after real traffic.

API calls through the test client (requests created, approved, rejected, cancelled; a report ordered), the
mail they cause sent by a real Celery worker (prefork, 2 pool processes) to a real SMTP server (aiosmtpd) —
one delivery refused once (451, retried), one refused for good (550, failed) — and the report exported by the
same worker. The worker runs in multiprocess mode with its own PROMETHEUS_MULTIPROC_DIR; the web (this test
process) merges that directory into its scrape (METRICS_MULTIPROC_DIRS). Then one scrape must show every
metric family of the issue with the expected labels and values, and every metric that the Grafana dashboard
and the alert rules query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import resolve
from django.utils import timezone

from hrportal import metrics
from hrportal.celery import app as celery_app
from hrportal.tests.test_metrics import Samples, parse, value
from hrportal.tests.test_metrics_dashboard import DASHBOARD, dashboard_exprs, metric_names, normalise, rule_exprs
from notifications.models import DeliveryAttempt, OutboxMessage
from reports.models import ReportJob
from requests_app.models import RequestEvent
from tests.harness.broker import private_broker
from tests.harness.celery_worker import CeleryWorker, worker_env
from tests.harness.marks import requires_postgres, requires_redis_broker
from tests.harness.smtp import SMTPServer
from tests.harness.util import wait_until

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    requires_postgres,
    requires_redis_broker,
]

FINAL = ("sent", "failed", "cancelled")


@pytest.fixture
def broker_url() -> Iterator[str]:
    with private_broker() as url:
        yield url


def scrape(client: Client) -> tuple[str, Samples]:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    return text, parse(text)


def outbox_settled() -> bool:
    return not OutboxMessage.objects.exclude(status__in=FINAL).exists()


def view_of(path: str) -> str:
    return resolve(path).view_name


def http_delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)


def test_scrape_after_real_traffic_shows_every_metric(
    client: Client, cast: Any, api: Any, broker_url: str, tmp_path: Path
) -> None:
    worker_dir = tmp_path / "prometheus" / "worker"
    with (
        SMTPServer() as smtp,
        CeleryWorker(
            env=worker_env(
                broker_url=broker_url, smtp=smtp, PROMETHEUS_MULTIPROC_DIR=worker_dir, METRICS_REAP_INTERVAL=0.5
            )
        ) as worker,
        override_settings(METRICS_MULTIPROC_DIRS=[str(tmp_path / "prometheus" / "*")]),
    ):
        # Tasks that earlier tests ran inside this process (`.apply()`) counted into this process's own
        # registry, which the scrape includes: start from zero so only the worker's counts are seen.
        from hrportal import metrics as hr_metrics
        from hrportal import task_metrics

        for family in (
            task_metrics.STARTED,
            task_metrics.SUCCEEDED,
            task_metrics.FAILED,
            task_metrics.RETRIED,
            task_metrics.DURATION,
            hr_metrics.RESIDENT_MEMORY,
            hr_metrics.PEAK_RESIDENT_MEMORY,
        ):
            family.clear()
        _, before = scrape(client)
        # HR decides certificates; a second HR member hears of each decision (`certificate_decided`).
        from django.contrib.auth.models import Group

        from conftest import make_employee
        from staff.models import HR_GROUP

        colleague = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
        colleague.user.groups.add(Group.objects.get(name=HR_GROUP))
        employee, hr = api(cast.employee), api(cast.hr)
        settle = {"timeout": 60, "interval": 0.1, "message": worker.log_tail}

        # A: created (its mail refused once with 451, then sent), approved.
        smtp.handler.refuse_next(1)
        a = employee.post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "income", "copies": 1})
        assert a.status_code == 201, a.json()
        wait_until(lambda: smtp.handler.refused == 1 and outbox_settled(), **settle)
        assert hr.post(f"/api/v1/requests/{a.json()['id']}/approve/").status_code == 200
        wait_until(outbox_settled, **settle)

        # B: created (its mail refused for good with 550), rejected.
        smtp.handler.reject_next(1)
        b = employee.post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "salary", "copies": 2})
        assert b.status_code == 201, b.json()
        wait_until(lambda: smtp.handler.refused == 2 and outbox_settled(), **settle)
        assert hr.post(f"/api/v1/requests/{b.json()['id']}/reject/", {"comment": "нет"}).status_code == 200
        wait_until(outbox_settled, **settle)

        # C: created, cancelled by the employee.
        c = employee.post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "employment", "copies": 1})
        assert c.status_code == 201, c.json()
        wait_until(outbox_settled, **settle)
        assert employee.post(f"/api/v1/requests/{c.json()['id']}/cancel/").status_code == 200
        wait_until(outbox_settled, **settle)

        # A report of the requests, exported by the worker and mailed to HR.
        today = timezone.localdate()
        ordered = hr.post(
            "/api/v1/reports/",
            {
                "kind": "requests",
                "date_from": (today - dt.timedelta(days=1)).isoformat(),
                "date_to": (today + dt.timedelta(days=1)).isoformat(),
            },
        )
        assert ordered.status_code == 202, ordered.json()
        job_id = ordered.json()["id"]
        wait_until(lambda: ReportJob.objects.get(pk=job_id).status in ("done", "failed"), **settle)
        job = ReportJob.objects.get(pk=job_id)
        assert job.status == "done", job.error
        wait_until(lambda: OutboxMessage.objects.filter(event="report_ready").exists() and outbox_settled(), **settle)

        # The canary through the deep readiness probe, and a task run that fails (arguments it does not take).
        assert client.get("/readyz", {"deep": "1", "timeout": "20"}).status_code == 200
        # Its failure is awaited through the failed-task counter below (the scrape), not the result backend.
        celery_app.send_task("hrportal.ping", args=[1], queue="default")

        attempts = DeliveryAttempt.objects.count()
        cancelled_mail = OutboxMessage.objects.filter(event="request_cancelled").count()
        assert cancelled_mail >= 1

        # What every process counted is written before a task's postrun returns; wait for the last one.
        # Deltas against `before`: earlier tests in this process may have run tasks in process (`.apply()`),
        # and the scrape includes this process's own registry.
        def scraped() -> Samples | None:
            _, samples = scrape(client)
            done = http_delta(before, samples, "hrportal_celery_task_failed_total", task="hrportal.ping") == 1
            sends = http_delta(
                before, samples, "hrportal_celery_task_duration_seconds_count", task="notifications.send_message"
            )
            return samples if done and sends == attempts else None

        after = wait_until(scraped, **settle)
        text, _ = scrape(client)

        # --- HTTP (django-prometheus, this process): exactly the calls above, by view and status ---------------
        requests_view = view_of("/api/v1/requests/")
        responses = "django_http_responses_total_by_status_view_method_total"
        assert http_delta(before, after, responses, status="201", view=requests_view, method="POST") == 3
        for action in ("approve", "reject", "cancel"):
            view = view_of(f"/api/v1/requests/{a.json()['id']}/{action}/")
            assert http_delta(before, after, responses, status="200", view=view, method="POST") == 1, action
        assert http_delta(before, after, responses, status="202", view=view_of("/api/v1/reports/"), method="POST") == 1
        latency = "django_http_requests_latency_seconds_by_view_method_count"
        assert http_delta(before, after, latency, view=requests_view, method="POST") == 3
        assert http_delta(before, after, "django_http_requests_total_by_method_total", method="POST") == 7
        # Database metrics of both the web and the worker (the worker's go through its files).
        assert (value(after, "django_db_execute_total", alias="default", vendor="postgresql") or 0) > 0

        # --- tasks (the worker's pool processes, merged from its directory) -----------------------------------
        def task(name: str, task_name: str) -> float | None:
            metric = f"hrportal_celery_task_{name}"
            if value(after, metric, task=task_name) is None:
                return None
            return http_delta(before, after, metric, task=task_name)

        send = "notifications.send_message"
        assert task("started_total", send) == attempts
        assert task("retried_total", send) == 1
        # The 550 is a permanent error recorded on the row: the task itself returns.
        assert task("succeeded_total", send) == attempts - 1
        assert task("failed_total", send) in (None, 0)
        assert task("duration_seconds_count", send) == attempts
        assert (task("duration_seconds_sum", send) or 0) > 0
        assert task("started_total", "notifications.dispatch") == task("succeeded_total", "notifications.dispatch")
        # One per event mailed: the three filings, the two decisions and the cancellation, the report, and HR's
        # `certificate_decided` for the two certificates decided (A, B).
        assert task("started_total", "notifications.dispatch") == 9
        assert task("started_total", "reports.export") == task("succeeded_total", "reports.export") == 1
        assert task("started_total", "hrportal.ping") == 2
        assert task("succeeded_total", "hrportal.ping") == 1
        assert task("failed_total", "hrportal.ping") == 1

        # --- worker memory: the main process and the pool processes that ran something ------------------------
        memory = {
            labels: v
            for (name, labels), v in after.items()
            # Only the worker's processes (they carry a pid); this test process may hold its own series
            # from tasks earlier tests ran in process.
            if name == "hrportal_process_resident_memory_bytes"
            and ("role", "celery") in labels
            and "pid" in dict(labels)
        }
        pids = {dict(labels)["pid"] for labels in memory}
        assert str(worker.pid) in pids and len(pids) >= 2, memory
        assert all(v > 20 * 2**20 for v in memory.values()), memory

        # --- business metrics, counted from the database --------------------------------------------------------
        def mail(event: str, outcome: str) -> float | None:
            return value(after, "hrportal_mail_attempts_total", event=event, outcome=outcome)

        # Each filing mails both HR members (certificates are HR's): A's two sent (one after a retry), B's one sent
        # and one refused for good, C's two sent.
        assert (mail("request_created", "sent"), mail("request_created", "retry")) == (5, 1)
        assert mail("request_created", "failed") == 1
        assert mail("request_approved", "sent") == mail("request_rejected", "sent") == 1
        assert mail("request_cancelled", "sent") == cancelled_mail
        assert mail("report_ready", "sent") == 1
        assert mail("report_ready", "failed") == mail("report_failed", "sent") == 0
        assert mail("certificate_decided", "sent") == 2  # HR told of A's approval and B's rejection
        sent = 5 + 1 + 1 + cancelled_mail + 1 + 2
        assert value(after, "hrportal_outbox_messages", status="sent") == sent
        assert value(after, "hrportal_outbox_messages", status="failed") == 1
        assert value(after, "hrportal_outbox_messages", status="queued") == 0
        assert value(after, "hrportal_outbox_oldest_age_seconds", status="queued") == 0
        assert len(smtp.messages) == sent

        assert value(after, "hrportal_report_jobs", kind="requests", status="done") == 1
        assert value(after, "hrportal_report_jobs", kind="requests", status="failed") == 0
        assert value(after, "hrportal_report_duration_seconds_count", kind="requests") == 1
        run_time = (job.finished_at - job.started_at).total_seconds()
        assert value(after, "hrportal_report_duration_seconds_sum", kind="requests") == pytest.approx(run_time)
        assert value(after, "hrportal_report_rows_sum", kind="requests") == job.row_count
        assert job.row_count >= 3  # the three requests above

        for action, n in {"created": 3, "approved": 1, "rejected": 1, "cancelled": 1}.items():
            assert value(after, "hrportal_request_events_total", kind="certificate", action=action) == n, action
            assert RequestEvent.objects.filter(action=action).count() == n

        for source in metrics.SOURCES:
            assert value(after, "hrportal_business_metrics_up", source=source) == 1

        # --- acceptance 3: every metric the dashboard and the alert rules query is in this scrape -------------
        scraped_names = {normalise(name) for name, _ in after}
        queried = {normalise(name) for expr in dashboard_exprs(DASHBOARD) + rule_exprs() for name in metric_names(expr)}
        assert queried and not queried - scraped_names, sorted(queried - scraped_names)
        assert "# TYPE hrportal_celery_task_duration_seconds histogram" in text

        # --- a pool process killed (as the OOM killer does): its memory series goes, its counts stay ---------
        victim = worker.kill_child()
        assert str(victim) in pids, (victim, pids)  # every pool process recorded its memory when it started

        def victim_gone() -> Samples | None:
            _, samples = scrape(client)
            live = {
                dict(labels).get("pid")
                for (name, labels) in samples
                if name == "hrportal_process_resident_memory_bytes" and ("role", "celery") in labels
            }
            return samples if str(victim) not in live else None

        later = wait_until(victim_gone, timeout=30, interval=0.2, message=worker.log_tail)
        assert value(later, "hrportal_celery_task_started_total", task=send) == attempts
