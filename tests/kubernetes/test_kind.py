"""What a real kind cluster on a laptop needs, each with the named check of `hld render` that
refuses its class: the ingress controller where the host ports are, images kind loaded, a
budget that fits the machine, stand-ins as their images' users, the app contract of AWS,
bootstrapped stand-ins, stable credentials, startup probes, drains past crash loops, the
restricted Pod Security profile."""

from __future__ import annotations

import copy
import functools
import json
import shutil
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from blueprints import load, plan
from generators.kubernetes import kind_cluster, objects
from generators.kubernetes.cluster import addons
from generators.kubernetes.common import KindOptions
from hld.checks.kubernetes import cross_checks
from hld.cli import app
from tests.helpers import EXAMPLE_FILES, EXAMPLES

runner = CliRunner()
DESIGNS = EXAMPLES.parent.parent / "tests" / "data" / "designs"
ALL = [*EXAMPLE_FILES, *sorted(DESIGNS.glob("*.yaml"))]


@functools.cache
def planned(path: str):
    return plan(load(path))


def failing(path, edit=None, kind: KindOptions | None = None, extras=None) -> dict[str, list[str]]:
    """{check: problems} of the named checks that fail after `edit(objs, cluster, addons)`."""
    p = planned(str(path))
    kind = kind or KindOptions()
    objs, cluster, made = copy.deepcopy(objects(p, kind)), kind_cluster(p, kind), addons()
    if edit:
        edit(objs, cluster, made)
    return {name: problems for name, _, problems in cross_checks(p, objs, cluster, kind, made) if problems}


def containers(objs):
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield from ((o, c) for c in o["spec"]["template"]["spec"]["containers"])


URL = EXAMPLES / "url-shortener.yaml"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_render_passes_every_named_check_on_a_laptop(path):
    assert failing(path) == {}


def test_the_ingress_controller_is_placed_where_the_host_ports_are():
    p = planned(str(URL))
    cluster = kind_cluster(p)
    [mapped] = [n for n in cluster["nodes"] if n.get("extraPortMappings")]
    patch = json.loads(addons()["patches"][0]["patch"])
    selector = next(op["value"] for op in patch if op["path"].endswith("nodeSelector"))
    assert selector["ingress-ready"] == mapped["labels"]["ingress-ready"] == "true"
    assert all(m["listenAddress"] == "127.0.0.1" for m in mapped["extraPortMappings"])

    def unplaced(_o, _c, made):
        made["patches"] = made["patches"][1:]

    assert "kind-cluster" in failing(URL, unplaced)


def test_metrics_server_reads_kind_kubelets_or_the_check_fails():
    def no_metrics(_o, _c, made):
        made["patches"] = made["patches"][:1]

    assert any("autoscalers would never scale" in p for p in failing(URL, no_metrics)["kind-cluster"])


def test_node_images_are_pinned_by_digest():
    def tagged(_o, cluster, _m):
        cluster["nodes"][0]["image"] = "kindest/node:v1.33.1"

    assert all("@sha256:" in n["image"] for n in kind_cluster(planned(str(URL)))["nodes"])
    assert any("not pinned by digest" in p for p in failing(URL, tagged)["kind-cluster"])


def test_images_are_used_as_kind_loaded_them():
    assert {c["imagePullPolicy"] for _, c in containers(objects(planned(str(URL))))} == {"IfNotPresent"}

    def always(objs, _c, _m):
        next(c for _, c in containers(objs))["imagePullPolicy"] = "Always"

    assert "pull-policy" in failing(URL, always)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_laptop_profile_fits_four_cpus_and_eight_gib_and_production_does_not(path):
    assert "fits-budget" not in failing(path)
    production = KindOptions(profile="production")
    if path.stem in ("e-commerce", "social-feed", "url-shortener"):
        assert "fits-budget" in failing(path, kind=production)
    assert "fits-budget" not in failing(path, kind=KindOptions(profile="production", cpus=256, memory_gib=1024))


def test_the_budget_advice_never_names_the_profile_in_use():
    for kind in (KindOptions(profile="laptop", cpus=1, memory_gib=1), KindOptions(profile="production")):
        [problem] = failing(EXAMPLES / "e-commerce.yaml", kind=kind)["fits-budget"]
        assert ("--profile laptop" in problem) == (kind.profile != "laptop"), problem
        assert "--cpus" in problem


def test_the_laptop_profile_runs_one_replica_per_zone_with_limits_above_requests():
    p = planned(str(URL))
    zones = len(p.zones(p.primary_region))
    objs = {(o["kind"], o["metadata"]["name"]): o for o in objects(p)}
    deployment = objs[("Deployment", "shortener")]
    assert deployment["spec"]["replicas"] == zones
    hpa = objs[("HorizontalPodAutoscaler", "shortener")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (zones, 2 * zones)
    [c] = deployment["spec"]["template"]["spec"]["containers"]
    assert c["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    assert c["resources"]["limits"] != c["resources"]["requests"]


def test_a_render_that_does_not_fit_is_refused_with_the_budget_named(tmp_path):
    out = tmp_path / "kind"
    result = runner.invoke(
        app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--out", str(out), "--profile", "production"]
    )
    assert result.exit_code == 1 and "fits-budget" in result.output and not out.exists()
    roomy = ["--profile", "production", "--cpus", "128", "--memory-gib", "256"]  # scaled out
    assert runner.invoke(app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--out", str(out), *roomy]).exit_code == 0


def test_dynamodb_local_runs_as_its_images_user_without_telemetry():
    objs = objects(planned(str(URL)))
    [(o, c)] = [(o, c) for o, c in containers(objs) if c["image"].startswith("docker.io/amazon/dynamodb-local")]
    assert c["securityContext"]["runAsUser"] == 1000 == o["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
    assert "-disableTelemetry" in c["args"]

    def as_10001(objs, _c, _m):
        for _, c in containers(objs):
            if c["image"].startswith("docker.io/amazon/dynamodb-local"):
                c["securityContext"]["runAsUser"] = 10001

    assert any("expects 1000" in p for p in failing(URL, as_10001)["stand-in-users"])


def test_the_two_targets_give_every_service_the_same_variables():
    """The ECS task definitions of the AWS program (primary region) against the kind Deployments:
    kind adds only the SDKs' variables and, its PostgreSQL having no IAM, each user's password."""
    from generators.contract import KIND_ONLY, variables
    from hld.offline import synth_stack

    for stack in ("url-shortener-prod", "e-commerce-prod", "social-feed-prod", "payments-ledger-prod"):
        result = synth_stack(stack)
        p = result.plan
        aws = {}
        for task in result.graph.of("aws:ecs/taskDefinition:TaskDefinition"):
            if task.region != p.primary_region:
                continue
            raw = task.inputs["containerDefinitions"]
            [container] = json.loads(raw) if isinstance(raw, str) else raw
            aws[container["name"]] = {e["name"] for e in container["environment"] + container.get("secrets", [])}
        kind = {
            o["metadata"]["name"]: {e["name"] for c in o["spec"]["template"]["spec"]["containers"] for e in c["env"]}
            for o in objects(p)
            if o["kind"] == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == "service"
        }
        assert set(aws) == set(kind) == {s.name for s in p.services}, stack
        for name in aws:
            region = p.primary_region
            passwords = set(variables(p, p.service(name), region, "kubernetes")) - set(
                variables(p, p.service(name), region)
            )
            assert all(v.endswith("_CREDENTIALS") for v in passwords), passwords
            assert kind[name] - KIND_ONLY - passwords == aws[name], (stack, name)

    def dropped(objs, _c, _m):
        deployment = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "shortener")
        env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        env[:] = [e for e in env if not e["name"].endswith("_TABLE")]

    assert any("_TABLE" in p and "AWS" in p for p in failing(URL, dropped)["app-contract"])


def test_sdks_get_a_region_keys_and_each_stand_ins_endpoint():
    deployment = next(
        o for o in objects(planned(str(URL))) if o["metadata"]["name"] == "shortener" and o["kind"] == "Deployment"
    )
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["AWS_REGION"]["value"] == planned(str(URL)).primary_region
    assert env["AWS_ENDPOINT_URL_DYNAMODB"]["value"].startswith("http://dynamodb-local.url-shortener.svc")
    assert env["AWS_ACCESS_KEY_ID"]["valueFrom"]["secretKeyRef"]["name"] == "aws-credentials"


def test_stand_ins_start_with_what_the_blueprint_names():
    p = planned(str(EXAMPLES / "e-commerce.yaml"))
    objs = objects(p)
    config = next(o for o in objs if o["kind"] == "ConfigMap" and "elasticmq.conf" in o["data"])["data"][
        "elasticmq.conf"
    ]
    assert 'host = "elasticmq.e-commerce.svc.cluster.local"' in config  # QueueUrls point at the Service
    for store in p.datastores:
        if store.kind == "queue":
            assert f'deadLettersQueue {{ name = "{store.name}-dlq' in config

    def no_tables(objs, _c, _m):
        for o, c in containers(objs):
            if o["kind"] == "Job":
                c["command"] = ["/bin/sh", "-ec", "true"]

    broken = failing(EXAMPLES / "e-commerce.yaml", no_tables)["stand-ins-bootstrapped"]
    assert any(p.startswith("table ") for p in broken)
    site = DESIGNS / "static-site.yaml"
    assert any(p.startswith("bucket site") for p in failing(site, no_tables)["stand-ins-bootstrapped"])


def test_probes_disruption_budgets_and_pod_security():
    objs = objects(planned(str(URL)))
    assert all(c["startupProbe"] for _, c in containers(objs) if "livenessProbe" in c)
    assert all(
        o["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow" for o in objs if o["kind"] == "PodDisruptionBudget"
    )
    namespace = objs[0]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"

    def no_startup(objs, _c, _m):
        for _, c in containers(objs):
            c.pop("startupProbe", None)

    def strict_pdb(objs, _c, _m):
        for o in objs:
            if o["kind"] == "PodDisruptionBudget":
                del o["spec"]["unhealthyPodEvictionPolicy"]

    def hostpath(objs, _c, _m):
        next(o for o in objs if o["kind"] == "StatefulSet")["spec"]["template"]["spec"]["volumes"].append(
            {"name": "h", "hostPath": {"path": "/"}}
        )

    assert any("no startup probe" in p for p in failing(URL, no_startup)["pod-security"])
    assert any("crash-looping" in p for p in failing(URL, strict_pdb)["objects"])
    assert any("not allowed under restricted" in p for p in failing(URL, hostpath)["pod-security"])


def test_postgres_has_a_headless_governing_service_and_shared_memory():
    objs = objects(planned(str(URL)))
    sts = next(o for o in objs if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "click-stats")
    governing = next(o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == sts["spec"]["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"
    pod = sts["spec"]["template"]["spec"]
    assert {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}} in pod["volumes"]
    assert pod["containers"][0]["securityContext"]["runAsUser"] == 70

    def headful(objs, _c, _m):
        next(o for o in objs if o["kind"] == "Service" and o["metadata"]["name"] == "click-stats-pods")["spec"].pop(
            "clusterIP"
        )

    assert any("not a headless Service" in p for p in failing(URL, headful)["pod-security"])


def test_dns_egress_reaches_coredns_only():
    def any_kube_system(objs, _c, _m):
        policy = next(o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns")
        policy["spec"]["egress"][0]["to"][0].pop("podSelector")

    assert any("DNS egress admits more than CoreDNS" in p for p in failing(URL, any_kube_system)["network"])


def test_credentials_are_kept_across_renders_and_resolve(tmp_path):
    out = tmp_path / "kind"
    args = ["render", str(URL), "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    first = {p.name: p.read_text() for p in (out / "secrets").iterdir()}
    assert runner.invoke(app, args).exit_code == 0
    assert {p.name: p.read_text() for p in (out / "secrets").iterdir()} == first
    assert runner.invoke(app, ["render", str(URL), "--out", str(tmp_path / "other")]).exit_code == 0
    assert {p.name: p.read_text() for p in (tmp_path / "other" / "secrets").iterdir()} != first
    credentials = dict(line.split("=", 1) for line in first["click-stats-credentials.env"].splitlines())
    assert json.loads(credentials["svc_analytics.credentials"]) == {  # the service's own user, not the superuser
        "username": "svc_analytics",
        "password": credentials["svc_analytics.password"],
    }
    assert credentials["svc_analytics.password"] != credentials["POSTGRES_PASSWORD"]

    def unknown(objs, _c, _m):
        for _, c in containers(objs):
            for e in c.get("env", []):
                if "secretKeyRef" in e.get("valueFrom", {}):
                    e["valueFrom"]["secretKeyRef"]["key"] = "NOPE"

    assert "credentials" in failing(URL, unknown)


def test_the_pulumi_program_keeps_credentials_in_state_and_skips_awaiting_the_ingress():
    from hld.offline import synth_stack

    result = synth_stack("url-shortener-kind")
    passwords = result.graph.of("random:index/randomPassword:RandomPassword")
    assert passwords and all(r.inputs["length"] >= 24 for r in passwords)
    # the stand-ins' certificates too: pulumi-tls resources kept in state, never random passwords,
    # each server certificate naming its stand-in's Service names and signed by the CA
    from generators.kubernetes import tls

    plan = planned(str(URL))
    assert not [p for p in passwords if "stand-in-tls" in p.name]
    [ca] = result.graph.of("tls:index/selfSignedCert:SelfSignedCert")
    assert ca.inputs["isCaCertificate"] is True
    certs = result.graph.of("tls:index/locallySignedCert:LocallySignedCert")
    requests = {r.name: r for r in result.graph.of("tls:index/certRequest:CertRequest")}
    assert len(certs) == len(tls.tls_stand_ins(plan)) > 0
    for name, stateful in tls.tls_stand_ins(plan):
        request = requests[f"{plan.name}-tls-{name}-request"]
        assert request.inputs["dnsNames"] == tls.dns_names(plan, name, stateful)


def test_plain_yaml_settable_host_ports_and_a_readme_that_ends_with_curl(tmp_path):
    out = tmp_path / "kind"
    args = ["render", str(URL), "--out", str(out), "--http-port", "8080", "--https-port", "8443"]
    assert runner.invoke(app, args).exit_code == 0
    texts = [p.read_text() for p in out.rglob("*.yaml")]
    assert not any("&id0" in t or "*id0" in t for t in texts)
    cluster = yaml.safe_load((out / "kind-cluster.yaml").read_text())
    assert {m["hostPort"] for n in cluster["nodes"] for m in n.get("extraPortMappings", [])} == {8080, 8443}
    readme = (out / "README.md").read_text()
    commands = readme.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    steps = [c for c in commands if not c.startswith("#")]
    assert steps[0] == "kind create cluster --config kind-cluster.yaml"
    assert steps.index("kubectl apply -k addons") < steps.index("kubectl apply -k .")
    assert steps[-1].startswith("curl ") and "localhost:8080/" in steps[-1]
    same = ["render", str(URL), "--out", str(tmp_path / "x"), "--http-port", "9000", "--https-port", "9000"]
    assert runner.invoke(app, same).exit_code == 2


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_kustomize_builds_the_render_and_hashes_the_secrets(tmp_path):
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", str(URL), "--out", str(out)]).exit_code == 0
    built = list(
        yaml.safe_load_all(
            subprocess.run(["kubectl", "kustomize", str(out)], capture_output=True, text=True, check=True).stdout
        )
    )
    secrets = {o["metadata"]["name"] for o in built if o["kind"] == "Secret"}
    from generators.kubernetes.standins import secret_keys

    assert {name.rsplit("-", 1)[0] for name in secrets} == set(secret_keys(planned(str(URL))))
    pods = [o["spec"]["template"]["spec"] for o in built if o["kind"] in ("Deployment", "StatefulSet", "Job")]
    refs = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for pod in pods
        for c in pod["containers"] + pod.get("initContainers", [])
        for e in c.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    } | {v["secret"]["secretName"] for pod in pods for v in pod.get("volumes", []) if "secret" in v}
    refs |= {
        source["secret"]["name"]
        for pod in pods
        for v in pod.get("volumes", [])
        for source in v.get("projected", {}).get("sources", [])
        if "secret" in source
    }
    assert refs == secrets  # every reference follows the hashed name: changed credentials roll the pods


def test_the_readme_kind_sequence_is_the_one_the_render_writes(tmp_path):
    """The project README's paste-able sequence and url-shortener's render README agree."""
    readme = (EXAMPLES.parent.parent / "README.md").read_text()
    section = readme.split("## Running on a laptop: kind", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    ours = [line.split("  #", 1)[0].strip() for line in section.strip().splitlines()]
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", str(URL), "--out", str(out)]).exit_code == 0
    rendered = (out / "README.md").read_text().split("```sh", 1)[1].split("```", 1)[0]
    theirs = [line.strip() for line in rendered.strip().splitlines() if not line.startswith("#")]
    assert ours[0] == "cd out/url-shortener/kubernetes" and ours[1:] == theirs


def test_every_wait_in_the_readme_names_something_the_render_makes(tmp_path):
    """A static site has no Deployments: `kubectl wait deployment --all` would exit 1 there."""
    for path in [URL, DESIGNS / "static-site.yaml"]:
        out = tmp_path / path.stem
        assert runner.invoke(app, ["render", str(path), "--out", str(out)]).exit_code == 0
        files = {p.name for p in out.iterdir()}
        steps = (out / "README.md").read_text().split("```sh", 1)[1].split("```", 1)[0].splitlines()
        namespace = f"kubectl -n {planned(str(path)).name} "
        for step in [s for s in steps if s.startswith(namespace)]:
            [target] = [t for t in step.split() if "/" in t and not t.startswith("-")]
            kind, name = target.split("/")
            assert f"{kind}-{name}.yaml" in files, step
        assert not any("--all" in step for step in steps)


def test_a_static_site_answers_before_it_is_published_and_jobs_end():
    objs = objects(planned(str(DESIGNS / "static-site.yaml")))
    [job] = [o for o in objs if o["kind"] == "Job"]
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert "mc pipe local/site/index.html" in script and "mc stat local/site/index.html" in script
    assert all(o["spec"]["activeDeadlineSeconds"] <= 600 for o in objs if o["kind"] == "Job")


def pod(objs, name):
    return next(o for o in objs if o["metadata"]["name"] == name and "template" in o.get("spec", {}))["spec"][
        "template"
    ]["spec"]


def only(path, edit, kind: KindOptions | None = None) -> tuple[str, list[str]]:
    """The one named check that `edit` makes fail, and the problems it adds (a render passes every
    check: test_every_render_passes_every_named_check_on_a_laptop)."""
    before, after = failing(path, None, kind), failing(path, edit, kind)
    changed = {name: [p for p in problems if p not in before.get(name, [])] for name, problems in after.items()}
    changed = {name: problems for name, problems in changed.items() if problems}
    assert len(changed) == 1, changed
    return next(iter(changed.items()))


BIG = {"cpus": 128.0, "memory_gib": 256.0}  # the production profile scaled out


def test_probes_ask_the_services_health_path_on_its_port():
    def probe(objs, name, which, **get):
        c = pod(objs, name)["containers"][0]
        c[which] = {**c[which], "httpGet": {**c[which]["httpGet"], **get}}  # the three probes share one check

    def path(objs, _c, _m):
        probe(objs, "shortener", "readinessProbe", path="/")

    def port(objs, _c, _m):
        probe(objs, "shortener", "livenessProbe", port=9090)

    def tcp(objs, _c, _m):
        pod(objs, "analytics")["containers"][0]["startupProbe"] = {"tcpSocket": {"port": "http"}}

    def stand_in(objs, _c, _m):
        pod(objs, "url-cache")["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": "cache"}}

    assert only(URL, path) == (
        "probes",
        ["Deployment/shortener: readinessProbe asks '/', the service's health path is '/healthz'"],
    )
    assert only(URL, port) == (
        "probes",
        ["Deployment/shortener: livenessProbe asks port 9090, the service listens on 8080"],
    )
    assert only(URL, tcp) == ("probes", ["Deployment/analytics: startupProbe is not an HTTP GET of /healthz"])
    assert only(URL, stand_in) == (
        "probes",
        ["Deployment/url-cache: container cache's readinessProbe asks port 'cache', not one it declares"],
    )


def test_autoscalers_scale_the_deployment_on_the_planned_cpu_target():
    def memory(objs, _c, _m):
        hpa = next(o for o in objs if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "shortener")
        hpa["spec"]["metrics"][0]["resource"]["name"] = "memory"

    def target(objs, _c, _m):
        hpa = next(o for o in objs if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "analytics")
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageValue"] = "900m"

    def gone(objs, _c, _m):
        objs[:] = [
            o for o in objs if not (o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "analytics")
        ]

    name, [problem] = only(URL, memory)
    assert (name, problem) == (
        "autoscaling",
        "HorizontalPodAutoscaler/shortener: scales on memory AverageValue 300m, the plan on cpu AverageValue 300m "
        "(60 % of the task's CPU, scaling.target_cpu)",
    )
    assert only(URL, target) == (
        "autoscaling",
        [
            "HorizontalPodAutoscaler/analytics: scales on cpu AverageValue 900m, the plan on cpu AverageValue 150m "
            "(60 % of the task's CPU, scaling.target_cpu)"
        ],
    )
    assert only(URL, gone) == (
        "autoscaling",
        ["analytics: 0 HorizontalPodAutoscalers target it (one scales a service)"],
    )


def test_a_laptop_autoscaler_never_scales_past_the_plans_maximum(tmp_path):
    """With max_scale_out 1 a service of one replica per zone may not scale on AWS: nor on kind."""
    doc = yaml.safe_load(URL.read_text())
    doc["scaling"]["max_scale_out"] = 1
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    p = planned(str(path))
    [cap] = [c for c in p.service("analytics").capacity.value if c.region == p.primary_region]
    hpa = next(o for o in objects(p) if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "analytics")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 3) == (cap.min_replicas, cap.max_replicas)
    assert "autoscaling" not in failing(path)

    def doubled(objs, _c, _m):
        next(o for o in objs if o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "analytics")[
            "spec"
        ]["maxReplicas"] = 6

    assert only(path, doubled) == (
        "autoscaling",
        ["HorizontalPodAutoscaler/analytics: scales 3..6, the plan (laptop profile) needs 3..3"],
    )


def test_limits_are_at_least_the_requests_and_a_service_limit_is_its_task_size():
    def below(objs, _c, _m):
        pod(objs, "url-cache")["containers"][0]["resources"]["limits"]["memory"] = "128Mi"

    def above(objs, _c, _m):
        pod(objs, "shortener")["containers"][0]["resources"]["limits"]["memory"] = "4Gi"

    def unlimited(objs, _c, _m):
        del pod(objs, "dynamodb-local-bootstrap")["containers"][0]["resources"]["limits"]["cpu"]

    assert only(URL, below) == (
        "resources",
        [
            "Deployment/url-cache: container cache's memory limit 128Mi is below its request 256Mi (the API server refuses the pod)"
        ],
    )
    assert only(URL, above) == (
        "resources",
        ["Deployment/shortener: memory limit 4Gi is above the plan's task size (1024 MiB)"],
    )
    assert only(URL, unlimited) == (
        "resources",
        ["Job/dynamodb-local-bootstrap: container bootstrap sets no cpu limit"],
    )

    production = KindOptions(profile="production", **BIG)

    def reserved_less(objs, _c, _m):
        pod(objs, "analytics")["containers"][0]["resources"]["requests"]["cpu"] = "100m"

    assert "resources" not in failing(URL, kind=production)
    assert only(URL, reserved_less, production) == (
        "resources",
        [
            "Deployment/analytics: cpu request 100m is not the plan's task size (256 CPU units), which the "
            "production profile reserves as Fargate does"
        ],
    )


def test_root_filesystems_are_read_only_and_what_a_container_writes_is_a_volume():
    def writable(objs, _c, _m):
        pod(objs, "shortener")["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False

    def no_tmp(objs, _c, _m):
        spec = pod(objs, "dynamodb-local-bootstrap")
        spec["containers"][0]["volumeMounts"] = []

    def no_runtime(objs, _c, _m):
        c = pod(objs, "click-stats")["containers"][0]
        c["volumeMounts"] = [m for m in c["volumeMounts"] if m["mountPath"] != "/var/run/postgresql"]

    assert only(URL, writable) == (
        "read-only-root",
        ["Deployment/shortener: container shortener may write its root filesystem (readOnlyRootFilesystem)"],
    )
    assert only(URL, no_tmp) == (
        "read-only-root",
        ["Job/dynamodb-local-bootstrap: container bootstrap writes /tmp, which is not a writable volume"],
    )
    assert only(URL, no_runtime) == (
        "read-only-root",
        ["StatefulSet/click-stats: container relational writes /var/run/postgresql, which is not a writable volume"],
    )


def test_no_pod_mounts_an_api_token_and_every_account_exists():
    def pod_token(objs, _c, _m):
        pod(objs, "shortener")["automountServiceAccountToken"] = True

    def default_account(objs, _c, _m):
        del pod(objs, "elasticmq")["automountServiceAccountToken"]

    def account_token(objs, _c, _m):
        next(o for o in objs if o["kind"] == "ServiceAccount")["automountServiceAccountToken"] = True

    def ghost(objs, _c, _m):
        pod(objs, "analytics")["serviceAccountName"] = "ghost"

    expected = "Deployment/shortener: mounts a Kubernetes API token it never uses (automountServiceAccountToken)"
    assert only(URL, pod_token) == ("service-account-token", [expected])
    assert only(URL, default_account) == (
        "service-account-token",
        ["Deployment/elasticmq: mounts a Kubernetes API token it never uses (automountServiceAccountToken)"],
    )
    name, problems = only(URL, account_token)
    assert name == "service-account-token" and problems[0].endswith("mounts its API token in every pod that runs as it")
    assert only(URL, ghost) == (
        "service-account-token",
        ["Deployment/analytics: runs as ServiceAccount ghost, which the render does not make"],
    )
