"""deploy/compose.yaml: the services, volumes, ports, healthchecks and provisioning paths fit together."""

from __future__ import annotations

import pytest
import yaml

from tests.deploy.cli_args import expand, parse_loraloop, parse_retrain_daemon
from tests.deploy.promql import DEPLOY, REPO

COMPOSE = DEPLOY / "compose.yaml"
GPU_OVERRIDE = DEPLOY / "compose.gpu.yaml"
LONG_RUNNING = ("server", "retrain", "prometheus", "grafana")
ENV = {"LORALOOP_ADMIN_TOKEN": "token-from-the-environment"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # safe_load resolves the `<<: *loraloop` merge keys


def _mounts(service: dict) -> list[tuple[str, str]]:
    """(source, target) of every short-syntax volume entry."""
    return [tuple(v.split(":")[:2]) for v in service.get("volumes", [])]


def _command(service: dict) -> list[str]:
    return [expand(str(arg), ENV) for arg in service["command"]]


def test_the_services_the_issue_asks_for(compose):
    assert set(LONG_RUNNING) <= set(compose["services"])
    for name in ("server", "retrain"):
        build = compose["services"][name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).is_file(), name
    assert _command(compose["services"]["server"])[0] == "serve"
    assert _command(compose["services"]["retrain"])[:2] == ["retrain", "daemon"]


def test_named_volumes_hold_the_adapter_store_and_the_database(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for source, _target in _mounts(service):
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source!r} is not declared"
    for name in ("server", "retrain"):
        targets = {target: source for source, target in _mounts(compose["services"][name])}
        assert not targets["/data/adapters"].startswith("."), "the adapter store is a named volume"
        assert not targets["/data/feedback"].startswith("."), "the feedback database is a named volume"
    server, retrain = (dict((t, s) for s, t in _mounts(compose["services"][n])) for n in ("server", "retrain"))
    assert server["/data/adapters"] == retrain["/data/adapters"] and server["/data/feedback"] == retrain["/data/feedback"]
    command = _command(compose["services"]["server"])
    assert "--adapter-store=/data/adapters" in command
    assert "--db-url=/data/feedback/feedback.sqlite" in command  # SQLite unless LORALOOP_DB_URL says otherwise
    assert "--db-url=/data/feedback/feedback.sqlite" in _command(compose["services"]["retrain"])


def test_the_postgres_profile_runs_a_database_both_processes_can_be_pointed_at(compose):
    postgres = compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"]  # not started by a plain `up`: SQLite stays the default
    assert postgres["environment"]["POSTGRES_DB"] == "loraloop"
    assert "--locale=C" in postgres["environment"]["POSTGRES_INITDB_ARGS"]
    assert ("postgres-data", "/var/lib/postgresql/data") in _mounts(postgres)
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_bind_mounts_exist_in_the_repo(compose):
    for name, service in compose["services"].items():
        for source, _target in _mounts(service):
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source} does not exist"


def test_published_ports_are_loopback_only(compose):
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is published on every interface"


def test_long_running_services_have_healthchecks(compose):
    services = compose["services"]
    for name in LONG_RUNNING:
        check = services[name]["healthcheck"]
        assert not check.get("disable") and check["test"][0] == "CMD", name
    assert services["server"]["healthcheck"]["test"][1:4] == ["python", "-m", "loraloop.healthcheck"]
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits for {dependency}, which has no healthcheck"


def test_prometheus_scrapes_both_and_loads_the_rules(compose):
    prometheus = compose["services"]["prometheus"]
    mounts = dict((t, s) for s, t in _mounts(prometheus))
    config_path = COMPOSE.parent / mounts["/etc/prometheus/prometheus.yml"]
    config = yaml.safe_load(config_path.read_text())
    assert (COMPOSE.parent / mounts["/etc/prometheus/rules"]).resolve() == (config_path.parent / "rules").resolve()
    assert config["rule_files"] == ["rules/*.yml"]
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    for job, service in (("loraloop-server", "server"), ("loraloop-retrain", "retrain")):
        host, port = targets[job][0].split(":")
        assert host == service
        assert f"--metrics-port={port}" in _command(compose["services"][service])
    assert "--metrics-host=0.0.0.0" in _command(compose["services"]["retrain"])
    assert "--host=0.0.0.0" in _command(compose["services"]["server"])


def test_grafana_provisions_the_datasource_and_the_dashboard(compose):
    grafana = compose["services"]["grafana"]
    mounts = dict((t, s) for s, t in _mounts(grafana))
    sources = yaml.safe_load((COMPOSE.parent / mounts["/etc/grafana/provisioning/datasources"] / "prometheus.yml").read_text())
    datasource = sources["datasources"][0]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((COMPOSE.parent / mounts["/etc/grafana/provisioning/dashboards"] / "loraloop.yml").read_text())
    folder = providers["providers"][0]["options"]["path"]
    dashboards = [t for t in mounts if t.startswith(folder + "/") and t.endswith(".json")]
    assert dashboards and (COMPOSE.parent / mounts[dashboards[0]]).resolve() == (DEPLOY / "grafana" / "loraloop.json").resolve()


def test_the_server_command_parses_with_the_real_cli(compose):
    args, error = parse_loraloop(_command(compose["services"]["server"]))
    assert args is not None, error
    assert args.host == "0.0.0.0" and args.model == "/data/model" and args.admin_token == ENV["LORALOOP_ADMIN_TOKEN"]


def test_the_admin_token_is_required_not_defaulted(compose):
    for name in ("server", "retrain"):
        with pytest.raises(KeyError, match="LORALOOP_ADMIN_TOKEN"):
            [expand(str(arg), {}) for arg in compose["services"][name]["command"]]


def test_the_retrain_command_parses_with_the_real_cli(compose):
    args, error = parse_retrain_daemon(_command(compose["services"]["retrain"]))
    assert args is not None, f"deploy/compose.yaml retrain command: {error}"
    assert args.metrics_host == "0.0.0.0" and args.server_target == "server:50051"


def test_the_gpu_override_reserves_gpus():
    override = yaml.safe_load(GPU_OVERRIDE.read_text())
    for name in ("server", "retrain"):
        service = override["services"][name]
        assert (GPU_OVERRIDE.parent / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["build"]["dockerfile"].endswith("Dockerfile.gpu")
        devices = service["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    args, error = parse_loraloop(_command(override["services"]["server"]))
    assert args is not None, error
    assert args.device == "cuda"


def test_the_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", ".loraloop"} <= ignored


TLS_OVERRIDE = DEPLOY / "compose.tls.yaml"
TLS_ENV = {**ENV, "LORALOOP_TLS_CERT": "/run/secrets/loraloop_tls_cert", "LORALOOP_TLS_KEY": "/run/secrets/loraloop_tls_key",
           "LORALOOP_SERVER_TLS_CA": "/run/secrets/loraloop_tls_ca"}


def test_plaintext_by_default_and_tls_from_the_override_s_secrets(compose):
    args, error = parse_loraloop(_command(compose["services"]["server"]))
    assert args is not None, error
    assert (args.tls_cert, args.tls_key, args.tls_client_ca) == ("", "", "")  # no env: plaintext, as before

    override = yaml.safe_load(TLS_OVERRIDE.read_text())
    secrets = override["secrets"]
    for name, file in (("loraloop_tls_cert", "server.pem"), ("loraloop_tls_key", "server-key.pem"),
                       ("loraloop_tls_ca", "ca.pem")):
        assert expand(secrets[name]["file"], {}) == f"./tls/{file}"
    server = override["services"]["server"]
    mounted = {f"/run/secrets/{s}" for s in server["secrets"]}
    args, error = parse_loraloop([expand(str(a), TLS_ENV) for a in compose["services"]["server"]["command"]])
    assert args is not None, error
    assert {args.tls_cert, args.tls_key} <= mounted
    probe = server["healthcheck"]["test"]
    assert probe[probe.index("--tls-ca") + 1] in mounted and "localhost:50051" in probe
    retrain, error = parse_retrain_daemon([expand(str(a), TLS_ENV) for a in compose["services"]["retrain"]["command"]])
    assert retrain is not None, error
    assert retrain.server_tls_ca in {f"/run/secrets/{s}" for s in override["services"]["retrain"]["secrets"]}


def test_the_gpu_override_keeps_the_tls_flags(compose):
    base = [a for a in compose["services"]["server"]["command"] if str(a).startswith("--tls-")]
    gpu = [a for a in yaml.safe_load(GPU_OVERRIDE.read_text())["services"]["server"]["command"]
           if str(a).startswith("--tls-")]
    assert base == gpu and len(base) == 3
