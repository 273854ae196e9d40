"""The container files: compose.yaml parses and wires the services; the Dockerfile runs
`bistand serve` as a user without privileges. (No Docker engine here: docs/OPERATIONS.md.)"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_web_and_worker_from_one_image_beside_postgres_and_redis():
    services = _compose()["services"]
    assert {"db", "redis", "migrate", "web", "worker"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["web"]["command"] == ["bistand", "serve"]
    assert services["worker"]["command"][:2] == ["bistand", "worker"]
    assert services["worker"]["environment"]["BISTAND_BROKER_URL"].startswith("redis://redis")
    assert services["web"]["image"] == services["worker"]["image"] == services["migrate"]["image"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_keeps_documents_in_a_volume_and_secrets_out_of_the_file():
    compose = _compose()
    web = compose["services"]["web"]
    assert "media:/var/lib/bistand/media" in web["volumes"]
    assert "media" in compose["volumes"]
    env = web["environment"]
    for secret in ("BISTAND_SECRET_KEY", "BISTAND_AUDIT_KEY"):
        pattern = r"\$\{" + secret + r":\?[^}]+\}"
        assert re.fullmatch(pattern, env[secret]), env[secret]
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]


def test_compose_sizing_fits_the_connection_budget_and_max_connections():
    compose = _compose()
    env = compose["services"]["web"]["environment"]

    def default(value: str) -> int:
        return int(re.fullmatch(r"\$\{\w+:-(\d+)\}", value).group(1))

    workers, pool_max = default(env["BISTAND_WORKERS"]), default(env["BISTAND_DB_POOL_MAX"])
    budget = default(env["BISTAND_DB_CONNECTION_BUDGET"])
    max_connections = int(compose["services"]["db"]["command"][-1].split("=")[1])
    # web only; the worker and management commands get what is left of max_connections.
    assert workers * pool_max <= budget < max_connections - 3


def test_dockerfile_is_multi_stage_non_root_with_a_health_check_and_serve():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert stages == ["python:3.11-slim", "python:3.11-slim"]
    assert re.search(r"^USER bistand$", dockerfile, re.MULTILINE)
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)
    assert dockerfile.rstrip().splitlines()[-1] == 'CMD ["bistand", "serve"]'
