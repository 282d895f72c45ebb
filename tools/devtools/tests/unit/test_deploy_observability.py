"""Every metric an alert rule or a dashboard reads is one a service exports.

Exported names come from the prometheus_client definitions in the services' and libraries'
sources (`Counter("name", ...)` and friends), expanded the way the client exposes them
(`_total` for counters, `_bucket`/`_count`/`_sum` for histograms). A rule or panel that
reads a metric nobody exports would stay silent forever; this test makes that a failure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from coldchain_devtools.reference_docs import REPO

pytestmark = pytest.mark.unit

OBSERVABILITY = REPO / "deploy" / "observability"
SOURCES = [REPO / "libs", REPO / "services"]
DEFINITION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
# Series Prometheus makes itself, not any service.
PROMETHEUS_OWN = {"up"}
OUR_PREFIXES = ("coldchain_", "gateway_", "ingest_", "tracking_", "orders_", "dispatch_")
IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def exported() -> set[str]:
    names: set[str] = set()
    for root in SOURCES:
        for path in root.rglob("*.py"):
            if "/tests/" in str(path) or "/.venv/" in str(path):
                continue
            for kind, name in DEFINITION.findall(path.read_text()):
                if kind == "Counter":
                    base = name.removesuffix("_total")
                    names |= {f"{base}_total", f"{base}_created"}
                elif kind in ("Histogram", "Summary"):
                    names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum", f"{name}_created"}
                else:
                    names.add(name)
    return names


def used_in(expr: str) -> set[str]:
    """Metric names in a PromQL expression: ours by prefix, plus Prometheus's `up`."""
    bare = QUOTED.sub('""', expr)
    bare = re.sub(r"\{[^}]*\}", "{}", bare)  # label matchers name labels, not metrics
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)
    return {t for t in IDENTIFIER.findall(bare) if t.startswith(OUR_PREFIXES) or t in PROMETHEUS_OWN}


def rule_expressions() -> list[str]:
    rules = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    return [r["expr"] for g in rules["groups"] for r in g["rules"]]


def dashboard_expressions() -> dict[str, list[str]]:
    return {
        path.stem: [t["expr"] for p in json.loads(path.read_text())["panels"] for t in p["targets"]]
        for path in sorted((OBSERVABILITY / "grafana" / "dashboards").glob("*.json"))
    }


def test_the_parser_finds_metrics_and_ignores_labels_and_functions() -> None:
    expr = 'sum by (tracking_x) (rate(ingest_fixes_rejected_total{reason="coldchain_y"}[5m])) / up'
    assert used_in(expr) == {"ingest_fixes_rejected_total", "up"}
    assert "coldchain_nonexistent_total" not in exported()  # the check can fail
    assert {"tracking_fix_freshness_seconds_bucket", "coldchain_consumer_lag"} <= exported()


def test_every_alert_reads_exported_metrics() -> None:
    available = exported() | PROMETHEUS_OWN
    for expr in rule_expressions():
        used = used_in(expr)
        assert used, f"no metric found in {expr!r}"
        assert used <= available, f"{sorted(used - available)} not exported by any service"


@pytest.mark.parametrize("board", ["pipeline", "fleet", "dispatch", "api"])
def test_every_dashboard_panel_reads_exported_metrics(board: str) -> None:
    expressions = dashboard_expressions()[board]
    assert expressions
    available = exported() | PROMETHEUS_OWN
    for expr in expressions:
        used = used_in(expr)
        assert used, f"{board}: no metric found in {expr!r}"
        assert used <= available, f"{board}: {sorted(used - available)} not exported by any service"


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text())
    jobs = {c["job_name"] for c in config["scrape_configs"]}
    assert jobs == {"gateway", "ingest", "tracking", "orders", "dispatch"}
    assert Path(OBSERVABILITY / "alerts.yaml").name in config["rule_files"][0]


def test_prometheus_scrapes_each_service_on_its_http_port() -> None:
    from coldchain_devtools.reference_docs import settings_classes

    config = yaml.safe_load((OBSERVABILITY / "prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        (sd,) = job["dns_sd_configs"]
        port = settings_classes()[job["job_name"]].model_fields["http_port"].default
        assert (sd["names"], sd["port"]) == ([job["job_name"]], port)


def test_dashboards_use_the_provisioned_data_source_and_unique_panel_ids() -> None:
    provisioned = yaml.safe_load(
        (OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "datasources.yaml").read_text()
    )
    uids = {d["uid"] for d in provisioned["datasources"]}
    for path in sorted((OBSERVABILITY / "grafana" / "dashboards").glob("*.json")):
        board = json.loads(path.read_text())
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), path.name
        for panel in board["panels"]:
            for target in panel["targets"]:
                assert target["datasource"]["uid"] in uids, f"{path.name}: {panel['title']}"
