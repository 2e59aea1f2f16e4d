"""The Grafana dashboard, the Prometheus config and alert rules, and their provisioning by docker-compose.

Acceptance 3: the dashboard JSON passes a schema check of Grafana's dashboard structure, and every metric it
(or an alert rule) queries is exported. The check against a real scrape after real traffic is in
test_metrics_integration.py; here every queried metric must at least be one that our code defines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARD_PATH = DEPLOY / "grafana" / "dashboards" / "hrportal.json"
ALERTS_PATH = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD: dict[str, Any] = json.loads(DASHBOARD_PATH.read_text())

# Grafana's dashboard model as far as provisioning and rendering depend on it (schemaVersion ≥ 36).
_GRID_POS = {
    "type": "object",
    "required": ["h", "w", "x", "y"],
    "properties": {
        "h": {"type": "integer", "minimum": 1},
        "w": {"type": "integer", "minimum": 1, "maximum": 24},
        "x": {"type": "integer", "minimum": 0, "maximum": 23},
        "y": {"type": "integer", "minimum": 0},
    },
}
_DATASOURCE = {
    "type": "object",
    "required": ["type", "uid"],
    "properties": {"type": {"const": "prometheus"}, "uid": {"type": "string", "minLength": 1}},
}
_TARGET = {
    "type": "object",
    "required": ["refId", "expr"],
    "properties": {
        "refId": {"type": "string", "pattern": "^[A-Z]$"},
        "expr": {"type": "string", "minLength": 1},
        "legendFormat": {"type": "string"},
        "datasource": _DATASOURCE,
    },
}
_PANEL = {
    "type": "object",
    "required": ["id", "type", "title", "gridPos"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "type": {"enum": ["row", "timeseries", "stat", "gauge", "bargauge", "table", "text"]},
        "title": {"type": "string", "minLength": 1},
        "gridPos": _GRID_POS,
        "datasource": _DATASOURCE,
        "targets": {"type": "array", "items": _TARGET},
        "fieldConfig": {
            "type": "object",
            "required": ["defaults"],
            "properties": {"defaults": {"type": "object"}, "overrides": {"type": "array"}},
        },
    },
    "if": {"properties": {"type": {"const": "row"}}},
    "then": {"required": ["panels"], "properties": {"gridPos": {"properties": {"w": {"const": 24}}}}},
    "else": {"required": ["datasource", "targets", "fieldConfig"], "properties": {"targets": {"minItems": 1}}},
}
DASHBOARD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["uid", "title", "schemaVersion", "panels", "time"],
    "properties": {
        "uid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "title": {"type": "string", "minLength": 1},
        "schemaVersion": {"type": "integer", "minimum": 36},
        "time": {"type": "object", "required": ["from", "to"]},
        "refresh": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "templating": {"type": "object", "required": ["list"]},
        "panels": {"type": "array", "minItems": 1, "items": _PANEL},
    },
}

# --- PromQL: metric names ---------------------------------------------------------------------------------

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless"}
_KEYWORDS |= {"offset", "inf", "nan", "le"}
_SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords, labels and durations left out)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # string literals (label values)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range selectors, $__rate_interval
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    names = set()
    for match in re.finditer(r"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*", text):
        if text[match.end() :].lstrip().startswith("("):
            continue  # a function or an aggregation
        if match.group().lower() not in _KEYWORDS:
            names.add(match.group())
    return names


def normalise(name: str) -> str:
    """The family a sample or a queried series belongs to: counters' `_total`, histograms' `_bucket/_sum/_count`
    (and `_created`) removed, the same way on both sides."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    exprs = []
    for panel in dashboard["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            exprs.extend(target["expr"] for target in inner.get("targets", []))
    return exprs


def alert_rules() -> list[dict[str, Any]]:
    config = yaml.safe_load(ALERTS_PATH.read_text())
    return [rule for group in config["groups"] for rule in group["rules"]]


def rule_exprs() -> list[str]:
    return [str(rule["expr"]) for rule in alert_rules()]


def test_metric_names_parser() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (le, view) (rate(x_seconds_bucket{view=~"a|b", le!="1"}[$__rate_interval])))'
        " / on (view) group_left sum without (pid) (y_total offset 5m) > 1.5e9 and bool z"
    )
    assert metric_names(expr) == {"x_seconds_bucket", "y_total", "z"}
    assert normalise("x_seconds_bucket") == normalise("x_seconds_count") == "x_seconds"
    assert normalise("django_http_requests_total_by_method_total") == "django_http_requests_total_by_method"


# --- the dashboard ------------------------------------------------------------------------------------------


def test_dashboard_is_valid_grafana_json() -> None:
    jsonschema.validate(DASHBOARD, DASHBOARD_SCHEMA)
    panels = [p for p in DASHBOARD["panels"]]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        refs = [t["refId"] for t in panel.get("targets", [])]
        assert len(refs) == len(set(refs)), panel["title"]
    # Panels do not overlap on the 24-column grid.
    cells: dict[tuple[int, int], str] = {}
    for panel in panels:
        g = panel["gridPos"]
        for row in range(g["y"], g["y"] + g["h"]):
            for col in range(g["x"], g["x"] + g["w"]):
                assert (row, col) not in cells, f"{panel['title']} overlaps {cells[(row, col)]}"
                cells[(row, col)] = panel["title"]


def test_dashboard_queries_use_the_provisioned_datasource() -> None:
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uids = {d["uid"] for d in datasources["datasources"]}
    for panel in DASHBOARD["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] in uids, panel["title"]


@pytest.mark.parametrize(
    "needle",
    [
        "django_http_requests_latency_seconds_by_view_method_bucket",  # HTTP latency p50/p95/p99
        'status=~"5.."',  # error rate
        "hrportal_celery_task_succeeded_total",  # task throughput
        "hrportal_celery_task_failed_total",  # task failures
        "hrportal_outbox_messages",  # outbox backlog
        "hrportal_outbox_oldest_age_seconds",  # oldest age
        "hrportal_report_duration_seconds_bucket",  # export durations
        'hrportal_process_resident_memory_bytes{role="celery"}',  # worker memory
    ],
)
def test_dashboard_shows_what_the_issue_asks_for(needle: str) -> None:
    assert any(needle in expr for expr in dashboard_exprs(DASHBOARD)), needle
    for quantile in ("0.5", "0.95", "0.99"):
        assert any(
            expr.startswith(f"histogram_quantile({quantile}, ") and "django_http_requests_latency" in expr
            for expr in dashboard_exprs(DASHBOARD)
        )


def _balanced(expr: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for char in re.sub(r'"(?:\\.|[^"\\])*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


def test_queries_are_well_formed() -> None:
    for expr in dashboard_exprs(DASHBOARD) + rule_exprs():
        assert _balanced(expr), expr
        for name in metric_names(expr):
            # Histograms are queried through their buckets, sum or count; counters through `_total`.
            assert not name.endswith("_created"), expr
        if "histogram_quantile(" in expr:
            assert "_bucket" in expr and re.search(r"\bby \([^)]*\ble\b", expr), expr
        for function in ("rate(", "increase(", "delta("):
            if function in expr:
                assert re.search(re.escape(function) + r"[a-z_:]+(\{[^}]*\})?\[", expr), expr


def _defined_families() -> set[str]:
    """Every family our code and django-prometheus define, whether or not it has samples yet."""
    import django_prometheus.db.metrics  # the PostgreSQL backend's metrics (not loaded on SQLite)
    from django_prometheus.middleware import Metrics
    from prometheus_client import REGISTRY

    from hrportal import metrics, task_metrics  # noqa: F401

    Metrics.get_instance()  # the HTTP metrics are registered by the first middleware instance
    assert django_prometheus.db.metrics.execute_total
    names = {normalise(family.name) for family in REGISTRY.collect()}
    names |= {normalise(family.name) for family in metrics.BusinessCollector().collect()}
    return names


@pytest.mark.django_db
def test_every_queried_metric_is_defined() -> None:
    defined = _defined_families()
    queried = {normalise(n) for expr in dashboard_exprs(DASHBOARD) + rule_exprs() for n in metric_names(expr)}
    assert queried, "no metric found in the queries"
    assert not queried - defined, sorted(queried - defined)


# --- alert rules and the Prometheus config -------------------------------------------------------------------


def test_alert_rules_cover_the_issue() -> None:
    rules = {rule["alert"]: rule for rule in alert_rules()}
    for rule in rules.values():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}, rule
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule
    oldest = rules["OutboxOldestQueuedMessageTooOld"]["expr"]
    assert 'hrportal_outbox_oldest_age_seconds{status="queued"}' in oldest and oldest.endswith("> 600")
    failed_mail = rules["MailDeliveryFailed"]["expr"]
    assert 'outcome="failed"' in failed_mail and "[15m]" in failed_mail and failed_mail.endswith("> 0")
    http = " ".join(rules["HTTP5xxRateHigh"]["expr"].split())
    assert 'status=~"5.."' in http and http.endswith("> 0.01")
    assert 'hrportal_report_jobs{status="failed"}' in rules["ReportJobsFailing"]["expr"]


def test_prometheus_config_loads_the_rules_and_scrapes_the_web_with_the_token() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert [(DEPLOY / "prometheus" / name).resolve() for name in config["rule_files"]] == [ALERTS_PATH.resolve()]
    [web] = [job for job in config["scrape_configs"] if job["job_name"] == "hrportal-web"]
    assert web["metrics_path"] == "/metrics"
    assert web["authorization"]["type"] == "Bearer" and web["authorization"]["credentials"]
    assert web["static_configs"][0]["targets"] == ["web:8000"]


# --- docker-compose provisioning ------------------------------------------------------------------------------


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """container path → source, for `source:target[:mode]` entries."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, target = entry.split(":")[:2]
        mounts[target] = source
    return mounts


def test_compose_provisions_prometheus_and_grafana_from_deploy() -> None:
    services = _compose()["services"]
    prometheus, grafana = _mounts(services["prometheus"]), _mounts(services["grafana"])
    assert (ROOT / prometheus["/etc/prometheus"]).resolve() == (DEPLOY / "prometheus").resolve()
    provisioning = ROOT / grafana["/etc/grafana/provisioning"]
    assert (provisioning / "datasources" / "prometheus.yml").is_file()
    providers = yaml.safe_load((provisioning / "dashboards" / "hrportal.yml").read_text())["providers"]
    dashboards_in_container = providers[0]["options"]["path"]
    assert (ROOT / grafana[dashboards_in_container] / "hrportal.json").resolve() == DASHBOARD_PATH.resolve()


def test_compose_gives_each_process_group_its_own_directory_on_the_shared_volume() -> None:
    compose = _compose()
    services = compose["services"]
    groups = {name: services[name] for name in ("web", "worker-mail", "worker-reports")}
    dirs = {name: service["environment"]["PROMETHEUS_MULTIPROC_DIR"] for name, service in groups.items()}
    assert len(set(dirs.values())) == len(dirs), "a directory shared by two groups mixes their pids"
    volume_targets = set()
    for name, service in groups.items():
        [target] = [t for t, s in _mounts(service).items() if s == "metrics"]
        assert dirs[name].startswith(target + "/"), (name, dirs[name], target)
        volume_targets.add(target)
    assert len(volume_targets) == 1 and "metrics" in compose["volumes"]
    scraped = services["web"]["environment"]["METRICS_MULTIPROC_DIRS"].split(",")
    for name, directory in dirs.items():
        assert any(re.fullmatch(pattern.replace("*", "[^/]+"), directory) for pattern in scraped), name
    # The web keeps the rest of the shared environment (database, broker, ...).
    assert services["web"]["environment"]["DATABASE_URL"] == services["beat"]["environment"]["DATABASE_URL"]
