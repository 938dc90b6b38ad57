"""The sample alert rules and Grafana dashboard in docs/ load, and every series they use is one
/metrics shows: a renamed series cannot leave an alert that silently never fires."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from ticketui.tickets.models import SyncRun

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
SERIES = re.compile(r"\b(ticketui_[a-z_]+)")
SUFFIXES = {"counter": ("",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def alert_rules() -> list[dict]:
    document = yaml.safe_load((DOCS / "prometheus-alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard() -> dict:
    return json.loads((DOCS / "grafana-dashboard.json").read_text(encoding="utf-8"))


def dashboard_queries() -> list[str]:
    return [
        target["expr"]
        for panel in dashboard()["panels"]
        if panel["type"] != "row"
        for target in panel["targets"]
    ]


@pytest.fixture
def exposed(scrape) -> set[str]:
    SyncRun.objects.create(status="succeeded", finished_at=timezone.now())  # its series appear
    scrape()
    names = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\w+)$", scrape.text, re.MULTILINE):
        names.update(name + suffix for suffix in SUFFIXES.get(kind, ("",)))
    return names


def test_every_alert_rule_is_complete():
    rules = alert_rules()

    assert len(rules) >= 8
    for rule in rules:
        assert rule["alert"].startswith("Ticketui")
        assert rule["expr"].strip()
        assert rule["labels"]["severity"] in ("critical", "warning", "info")
        assert rule["annotations"]["summary"]
    assert len({rule["alert"] for rule in rules}) == len(rules)


def test_the_alerts_cover_what_operators_must_hear_about():
    expressions = " ".join(rule["expr"] for rule in alert_rules())

    for series in (
        "ticketui_upstream_calls_total",
        "ticketui_upstream_breaker_open",
        "ticketui_tasks_ready",
        "ticketui_tasks_oldest_ready_age_seconds",
        "ticketui_operations_pending",
        "ticketui_sync_lag_seconds",
        "ticketui_login_failures_total",
    ):
        assert series in expressions


def test_the_alerts_and_the_dashboard_use_only_series_the_endpoint_shows(exposed):
    used = set()
    for expression in [rule["expr"] for rule in alert_rules()] + dashboard_queries():
        used.update(SERIES.findall(expression))

    assert used
    assert used <= exposed, f"unknown series: {sorted(used - exposed)}"


def test_the_dashboard_is_importable():
    board = dashboard()

    assert board["uid"]
    assert board["title"]
    assert board["__inputs"][0]["pluginId"] == "prometheus"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert set(panel["gridPos"]) == {"x", "y", "w", "h"}
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}"
            assert all(target["expr"] for target in panel["targets"])
