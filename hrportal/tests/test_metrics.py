"""`/metrics`: who may scrape it, what it serves, and the business metrics counted from the database.

The real-worker scrape after real traffic (issue 9, acceptance 1) is in test_metrics_integration.py.

Past 400 lines: the scrape's access rules and every business metric, one test each.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from hrportal import metrics
from hrportal.celery import app, ping
from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.services import notify
from reports.models import ReportJob

ROOT = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Exposition text → {(sample name, sorted labels): value}."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def scrape(client: Client, **extra: str) -> Samples:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.content[:500]
    return parse(response.content.decode())


# --- who may scrape (acceptance 2) ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("allowed", "address", "status"),
    [
        (["127.0.0.1", "::1"], "127.0.0.1", 200),
        (["127.0.0.1", "::1"], "::1", 200),
        (["127.0.0.1", "::1"], "10.1.2.3", 403),
        (["127.0.0.1", "::1"], "127.0.0.2", 403),
        (["10.0.0.0/8"], "10.1.2.3", 200),
        (["10.0.0.0/8"], "192.168.1.10", 403),
        (["not-an-address", "127.0.0.1"], "127.0.0.1", 200),
        (["127.0.0.1"], "", 403),
    ],
)
def test_metrics_allowed_addresses_and_networks(client: Client, allowed: list[str], address: str, status: int) -> None:
    with override_settings(METRICS_ALLOWED_IPS=allowed, METRICS_BEARER_TOKEN=""):
        assert client.get("/metrics", REMOTE_ADDR=address).status_code == status


@pytest.mark.django_db
def test_metrics_refuses_a_forwarded_for_header_and_an_empty_token(client: Client) -> None:
    with override_settings(METRICS_ALLOWED_IPS=["127.0.0.1"], METRICS_BEARER_TOKEN=""):
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 403
        # No token configured: "Bearer " (empty) opens nothing.
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    with override_settings(METRICS_ALLOWED_IPS=[], METRICS_BEARER_TOKEN="s3cret"):
        assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # loopback not allowed here
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="s3cret").status_code == 403
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


@pytest.mark.django_db
def test_metrics_refused_response_reveals_no_metrics(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert b"django_http" not in response.content and b"hrportal_" not in response.content


# --- what is served ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_serves_http_process_and_business_metrics(client: Client) -> None:
    client.get("/healthz")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE_LATEST
    samples = parse(response.content.decode())
    names = {name for name, _ in samples}
    assert value(samples, "django_http_requests_latency_seconds_by_view_method_count", view="healthz", method="GET")
    assert "django_http_responses_total_by_status_view_method_total" in names
    for source in metrics.SOURCES:
        assert value(samples, "hrportal_business_metrics_up", source=source) == 1.0, source
    memory = value(samples, "hrportal_process_resident_memory_bytes", role="web", host=metrics.HOST)
    assert memory is not None and memory > 10 * 2**20
    peak = value(samples, "hrportal_process_peak_resident_memory_bytes", role="web", host=metrics.HOST)
    assert peak is not None and peak >= memory


@pytest.mark.django_db
def test_metrics_counts_each_request_once(client: Client) -> None:
    """Samples of the in-memory registry are not doubled by the merge."""
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    after = scrape(client)
    key = ("django_http_requests_latency_seconds_by_view_method_count", (("method", "GET"), ("view", "healthz")))
    assert after[key] - before.get(key, 0) == 3


# --- business metrics -------------------------------------------------------------------------------------


def _attempt(message: OutboxMessage, number: int, outcome: str) -> None:
    now = timezone.now()
    DeliveryAttempt.objects.create(message=message, number=number, started_at=now, finished_at=now, outcome=outcome)


@pytest.mark.django_db
def test_business_metrics_from_the_database(client: Client, cast, api) -> None:
    now = timezone.now()
    # Requests through the API (their history rows are written by the requests services).
    created = [
        api(cast.employee).post("/api/v1/requests/", {"kind": "certificate", "certificate_type": "income", "copies": 1})
        for _ in range(3)
    ]
    assert all(r.status_code == 201 for r in created), [r.json() for r in created]
    ids = [r.json()["id"] for r in created]
    assert api(cast.hr).post(f"/api/v1/requests/{ids[0]}/approve/").status_code == 200  # HR issues certificates
    assert api(cast.hr).post(f"/api/v1/requests/{ids[1]}/reject/", {"comment": "нет"}).status_code == 200
    assert api(cast.employee).post(f"/api/v1/requests/{ids[2]}/cancel/").status_code == 200

    # The outbox: the requests' mail is queued by the services (this test never commits, so nothing is sent);
    # a message about the report is queued through notify(), and attempts recorded as the sender does.
    with_report = ReportJob.objects.create(
        requester=cast.hr.user, kind="requests", params_key="a", status="done", row_count=1500, progress=100
    )
    ReportJob.objects.filter(pk=with_report.pk).update(
        started_at=now - dt.timedelta(seconds=40), finished_at=now - dt.timedelta(seconds=10)
    )
    quick = ReportJob.objects.create(
        requester=cast.hr.user, kind="requests", params_key="b", status="done", row_count=7, progress=100
    )
    ReportJob.objects.filter(pk=quick.pk).update(started_at=now - dt.timedelta(seconds=3), finished_at=now)
    ReportJob.objects.create(requester=cast.hr.user, kind="holiday_work", params_key="c", status="failed")
    ReportJob.objects.create(requester=cast.hr.user, kind="leave_balances", params_key="d", status="queued")

    [ready] = notify(event="report_ready", obj=with_report, recipients=[cast.hr])
    _attempt(ready, 1, "retry")
    _attempt(ready, 2, "sent")
    OutboxMessage.objects.filter(pk=ready.pk).update(status="sent")
    first_created = OutboxMessage.objects.filter(event="request_created").order_by("id").first()
    assert first_created is not None
    _attempt(first_created, 1, "failed")
    OutboxMessage.objects.filter(pk=first_created.pk).update(status="failed")
    OutboxMessage.objects.filter(event="request_approved").update(created_at=now - dt.timedelta(minutes=12))
    expected_queued = OutboxMessage.objects.filter(status="queued").count()

    samples = scrape(client)

    # Requests by kind and action.
    for action, n in {"created": 3, "approved": 1, "rejected": 1, "cancelled": 1, "approved_step": 0}.items():
        assert value(samples, "hrportal_request_events_total", kind="certificate", action=action) == n, action
    assert value(samples, "hrportal_request_events_total", kind="leave", action="created") == 0

    # Mail attempts by event and outcome (zeros for the known events too).
    assert value(samples, "hrportal_mail_attempts_total", event="report_ready", outcome="retry") == 1
    assert value(samples, "hrportal_mail_attempts_total", event="report_ready", outcome="sent") == 1
    assert value(samples, "hrportal_mail_attempts_total", event="report_ready", outcome="failed") == 0
    assert value(samples, "hrportal_mail_attempts_total", event="request_created", outcome="failed") == 1
    assert value(samples, "hrportal_mail_attempts_total", event="report_failed", outcome="sent") == 0

    # Outbox backlog and the oldest queued message (the approval's mail, made 12 minutes old above).
    assert value(samples, "hrportal_outbox_messages", status="sent") == 1
    assert value(samples, "hrportal_outbox_messages", status="failed") == 1
    assert value(samples, "hrportal_outbox_messages", status="queued") == expected_queued > 0
    assert value(samples, "hrportal_outbox_messages", status="cancelled") == 0
    age = value(samples, "hrportal_outbox_oldest_age_seconds", status="queued")
    assert age is not None and 12 * 60 <= age < 13 * 60
    assert value(samples, "hrportal_outbox_oldest_age_seconds", status="sending") == 0
    assert value(samples, "hrportal_mail_undelivered", cause="new") == expected_queued
    assert value(samples, "hrportal_mail_undelivered", cause="transient") == 0
    assert value(samples, "hrportal_mail_undelivered_oldest_age_seconds") == age
    assert value(samples, "hrportal_mail_undelivered_overdue") == 0

    # Report jobs by kind and status; duration and rows of the finished ones.
    assert value(samples, "hrportal_report_jobs", kind="requests", status="done") == 2
    assert value(samples, "hrportal_report_jobs", kind="holiday_work", status="failed") == 1
    assert value(samples, "hrportal_report_jobs", kind="leave_balances", status="queued") == 1
    assert value(samples, "hrportal_report_jobs", kind="leave_balances", status="done") == 0
    assert value(samples, "hrportal_report_duration_seconds_count", kind="requests") == 2
    assert value(samples, "hrportal_report_duration_seconds_sum", kind="requests") == pytest.approx(33, abs=0.01)
    assert value(samples, "hrportal_report_duration_seconds_bucket", kind="requests", le="1.0") == 0
    assert value(samples, "hrportal_report_duration_seconds_bucket", kind="requests", le="5.0") == 1
    assert value(samples, "hrportal_report_duration_seconds_bucket", kind="requests", le="15.0") == 1
    assert value(samples, "hrportal_report_duration_seconds_bucket", kind="requests", le="30.0") == 2  # le is ≤
    assert value(samples, "hrportal_report_duration_seconds_bucket", kind="requests", le="+Inf") == 2
    assert value(samples, "hrportal_report_duration_seconds_count", kind="holiday_work") == 0
    assert value(samples, "hrportal_report_rows_sum", kind="requests") == 1507
    assert value(samples, "hrportal_report_rows_bucket", kind="requests", le="10.0") == 1
    assert value(samples, "hrportal_report_rows_bucket", kind="requests", le="1000.0") == 1
    assert value(samples, "hrportal_report_rows_bucket", kind="requests", le="10000.0") == 2


@pytest.mark.django_db
def test_undelivered_mail_is_counted_by_cause_with_its_age(client: Client, settings: Any) -> None:
    from notifications.tests.factories import make_person

    settings.HRPORTAL = {**settings.HRPORTAL, "MAIL_RETRY_MAX_AGE": 24 * 3600}
    now = timezone.now()
    people = [make_person() for _ in range(5)]
    messages = [notify(event="request_approved", obj=person, recipients=[person])[0] for person in people]
    outage, long_outage, fresh, delivered, refused = messages
    # An SMTP outage: two messages wait on the retry schedule, one of them for longer than its horizon.
    OutboxMessage.objects.filter(pk=outage.pk).update(
        last_error_kind="transient", last_error="ConnectionRefusedError", created_at=now - dt.timedelta(hours=2)
    )
    OutboxMessage.objects.filter(pk=long_outage.pk).update(
        status="sending", last_error_kind="transient", created_at=now - dt.timedelta(hours=25)
    )
    OutboxMessage.objects.filter(pk=fresh.pk).update(created_at=now - dt.timedelta(minutes=1))
    OutboxMessage.objects.filter(pk=delivered.pk).update(status="sent", created_at=now - dt.timedelta(days=9))
    OutboxMessage.objects.filter(pk=refused.pk).update(
        status="failed", last_error_kind="permanent", created_at=now - dt.timedelta(days=8)
    )

    samples = scrape(client)

    assert value(samples, "hrportal_mail_undelivered", cause="transient") == 2
    assert value(samples, "hrportal_mail_undelivered", cause="new") == 1
    oldest = value(samples, "hrportal_mail_undelivered_oldest_age_seconds")
    assert oldest is not None and 25 * 3600 <= oldest < 25 * 3600 + 60  # sent and failed mail are not waiting
    assert value(samples, "hrportal_mail_undelivered_overdue") == 1
    queued_age = value(samples, "hrportal_outbox_oldest_age_seconds", status="queued")
    assert queued_age is not None and 2 * 3600 <= queued_age < 2 * 3600 + 60


@pytest.mark.django_db
def test_business_metrics_use_a_handful_of_queries(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        list(metrics.BusinessCollector().collect())
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    # mail 1, outbox 2 (counts; undelivered by status and cause), reports 2 (counts, finished), requests 1 —
    # whatever the data size.
    assert len(statements) == 6, statements


@pytest.mark.django_db
def test_a_missing_table_leaves_its_source_out_and_the_rest_served(client: Client) -> None:
    def missing_table(now: dt.datetime) -> list[Metric]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reports_no_such_table")
        return []

    with mock.patch.dict(metrics.SOURCES, {"reports": missing_table}):
        samples = scrape(client)
    assert value(samples, "hrportal_business_metrics_up", source="reports") == 0
    assert value(samples, "hrportal_business_metrics_up", source="outbox") == 1
    assert value(samples, "hrportal_outbox_messages", status="queued") == 0
    assert not any(name.startswith("hrportal_report_") for name, _ in samples)
    # The test's own transaction is still usable (the failure was rolled back to a savepoint).
    assert OutboxMessage.objects.count() == 0


# --- task metrics (in-process signals; the prefork worker is tested in test_metrics_integration.py) --------


@app.task(name="hrportal.tests.flaky", bind=True, max_retries=1, default_retry_delay=0)
def flaky(self) -> str:  # type: ignore[no-untyped-def]
    if self.request.retries == 0:
        raise self.retry()
    return "ok"


@app.task(name="hrportal.tests.broken")
def broken() -> None:
    raise ValueError("broken on purpose")


def _task_value(name: str, task: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, {"task": task}) or 0.0


def test_task_signals_count_started_succeeded_failed_retried_and_time() -> None:
    names = ("started", "succeeded", "failed", "retried")
    before = {
        (n, t): _task_value(f"hrportal_celery_task_{n}_total", t)
        for n in names
        for t in ("hrportal.ping", "hrportal.tests.flaky", "hrportal.tests.broken")
    }
    duration_before = _task_value("hrportal_celery_task_duration_seconds_count", "hrportal.ping")

    assert ping.apply().get() == "pong"
    assert flaky.apply().get() == "ok"
    assert broken.apply().failed()

    def delta(name: str, task: str) -> float:
        return _task_value(f"hrportal_celery_task_{name}_total", task) - before[(name, task)]

    assert (delta("started", "hrportal.ping"), delta("succeeded", "hrportal.ping")) == (1, 1)
    assert _task_value("hrportal_celery_task_duration_seconds_count", "hrportal.ping") - duration_before == 1
    # A retry is a run of its own: started twice, retried once, then succeeded.
    assert [delta(n, "hrportal.tests.flaky") for n in names] == [2, 1, 0, 1]
    assert [delta(n, "hrportal.tests.broken") for n in names] == [1, 0, 1, 0]


# --- multiprocess mode --------------------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys
    from prometheus_client import Counter, Gauge, Histogram
    c = Counter("obs_test_jobs", "jobs", ["kind"])
    c.labels("a").inc(int(sys.argv[1]))
    Histogram("obs_test_seconds", "s", buckets=(1, 10)).observe(float(sys.argv[1]))
    Gauge("obs_test_live", "live", multiprocess_mode="liveall").set(float(sys.argv[1]))
    """
)


def _run_child(directory: Path, amount: int) -> int:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(amount)], env=env, check=True, capture_output=True)
    assert proc.returncode == 0
    return len(list(directory.glob("gauge_liveall_*.db")))


def test_multiprocess_files_of_several_processes_and_directories_are_summed(tmp_path: Path) -> None:
    web, worker = tmp_path / "web", tmp_path / "worker"
    web.mkdir()
    worker.mkdir()
    _run_child(web, 2)
    _run_child(web, 3)
    _run_child(worker, 5)
    dirs = metrics.scrape_dirs([str(tmp_path / "*"), str(tmp_path / "missing")])
    assert sorted(dirs) == sorted([str(web), str(worker)])
    families = {f.name: f for f in metrics.ProcessMetricsCollector(dirs, include_registry=False).collect()}
    jobs = {s.name: s.value for s in families["obs_test_jobs"].samples}
    assert jobs == {"obs_test_jobs_total": 10}
    seconds = {(s.name, s.labels.get("le")): s.value for s in families["obs_test_seconds"].samples}
    assert seconds[("obs_test_seconds_bucket", "1.0")] == 0
    assert seconds[("obs_test_seconds_bucket", "10.0")] == 3
    assert seconds[("obs_test_seconds_count", None)] == 3
    assert seconds[("obs_test_seconds_sum", None)] == 10
    # The children have exited: their live gauges go with them, their counters stay.
    assert len(families["obs_test_live"].samples) == 3
    dead = metrics.reap_dead_processes(str(web)) + metrics.reap_dead_processes(str(worker))
    assert len(dead) == 3
    families = {f.name: f for f in metrics.ProcessMetricsCollector(dirs, include_registry=False).collect()}
    assert "obs_test_live" not in families or not families["obs_test_live"].samples
    assert {s.name: s.value for s in families["obs_test_jobs"].samples} == {"obs_test_jobs_total": 10}


def test_prepare_multiproc_dir_removes_stale_files_but_keeps_the_callers(tmp_path: Path) -> None:
    directory = tmp_path / "metrics" / "worker"
    assert metrics.prepare_multiproc_dir(str(directory)) == 0  # created
    (directory / "counter_1.db").write_bytes(b"")
    (directory / "gauge_liveall_2.db").write_bytes(b"")
    (directory / f"counter_{os.getpid()}.db").write_bytes(b"")
    (directory / "notes.txt").write_text("not ours")
    assert metrics.prepare_multiproc_dir(str(directory), keep_pid=os.getpid()) == 2
    assert sorted(p.name for p in directory.iterdir()) == sorted([f"counter_{os.getpid()}.db", "notes.txt"])


def test_reap_only_drops_live_gauges_of_dead_processes(tmp_path: Path) -> None:
    for name in (
        "gauge_liveall_11.db",
        "gauge_livesum_11.db",
        "gauge_liveall_12.db",
        "counter_11.db",
        "gauge_all_11.db",
    ):
        (tmp_path / name).write_bytes(b"")
    assert metrics.reap_dead_processes(str(tmp_path), alive=lambda pid: pid == 12) == [11]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_11.db", "gauge_all_11.db", "gauge_liveall_12.db"]


def test_merge_families_sums_counters_and_keeps_distinct_series() -> None:
    def family(kind: str, samples: list[tuple[str, dict[str, str], float]]) -> Metric:
        metric = Metric("x", "doc", kind)
        metric.samples = [Sample(n, labels, v) for n, labels, v in samples]
        return metric

    merged = metrics.merge_families(
        [
            family("counter", [("x_total", {"a": "1"}, 2.0), ("x_created", {"a": "1"}, 100.0)]),
            family("counter", [("x_total", {"a": "1"}, 3.0), ("x_total", {"a": "2"}, 1.0)]),
        ]
    )
    assert len(merged) == 1
    got = {(s.name, tuple(s.labels.items())): s.value for s in merged[0].samples}
    assert got == {
        ("x_total", (("a", "1"),)): 5.0,
        ("x_created", (("a", "1"),)): 100.0,
        ("x_total", (("a", "2"),)): 1.0,
    }
    gauges = metrics.merge_families([family("gauge", [("x", {}, 1.0)]), family("gauge", [("x", {}, 7.0)])])
    assert [s.value for s in gauges[0].samples] == [7.0]


def test_scrape_dirs_come_from_the_setting_or_else_the_environment(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("web", "worker-mail", "worker-reports"):
        (tmp_path / name).mkdir()
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    settings.METRICS_MULTIPROC_DIRS = [str(tmp_path / "worker-*")]
    assert metrics.scrape_dirs() == [str(tmp_path / "worker-mail"), str(tmp_path / "worker-reports")]
    del settings.METRICS_MULTIPROC_DIRS
    monkeypatch.setenv("METRICS_MULTIPROC_DIRS", f"{tmp_path / 'web'}, {tmp_path / 'nope'}")
    assert metrics.scrape_dirs() == [str(tmp_path / "web")]
    # This process's own directory comes first and is read once.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "web"))
    monkeypatch.setenv("METRICS_MULTIPROC_DIRS", str(tmp_path / "*"))
    assert metrics.scrape_dirs() == [str(tmp_path / n) for n in ("web", "worker-mail", "worker-reports")]


def test_worker_life_cycle_prepares_the_directory_and_reaps_dead_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hrportal import task_metrics

    directory = tmp_path / "worker"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    monkeypatch.setenv("METRICS_REAP_INTERVAL", "0.25")
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"stale")
    (directory / "gauge_liveall_999999.db").write_bytes(b"")  # a pid that cannot exist (above pid_max)

    task_metrics._on_worker_start()  # celeryd_init: files of earlier runs removed
    assert not (directory / "counter_1.db").exists()
    (directory / "gauge_liveall_999999.db").write_bytes(b"")  # a pool process that was SIGKILLed since

    scheduled: list[tuple[float, Any]] = []
    consumer = SimpleNamespace(timer=SimpleNamespace(call_repeatedly=lambda s, f: scheduled.append((s, f))))
    task_metrics._on_worker_ready(sender=consumer)
    [(interval, reap)] = scheduled
    assert interval == 0.25
    reap()
    assert not (directory / "gauge_liveall_999999.db").exists()

    (directory / f"gauge_liveall_{os.getpid() + 1}.db").write_bytes(b"")
    task_metrics._on_pool_process_exit(pid=os.getpid() + 1)  # a pool process that exits cleanly
    assert not (directory / f"gauge_liveall_{os.getpid() + 1}.db").exists()


def test_without_a_directory_the_worker_says_its_pool_metrics_are_not_exported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hrportal import task_metrics

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with caplog.at_level("WARNING", logger="hrportal.task_metrics"):
        task_metrics._on_worker_start()
    assert "PROMETHEUS_MULTIPROC_DIR is not set" in caplog.text
    scheduled: list[Any] = []
    task_metrics._on_worker_ready(sender=SimpleNamespace(timer=SimpleNamespace(call_repeatedly=scheduled.append)))
    assert scheduled == []
    assert metrics.prepare_multiproc_dir(None) == 0 and metrics.reap_dead_processes(None) == []


def test_an_unreadable_file_is_skipped_not_the_whole_scrape(tmp_path: Path) -> None:
    _run_child(tmp_path, 4)
    # A file in prometheus_client's layout (used bytes, padding, one entry) whose key is not JSON.
    entry = struct.pack("i", 4) + b"junk" + struct.pack("d", 1.0) + struct.pack("d", 0.0)
    (tmp_path / "counter_12345.db").write_bytes(struct.pack("i", 8 + len(entry)) + b"\0" * 4 + entry + b"\0" * 64)
    with pytest.raises(ValueError):
        list(MultiProcessCollector.merge([str(tmp_path / "counter_12345.db")]))
    families = {f.name: f for f in metrics.ProcessMetricsCollector([str(tmp_path)], include_registry=False).collect()}
    assert {s.name: s.value for s in families["obs_test_jobs"].samples} == {"obs_test_jobs_total": 4}
