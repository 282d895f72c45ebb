"""The compose stack sets only settings the code reads, and has the shape docs/deploy.md describes.

`make lint` validates the file with docker-compose itself; this test reads it with PyYAML
(anchors and merge keys resolved) and checks it against the settings classes that
`reference_docs` already enumerates for docs/reference/configuration.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from coldchain_devtools.reference_docs import REPO, SERVICES, env_names, settings_classes

pytestmark = pytest.mark.unit

COMPOSE = REPO / "deploy" / "compose" / "compose.yaml"
DEVTOOLS_SRC = REPO / "tools" / "devtools" / "src" / "coldchain_devtools"


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]  # type: ignore[no-any-return]


def built_as(service: dict[str, Any]) -> str | None:
    build = service.get("build")
    return build["args"]["SERVICE"] if isinstance(build, dict) else None


def settings_env(service: str) -> set[str]:
    cls = settings_classes()[service]
    return {env for name, field in cls.model_fields.items() for env in env_names(cls, name, field)}


def coldchain_containers() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, svc, spec) for name, spec in compose().items() if (svc := built_as(spec)) is not None]


def test_every_variable_set_for_a_service_is_a_setting_it_reads() -> None:
    checked = 0
    for name, service, spec in coldchain_containers():
        if service == "devtools":
            continue
        unknown = set(spec.get("environment") or {}) - settings_env(service)
        assert not unknown, f"{name}: {sorted(unknown)} are not settings of {service}"
        checked += 1
    assert checked == 2 * len(SERVICES)  # each service and its migration job


def test_the_topics_job_sets_only_variables_the_devtools_read() -> None:
    (spec,) = [spec for _, service, spec in coldchain_containers() if service == "devtools"]
    source = "\n".join(p.read_text() for p in Path(DEVTOOLS_SRC).glob("*.py"))
    for variable in spec["environment"]:
        assert f'"{variable}"' in source, f"{variable} is not read by coldchain_devtools"


def test_a_setting_that_does_not_exist_is_caught() -> None:
    """The check above must be able to fail: a misspelt variable is not a setting."""
    assert "TRACKING_HTTP_PORT" in settings_env("tracking")
    assert "TRACKING_HTTP_PROT" not in settings_env("tracking")
    assert "KAFKA_BOOTSTRAP_SERVERS" in settings_env("ingest")


def test_every_service_runs_migrated_ready_checked_and_scaled_as_documented() -> None:
    services = compose()
    for service in SERVICES:
        spec = services[service]
        env = spec["environment"]
        assert env[f"{service.upper()}_MIGRATE_ON_START"] == "false"
        assert spec["depends_on"][f"migrate-{service}"] == {"condition": "service_completed_successfully"}
        assert services[f"migrate-{service}"]["command"] == ["migrate"]
        assert "/readyz" in " ".join(spec["healthcheck"]["test"])
        assert spec["depends_on"]["topics"] == {"condition": "service_completed_successfully"}
    assert services["ingest"]["deploy"]["replicas"] == 2
    assert services["tracking"]["deploy"]["replicas"] == 2
    for infra in ("kafka", "postgres", "redis", "prometheus", "grafana", "otel-collector", "jaeger"):
        assert infra in services
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper


ECS_MODULE = REPO / "deploy" / "terraform" / "modules" / "ecs" / "main.tf"
SECRETS_OUTPUTS = REPO / "deploy" / "terraform" / "modules" / "secrets" / "outputs.tf"
PREFIXED = re.compile(r"\b((GATEWAY|INGEST|TRACKING|ORDERS|DISPATCH)_[A-Z0-9_]+)\b")


def test_every_variable_the_ecs_tasks_set_is_a_setting_of_its_service() -> None:
    """The Terraform task definitions too: plain settings in module ecs, secrets by name."""
    names = set(PREFIXED.findall(ECS_MODULE.read_text() + SECRETS_OUTPUTS.read_text()))
    assert len(names) > 10
    for variable, prefix in names:
        service = prefix.lower()
        assert variable in settings_env(service), f"{variable} is not a setting of {service}"
    shared = settings_env("tracking")
    tls = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD")
    tls += ("DATABASE_SSLMODE", "DATABASE_SSLROOTCERT", "COLDCHAIN_INTERNAL_TOKEN")
    for variable in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "REDIS_URL", *tls):
        assert variable in ECS_MODULE.read_text() + SECRETS_OUTPUTS.read_text()
        assert variable in shared
