"""deploy/k8s/: every manifest validates against the Kubernetes JSON schemas (offline), and they fit together.

The validator is `kubernetes-validate` (dev extra): it bundles the schemas of each Kubernetes release, so
it needs no network. Kinds that are not core Kubernetes API objects have no schema there and are skipped
on purpose (SKIPPED_KINDS, the equivalent of kubeconform's -skip flag); the ServiceMonitor gets the
structural checks below instead.
"""

from __future__ import annotations

import copy
import re

import pytest

from tests.deploy.cli_args import expand, parse_loraloop, parse_retrain_daemon
from tests.deploy.promql import DEPLOY, load_yaml_docs

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate not installed (dev extra; scripts/install-ops-tools.sh)")
from kubernetes_validate import utils as kv  # noqa: E402

K8S = DEPLOY / "k8s"
# The oldest release we support (native gRPC probes are GA since 1.27) and the newest the package knows.
VERSIONS = ("1.30", kv.latest_version())
SKIPPED_KINDS = {
    "ServiceMonitor": "Prometheus Operator CRD (monitoring.coreos.com/v1): checked structurally below",
    "Kustomization": "kustomize's build file, not an API object sent to the cluster",
}


def _docs() -> list[tuple[str, dict]]:
    return [(path.name, doc) for path in sorted(K8S.glob("*.yaml")) for doc in load_yaml_docs(path)]


def _by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in _docs() if doc["kind"] == kind}


def _container(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("version", VERSIONS)
def test_manifests_validate_strictly_against_the_schemas(version):
    checked = 0
    for name, doc in _docs():
        if doc["kind"] in SKIPPED_KINDS:
            continue
        try:
            kv.validate(doc, version, strict=True)
        except kv.ValidationError as e:
            pytest.fail(f"{name} {doc['kind']}/{doc['metadata']['name']} (k8s {version}): {e.message} at {list(e.path)}")
        checked += 1
    assert checked >= 8


def test_the_validator_rejects_a_broken_manifest():
    deployment = copy.deepcopy(_by_kind("Deployment")["loraloop-server"])
    _container(deployment)["readinessProbe"]["grpc"]["port"] = "fifty"
    with pytest.raises(kv.ValidationError):
        kv.validate(deployment, VERSIONS[-1], strict=True)
    deployment = copy.deepcopy(_by_kind("Deployment")["loraloop-server"])
    _container(deployment)["readinesProbe"] = _container(deployment).pop("readinessProbe")  # a typo
    with pytest.raises(kv.ValidationError):
        kv.validate(deployment, VERSIONS[-1], strict=True)


def test_only_documented_kinds_are_skipped():
    kinds = {doc["kind"] for _, doc in _docs()}
    assert kinds & set(SKIPPED_KINDS) == {"ServiceMonitor", "Kustomization"}
    for kind in kinds - set(SKIPPED_KINDS):
        doc = next(d for _, d in _docs() if d["kind"] == kind)
        kv.validate(doc, VERSIONS[-1])  # has a schema: raises SchemaNotFoundError otherwise


def test_server_requests_a_gpu_and_uses_native_grpc_probes():
    server = _by_kind("Deployment")["loraloop-server"]
    container = _container(server)
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == 50051, probe
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": 50051, "http": 8000, "metrics": 9400}
    assert "--http-port=8000" in container["args"]  # the OpenAI-compatible API listens where the port says

def test_server_replicas_roll_one_at_a_time_under_a_disruption_budget():
    server = _by_kind("Deployment")["loraloop-server"]
    assert server["spec"]["replicas"] >= 2
    strategy = server["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}  # no spare GPU for a surge pod
    budget = _by_kind("PodDisruptionBudget")["loraloop-server"]
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"] == server["spec"]["selector"]["matchLabels"]


def test_both_processes_take_the_database_url_from_the_secret():
    for name in ("loraloop-server", "loraloop-retrain"):
        container = _container(_by_kind("Deployment")[name])
        assert "--db-url=$(LORALOOP_DB_URL)" in container["args"], name
        [env] = [e for e in container["env"] if e["name"] == "LORALOOP_DB_URL"]
        assert env["valueFrom"]["secretKeyRef"] == {"name": "loraloop-database", "key": "url"}, name
    assert not any("DB" in key for key in _by_kind("ConfigMap")["loraloop-config"]["data"])  # no URL in plain config


def test_pods_run_as_non_root():
    for name, deployment in {**_by_kind("Deployment"), **_by_kind("Job")}.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0, name
        assert _container(deployment)["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_selectors_ports_volumes_and_config_fit_together():
    deployments, services = _by_kind("Deployment"), _by_kind("Service")
    claims, configmap = _by_kind("PersistentVolumeClaim"), _by_kind("ConfigMap")["loraloop-config"]
    for name, deployment in {**deployments, **_by_kind("Job")}.items():
        spec = deployment["spec"]
        labels = spec["template"]["metadata"]["labels"]
        assert all(labels.get(k) == v for k, v in spec.get("selector", {}).get("matchLabels", {}).items()), name
        pod = spec["template"]["spec"]
        for volume in pod["volumes"]:
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, f"{name}: {volume}"
        mounted = {m["name"] for c in pod["containers"] for m in c["volumeMounts"]}
        assert mounted <= {v["name"] for v in pod["volumes"]}, name
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in _by_kind("ConfigMap"), name
            env = {e["name"] for e in container.get("env", [])} | set(configmap["data"])
            for arg in container.get("args", []):
                for var in re.findall(r"\$\((\w+)\)", arg):
                    assert var in env, f"{name}: $({var}) is not defined"
    for name, service in services.items():
        pods = [d for d in deployments.values()
                if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in service["spec"]["selector"].items())]
        assert len(pods) == 1, f"service {name} selects {len(pods)} deployments"
        named = {p["name"] for p in _container(pods[0])["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= named, name


def test_storage_modes_adapters_shared_and_the_daemon_on_any_node():
    claims = _by_kind("PersistentVolumeClaim")
    assert claims["loraloop-adapters"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "loraloop-feedback" not in claims  # the database is Postgres, not a volume
    assert claims["loraloop-retrain-state"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    retrain = _by_kind("Deployment")["loraloop-retrain"]
    assert retrain["spec"]["replicas"] == 1
    assert "affinity" not in retrain["spec"]["template"]["spec"]  # no longer pinned to the server's node
    server_claims = {v["persistentVolumeClaim"]["claimName"] for v in
                     _by_kind("Deployment")["loraloop-server"]["spec"]["template"]["spec"]["volumes"]
                     if "persistentVolumeClaim" in v}
    assert "loraloop-retrain-state" not in server_claims  # only the daemon mounts its ReadWriteOnce volume


def test_the_trial_postgres_validates_and_serves_the_url_the_readme_gives():
    docs = load_yaml_docs(K8S / "postgres-trial" / "postgres.yaml")
    for doc in docs:
        for version in VERSIONS:
            kv.validate(doc, version, strict=True)
    statefulset = next(d for d in docs if d["kind"] == "StatefulSet")
    service = next(d for d in docs if d["kind"] == "Service")
    env = {e["name"]: e for e in _container(statefulset)["env"]}
    assert env["POSTGRES_DB"]["value"] == env["POSTGRES_USER"]["value"] == "loraloop"
    assert "--locale=C" in env["POSTGRES_INITDB_ARGS"]["value"]
    assert service["metadata"]["name"] == "loraloop-postgres" and service["spec"]["ports"][0]["port"] == 5432
    [kustomization] = load_yaml_docs(K8S / "postgres-trial" / "kustomization.yaml")
    assert kustomization["resources"] == ["postgres.yaml"]


def test_service_monitor_scrapes_the_metrics_ports():
    monitor = _by_kind("ServiceMonitor")["loraloop"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selector = monitor["spec"]["selector"]["matchLabels"]
    scraped = {name for name, s in _by_kind("Service").items()
               if all(s["metadata"]["labels"].get(k) == v for k, v in selector.items())}
    assert scraped == {"loraloop-server", "loraloop-retrain"}  # job label = service name, as the rules expect
    for name in scraped:
        assert {e["port"] for e in monitor["spec"]["endpoints"]} <= {p["name"] for p in _by_kind("Service")[name]["spec"]["ports"]}


def test_kustomization_lists_the_manifests():
    kustomization = next(doc for _, doc in _docs() if doc["kind"] == "Kustomization")
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "demo-seed-job.yaml"}
    assert set(kustomization["resources"]) == files
    assert all((K8S / f).is_file() for f in kustomization["resources"])


def _args(deployment: str) -> list[str]:
    configmap = _by_kind("ConfigMap")["loraloop-config"]["data"]
    values = {**configmap, "LORALOOP_ADMIN_TOKEN": "token-from-the-secret",
              "LORALOOP_DB_URL": "postgresql://loraloop:pw@db:5432/loraloop"}
    return [expand(a, values) for a in _container(_by_kind("Deployment")[deployment])["args"]]


def test_server_args_parse_with_the_real_cli():
    args, error = parse_loraloop(_args("loraloop-server"))
    assert args is not None, error
    assert args.device == "cuda" and args.model == "/models/base" and args.admin_token == "token-from-the-secret"


def test_retrain_args_parse_with_the_real_cli():
    args, error = parse_retrain_daemon(_args("loraloop-retrain"))
    assert args is not None, f"deploy/k8s/retrain.yaml args: {error}"
    assert args.server_target == "loraloop-server:50051" and args.admin_token == "token-from-the-secret"
    assert args.db_url == "postgresql://loraloop:pw@db:5432/loraloop"


def _apply_json_patch(doc: dict, ops: list[dict]) -> dict:
    """The `add` and `replace` operations of RFC 6902 that the TLS component uses (kustomize applies them)."""
    doc = copy.deepcopy(doc)
    for op in ops:
        *parents, last = [int(p) if p.isdigit() else p for p in op["path"].lstrip("/").split("/")]
        node = doc
        for part in parents:
            node = node[part]
        if op["op"] == "add" and last == "-":
            node.append(copy.deepcopy(op["value"]))
        elif op["op"] in ("add", "replace"):
            assert op["op"] == "add" or last in node, f"replace of a missing {op['path']}"
            node[last] = copy.deepcopy(op["value"])
        else:
            raise AssertionError(f"unsupported op {op['op']}")
    return doc


def test_the_tls_component_patches_validate_and_parse_with_the_real_cli():
    component = K8S / "components" / "tls"
    [kustomization] = load_yaml_docs(component / "kustomization.yaml")
    assert kustomization["kind"] == "Component"
    deployments = _by_kind("Deployment")
    patched = {}
    for patch in kustomization["patches"]:
        [ops] = load_yaml_docs(component / patch["path"])
        patched[patch["target"]["name"]] = _apply_json_patch(deployments[patch["target"]["name"]], ops)
    for name, doc in patched.items():
        for version in VERSIONS:
            kv.validate(doc, version, strict=True)
        pod = doc["spec"]["template"]["spec"]
        [tls] = [v for v in pod["volumes"] if v["name"] == "tls"]
        assert tls["secret"]["secretName"] == "loraloop-tls", name
        [mount] = [m for m in _container(doc)["volumeMounts"] if m["name"] == "tls"]
        assert mount["readOnly"] and mount["mountPath"] == "/etc/loraloop/tls"
    env = {"MODEL": "/models/base", "ADAPTER_STORE": "/data/adapters", "LORALOOP_DB_URL": "postgresql://db/loraloop",
           "GPU_MEMORY_UTILIZATION": "0.9", "LORALOOP_ADMIN_TOKEN": "t"}
    server = _container(patched["loraloop-server"])
    args, error = parse_loraloop([expand(a, env) for a in server["args"]])
    assert args is not None, error
    assert (args.tls_cert, args.tls_key) == ("/etc/loraloop/tls/tls.crt", "/etc/loraloop/tls/tls.key")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):  # native gRPC probes cannot do TLS
        command = server[probe]["exec"]["command"]
        assert command[:3] == ["python", "-m", "loraloop.healthcheck"] and "/etc/loraloop/tls/ca.crt" in command
    assert "loraloop.v1.Chat" in server["readinessProbe"]["exec"]["command"]
    retrain, error = parse_retrain_daemon([expand(a, env) for a in _container(patched["loraloop-retrain"])["args"]])
    assert retrain is not None, error
    assert retrain.server_tls_ca == "/etc/loraloop/tls/ca.crt"
