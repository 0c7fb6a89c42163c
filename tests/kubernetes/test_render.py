"""The Kubernetes target: schema-valid (strict), consistent across objects, secure by
default, rendered atomically, deterministic, and the same objects through pulumi-kubernetes."""

from __future__ import annotations

import copy
import functools
import json

import pytest
import yaml
from typer.testing import CliRunner

from blueprints import load, plan
from generators.kubernetes import K8S_VERSION, kind_cluster, objects
from generators.kubernetes.common import KindOptions
from hld.checks.kubernetes import cross_problems, schema_problems
from hld.cli import app
from tests.golden_kubernetes import GOLDEN, text
from tests.helpers import EXAMPLE_FILES, EXAMPLES

runner = CliRunner()
PRODUCTION = KindOptions(profile="production", cpus=128, memory_gib=256)  # scaled out


@functools.cache
def planned(stem: str):
    return plan(load(EXAMPLES / f"{stem}.yaml"))


STEMS = [p.stem for p in EXAMPLE_FILES]


@pytest.mark.parametrize("stem", STEMS)
def test_every_object_is_schema_valid_and_consistent(stem):
    p = planned(stem)
    objs = objects(p)
    assert schema_problems(objs, K8S_VERSION) == []
    assert cross_problems(p, objs, kind_cluster(p)) == []
    for obj in objs:
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "hld"
        assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == p.name
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == p.name


def test_strict_validation_refuses_unknown_fields():
    objs = copy.deepcopy(objects(planned("url-shortener")))
    deployment = next(o for o in objs if o["kind"] == "Deployment")
    deployment["spec"]["replica"] = 3
    assert any("replica" in p for p in schema_problems([deployment], K8S_VERSION))


@pytest.mark.parametrize("stem", STEMS)
def test_pods_are_locked_down(stem):
    for obj in objects(planned(stem)):
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
            assert sc["capabilities"] == {"drop": ["ALL"]} and sc["runAsUser"] != 0
            assert c["resources"]["limits"] and c["readinessProbe"] and c["livenessProbe"]
            assert "password" not in json.dumps(c.get("env", [])).lower() or all(
                "valueFrom" in e for e in c.get("env", []) if "PASSWORD" in e["name"]
            )
    accounts = [o for o in objects(planned(stem)) if o["kind"] == "ServiceAccount"]
    assert accounts and all(a["automountServiceAccountToken"] is False for a in accounts)


def test_services_follow_the_plan():
    p = planned("url-shortener")
    objs = {(o["kind"], o["metadata"]["name"]): o for o in objects(p, PRODUCTION)}
    deployment = objs[("Deployment", "shortener")]
    cap = next(c for c in p.service("shortener").capacity.value if c.region == p.primary_region)
    assert deployment["spec"]["replicas"] == cap.min_replicas == 15
    spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert (
        spread[0]["topologyKey"] == "topology.kubernetes.io/zone" and spread[0]["whenUnsatisfiable"] == "DoNotSchedule"
    )
    assert spread[1]["topologyKey"] == "kubernetes.io/hostname"
    hpa = objs[("HorizontalPodAutoscaler", "shortener")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (cap.min_replicas, cap.max_replicas)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 60
    assert objs[("PodDisruptionBudget", "shortener")]["spec"]["minAvailable"] == 10  # 15 - one zone's 5
    ingress = objs[("Ingress", "url-shortener")]["spec"]
    assert ingress["ingressClassName"] == "nginx" and ingress["rules"][0]["host"] == "short.example.com"
    workers = [n for n in kind_cluster(p)["nodes"] if n["role"] == "worker"]
    assert [w["labels"]["topology.kubernetes.io/zone"] for w in workers] == p.zones(p.primary_region)
    assert cross_problems(p, list(objs.values()), kind_cluster(p), PRODUCTION) == []
    assert objs[("StatefulSet", "click-stats")]["spec"]["template"]["spec"]["containers"][0]["image"].startswith(
        "docker.io/library/postgres:"
    )


def _broken(edit, kind=PRODUCTION):
    p = planned("url-shortener")
    objs = copy.deepcopy(objects(p, kind))
    cluster = kind_cluster(p, kind)
    edit(objs, cluster)
    return cross_problems(p, objs, cluster, kind)


def _get(objs, kind, name):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def test_cross_checks_catch_broken_objects():
    def selector(objs, _):
        _get(objs, "Deployment", "analytics")["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = "x"

    def target_port(objs, _):
        _get(objs, "Service", "shortener")["spec"]["ports"][0]["targetPort"] = "web"

    def pdb(objs, _):
        _get(objs, "PodDisruptionBudget", "shortener")["spec"]["minAvailable"] = 14

    def hpa(objs, _):
        _get(objs, "HorizontalPodAutoscaler", "analytics")["spec"]["scaleTargetRef"]["name"] = "gone"

    def extra_flow(objs, _):
        policy = _get(objs, "NetworkPolicy", "click-stats-ingress")
        policy["spec"]["ingress"][0]["from"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "shortener"}}}
        )

    def zones(_, cluster):
        cluster["nodes"][-1]["labels"]["topology.kubernetes.io/zone"] = "us-east-1d"

    assert any("Deployment/analytics: selector does not match" in p for p in _broken(selector))
    assert any("Service/shortener: target port 'web'" in p for p in _broken(target_port))
    assert any("minAvailable 14 blocks draining a zone" in p for p in _broken(pdb))
    assert any("autoscaling: HorizontalPodAutoscaler/analytics: no apps/v1 Deployment gone" in p for p in _broken(hpa))
    assert any("admits shortener to click-stats on 5432" in p for p in _broken(extra_flow))
    assert any("worker zones" in p for p in _broken(zones))


def test_cross_checks_catch_a_loose_budget_wrong_bounds_and_a_soft_spread():
    def loose_pdb(objs, _):
        _get(objs, "PodDisruptionBudget", "shortener")["spec"]["minAvailable"] = 1

    def bounds(objs, _):
        _get(objs, "HorizontalPodAutoscaler", "shortener")["spec"]["maxReplicas"] = 3

    def soft(objs, _):
        spread = _get(objs, "Deployment", "shortener")["spec"]["template"]["spec"]["topologySpreadConstraints"]
        spread[0]["whenUnsatisfiable"] = "ScheduleAnyway"

    assert [p for p in _broken(loose_pdb) if "PodDisruptionBudget/shortener" in p] == [
        "objects: PodDisruptionBudget/shortener: minAvailable 1 lets a drain evict more than a zone's share "
        "(15 pods over 3 zones keep 10)"
    ]
    assert any(p.startswith("autoscaling: HorizontalPodAutoscaler/shortener: scales 15..3") for p in _broken(bounds))
    assert any(p.startswith("objects: Deployment/shortener: not spread over the zones") for p in _broken(soft))


def test_render_writes_the_directory_and_keeps_secrets_out_of_the_objects(tmp_path):
    out = tmp_path / "kind"
    result = runner.invoke(app, ["render", str(EXAMPLES / "url-shortener.yaml"), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["kubernetes"] == K8S_VERSION
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert all((out / f).exists() for f in kustomization["resources"])
    [generator] = [g for g in kustomization["secretGenerator"] if g["name"] == "click-stats-credentials"]
    env = out / generator["envs"][0]
    assert env.stat().st_mode & 0o077 == 0
    password = dict(line.split("=", 1) for line in env.read_text().splitlines())["POSTGRES_PASSWORD"]
    assert len(password) >= 24
    assert not any(password in f.read_text() for f in out.glob("*.yaml"))
    assert "secrets/" in (out / ".gitignore").read_text()
    assert (
        "kind create cluster"
        in runner.invoke(app, ["render", str(EXAMPLES / "url-shortener.yaml"), "--out", str(out)]).output
    )


def test_a_failed_render_leaves_the_previous_one(tmp_path, monkeypatch):
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--out", str(out)]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import importlib

    render_module = importlib.import_module("generators.kubernetes.render")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(render_module, "secret_values", boom)
    result = runner.invoke(app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--out", str(out)])
    assert result.exit_code != 0
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kind"]


def test_render_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    result = runner.invoke(app, ["render", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


@pytest.mark.parametrize("stem", STEMS)
def test_render_matches_golden_and_is_deterministic(stem):
    rendered = text(EXAMPLES / f"{stem}.yaml")
    assert rendered == text(EXAMPLES / f"{stem}.yaml")
    assert rendered == (GOLDEN / f"{stem}.yaml").read_text(), "render changed; if intended, run `make golden`"


def test_pulumi_program_registers_the_same_objects():
    from hld.offline import synth_stack

    result = synth_stack("url-shortener-kind")
    p = planned("url-shortener")
    expected = {(o["kind"], o["metadata"]["name"]): o for o in objects(p)}
    resources = [r for r in result.graph.resources if r.type.startswith("kubernetes:") and r.custom]
    by_key = {(r.type.rsplit(":", 1)[-1], r.inputs["metadata"]["name"]): r for r in resources}
    assert set(expected) <= set(by_key)
    for key, obj in expected.items():
        r = by_key[key]
        metadata = copy.deepcopy(r.inputs["metadata"])
        if key[0] == "Ingress":  # the controller is installed outside the program: no await
            assert metadata["annotations"].pop("pulumi.com/skipAwait") == "true"
            if not metadata["annotations"]:
                del metadata["annotations"]
        assert metadata == obj["metadata"], key
        spec = copy.deepcopy(r.inputs.get("spec"))
        if isinstance(spec, dict) and "template" in spec:  # pods roll when the credentials change
            assert len(spec["template"]["metadata"].pop("annotations")["hld.dev/credentials-sha256"]) == 64
        for field, value in (
            ("spec", spec),
            ("automountServiceAccountToken", r.inputs.get("automountServiceAccountToken")),
        ):
            if field in obj:
                assert value == obj[field], key
    secret = by_key[("Secret", "click-stats-credentials")]
    assert secret.inputs["metadata"]["namespace"] == "url-shortener"
    provider = result.graph.has("pulumi:providers:kubernetes")
    assert provider.inputs["context"] == "kind-url-shortener"


def test_scanner_skips_are_few_and_justified_on_every_workload():
    from generators.kubernetes.common import SCAN_SKIPS

    assert set(SCAN_SKIPS) == {"CKV_K8S_43", "CKV_K8S_35", "CKV_K8S_15"}  # `make scan` (checkov) fails on anything else
    for obj in objects(planned("e-commerce")):
        if obj["kind"] in ("Deployment", "StatefulSet", "Job"):
            notes = obj["metadata"]["annotations"].values()
            user = obj["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
            low = {"CKV_K8S_40"} if user < 10000 else set()  # only where the image needs its own low user
            assert {n.split("=", 1)[0] for n in notes} == set(SCAN_SKIPS) | low
            assert all(len(n.split("=", 1)[1]) > 40 for n in notes)


@pytest.mark.parametrize("target", ["kubernetes", "docs"])
def test_render_to_an_unwritable_directory_exits_2(tmp_path, target):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    out = blocked / "out"
    result = runner.invoke(app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--target", target, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"cannot write {out}" in result.stderr and "Traceback" not in result.output


@functools.cache
def design(stem: str):
    from tests.helpers import DESIGNS

    return plan(load(DESIGNS / f"{stem}.yaml"))


@pytest.mark.parametrize("stem", ["regional-api", "wiki", "static-site", "static-site-waf", "chat"])
def test_the_test_designs_render_valid_and_consistent(stem):
    p = design(stem)
    objs = objects(p)
    assert schema_problems(objs, K8S_VERSION) == []
    assert cross_problems(p, objs, kind_cluster(p)) == []


def test_a_static_site_is_its_object_stand_in_opened_to_reads_behind_the_ingress():
    from generators.kubernetes.standins import MC_IMAGE

    objs = objects(design("static-site"))
    kinds = {o["kind"] for o in objs}
    assert "Deployment" not in kinds and "HorizontalPodAutoscaler" not in kinds
    [ingress] = [o for o in objs if o["kind"] == "Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/rewrite-target"] == "/site/$1"
    [path] = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"]["service"]["name"] == "minio" and path["path"] == "/(.*)"
    [job] = [o for o in objs if o["kind"] == "Job"]
    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == MC_IMAGE
    assert "mc anonymous set download local/site" in container["command"][-1]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert all("valueFrom" in e for e in container["env"] if e["name"].startswith("AWS_"))


def test_long_lived_connections_reach_the_ingress():
    from generators.kubernetes.network import LONG_LIVED

    [chat] = [o for o in objects(design("chat")) if o["kind"] == "Ingress"]
    assert LONG_LIVED.items() <= chat["metadata"]["annotations"].items()
    [api] = [o for o in objects(design("regional-api")) if o["kind"] == "Ingress"]
    assert not set(LONG_LIVED) & set(api["metadata"].get("annotations", {}))


def test_long_lived_connections_drain_as_long_on_kind_as_on_aws():
    from blueprints.figures import SETTINGS

    p = design("chat")
    pods = {o["metadata"]["name"]: o["spec"]["template"]["spec"] for o in objects(p) if o["kind"] == "Deployment"}
    assert p.service("gateway").connections.value == "long-lived"
    delay = SETTINGS["deregistration-delay-long-lived"].value
    assert (
        pods["gateway"]["terminationGracePeriodSeconds"] == delay == p.service("gateway").deregistration_delay_seconds
    )
    # short requests: the AWS delay (30 s) is Kubernetes' own default, left implicit
    short = [o for o in objects(design("regional-api")) if o["kind"] == "Deployment"]
    assert short and all("terminationGracePeriodSeconds" not in o["spec"]["template"]["spec"] for o in short)


def test_network_policies_stay_per_service_when_routes_use_less():
    from generators.kubernetes.network import flows

    p = design("chat")
    reached = {to for to, source, _ in flows(p) if source == "gateway"}
    # its stores' stand-ins (one DynamoDB Local, one ElasticMQ) and the service it calls
    assert reached == {"dynamodb-local", "presence", "elasticmq"}
