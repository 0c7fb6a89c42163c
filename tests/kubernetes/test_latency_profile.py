"""The kind target's optional latency profile (`hld render --latency`, generators.kubernetes.latency):
off by default (the render is byte for byte what it was); on, `latency.yaml` holds a DaemonSet, alone
privileged in its own namespace, that delays only the other zones' nodes and pods by HOPS['cross-zone']
and removes the delay as it stops."""

from __future__ import annotations

import copy
import functools
import math
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from blueprints import latency as figures
from blueprints import load, plan
from blueprints.latency import Hop
from generators.kubernetes import K8S_VERSION, files, kind_cluster, objects
from generators.kubernetes import latency as profile
from generators.kubernetes.common import KindOptions
from hld.checks.kubernetes import cross_checks, schema_problems
from hld.cli import app
from tests.helpers import EXAMPLE_FILES, EXAMPLES

STEMS = [p.stem for p in EXAMPLE_FILES]
ON = KindOptions(latency=True)


@functools.cache
def planned(stem: str):
    return plan(load(EXAMPLES / f"{stem}.yaml"))


def checks(p, kind=ON, extra=None):
    """Each named check's problems; `extra` replaces the profile's objects (a broken latency.yaml)."""
    if extra is None:
        return {n: probs for n, _, probs in cross_checks(p, objects(p, kind), kind_cluster(p, kind), kind)}
    import generators.kubernetes.latency as module

    original = module.objects
    module.objects = lambda *_: extra  # type: ignore[assignment]
    try:
        return {n: probs for n, _, probs in cross_checks(p, objects(p, kind), kind_cluster(p, kind), kind)}
    finally:
        module.objects = original  # type: ignore[assignment]


def env_of(ds):
    return {e["name"]: e.get("value") for e in ds["spec"]["template"]["spec"]["containers"][0]["env"]}


def latency_objects(p, kind=ON):
    return yaml.safe_load_all(files(p, kind)[profile.FILE])


@pytest.mark.parametrize("stem", STEMS)
def test_off_by_default_the_render_is_unchanged(stem):
    p = planned(stem)
    default = files(p)
    assert default == files(p, KindOptions(latency=False))
    assert profile.FILE not in default
    assert "Feel the latency" not in default["README.md"]
    assert "agnhost" not in default["preload-images.sh"]
    assert "latency-profile" not in checks(p, KindOptions())
    on = files(p, ON)
    assert set(on) - set(default) == {profile.FILE}
    kustomized = yaml.safe_load(on["kustomization.yaml"])["resources"]
    assert profile.FILE not in kustomized and kustomized == yaml.safe_load(default["kustomization.yaml"])["resources"]


@pytest.mark.parametrize("stem", STEMS)
def test_on_every_check_passes_and_the_manifest_validates(stem):
    p = planned(stem)
    found = checks(p)
    assert {n: probs for n, probs in found.items() if probs} == {}
    assert "latency-profile" in found
    objs = list(latency_objects(p))
    assert [o["kind"] for o in objs] == ["Namespace", "DaemonSet"]
    assert schema_problems(objs, K8S_VERSION) == []
    broken = copy.deepcopy(objs)
    broken[1]["spec"]["template"]["spec"]["hostNetwrk"] = True
    assert schema_problems(broken, K8S_VERSION)


def test_privileged_only_in_its_own_namespace():
    p = planned("url-shortener")
    ns, ds = latency_objects(p)
    assert ns["metadata"]["name"] == f"{p.name}-latency" == ds["metadata"]["namespace"]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert ns["metadata"]["annotations"]["kubernetes.io/description"]
    system = next(o for o in objects(p, ON) if o["kind"] == "Namespace")
    assert system["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    pod = ds["spec"]["template"]["spec"]
    c = pod["containers"][0]
    assert pod["hostNetwork"] is True and pod["automountServiceAccountToken"] is False
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    assert c["securityContext"]["privileged"] is False and c["securityContext"]["allowPrivilegeEscalation"] is False
    assert "@sha256:" in c["image"]

    moved = copy.deepcopy([ns, ds])
    moved[1]["metadata"]["namespace"] = p.name  # into the system's restricted namespace
    assert any("node's Network namespace" in x for x in checks(p, extra=moved)["pod-security"])

    unlabelled = copy.deepcopy([ns, ds])
    unlabelled[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
    assert any("its own `privileged` one" in x for x in checks(p, extra=unlabelled)["pod-security"])

    more = copy.deepcopy([ns, ds])
    more[1]["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"].append("SYS_ADMIN")
    assert any("holds more than NET_ADMIN" in x for x in checks(p, extra=more)["pod-security"])

    other = [copy.deepcopy(ns), copy.deepcopy(ds), copy.deepcopy(ds)]
    other[2]["metadata"]["name"] = "another"
    problems = checks(p, extra=other)["pod-security"]
    assert any(
        "DaemonSet/another" in x and "privileged namespace of DaemonSet/zone-latency alone" in x for x in problems
    )


def test_the_delay_comes_from_hops(monkeypatch):
    p = planned("url-shortener")
    ds = list(latency_objects(p))[1]
    hop = figures.HOPS["cross-zone"]
    assert env_of(ds)["DELAY_US"] == str(round(hop.p50 / 2 * 1000))
    monkeypatch.setitem(figures.HOPS, "cross-zone", Hop("cross-zone", "test", 4.0, 10.0, "a test figure"))
    ds = list(latency_objects(p))[1]
    env = env_of(ds)
    assert env["DELAY_US"] == "2000"  # half the round trip's median, each way
    assert env["JITTER_US"] == str(round(6.0 / (2.326348 * math.sqrt(2)) * 1000))  # two-way p99 = 10 ms
    assert checks(p)["latency-profile"] == []
    readme = files(p, ON)["README.md"]
    assert "4 ms median and 10 ms p99" in readme and "2000 us" in readme


def test_a_delay_that_is_not_the_hop_fails_the_check():
    p = planned("url-shortener")
    ns, ds = copy.deepcopy(list(latency_objects(p)))
    for e in ds["spec"]["template"]["spec"]["containers"][0]["env"]:
        if e["name"] == "DELAY_US":
            e["value"] = str(int(e["value"]) * 2)  # the full round trip each way: twice the hop
    assert any("HOPS['cross-zone'] says" in x for x in checks(p, extra=[ns, ds])["latency-profile"])


def test_placed_on_the_zone_workers_and_cleaned_up_on_stop():
    p = planned("url-shortener")
    ds = list(latency_objects(p))[1]
    zones = p.zones(p.primary_region)
    env = env_of(ds)
    assert [pair.split("=")[1] for pair in env["ZONE_NODES"].split()] == zones
    c = ds["spec"]["template"]["spec"]["containers"][0]
    assert "tc qdisc del dev" in " ".join(c["lifecycle"]["preStop"]["exec"]["command"])
    broken = copy.deepcopy(ds)
    del broken["spec"]["template"]["spec"]["containers"][0]["lifecycle"]
    ns = next(iter(latency_objects(p)))
    assert any("does not remove its qdisc" in x for x in checks(p, extra=[ns, broken])["latency-profile"])


FAKES = {
    "dig": '#!/bin/sh\nfor a; do last="$a"; done\ncase "$last" in {cases} esac\n',
    "ip": '#!/bin/sh\ncase "$5" in {routes} esac\n',
    "tc": '#!/bin/sh\necho "tc $*" >> "$TC_LOG"\n',
}


@pytest.mark.skipif(shutil.which("bash") is None, reason="the DaemonSet's program is bash")
def test_the_program_delays_only_other_zones_and_removes_the_delay_on_sigterm(tmp_path: Path):
    """The container's program, run with `dig`, `ip` and `tc` stubbed as a kind node would answer:
    filters for the other zones' node IPs and pod CIDRs only, then `tc qdisc del` on SIGTERM."""
    p = planned("url-shortener")
    ds = list(latency_objects(p))[1]
    env = env_of(ds)
    nodes = [pair.split("=")[0] for pair in env["ZONE_NODES"].split()]
    ips = {n: f"172.18.0.{i + 2}" for i, n in enumerate(nodes)}
    cidrs = {n: f"10.244.{i + 1}.0/24" for i, n in enumerate(nodes)}
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    cases = " ".join(f"{n}) echo {ip};;" for n, ip in ips.items())
    routes = " ".join(f'{ips[n]}) echo "{cidrs[n]} dev eth0 ";;' for n in nodes)
    for name, text in FAKES.items():
        (bin_ / name).write_text(text.format(cases=cases, routes=routes))
        (bin_ / name).chmod(0o755)
    lib = tmp_path / "tc"
    lib.mkdir()
    (lib / "normal.dist").write_text("")
    script = ds["spec"]["template"]["spec"]["containers"][0]["command"][2].replace("/usr/lib/tc ", f"{lib} ", 1)
    log = tmp_path / "tc.log"
    run_env = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    run_env |= {"PATH": f"{bin_}:{os.environ['PATH']}", "NODE_NAME": nodes[0], "TC_LOG": str(log)}
    run_env["RECHECK_SECONDS"] = "1"
    proc = subprocess.Popen(["bash", "-c", script], env=run_env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "flowid" not in (log.read_text() if log.exists() else ""):
            time.sleep(0.1)
        time.sleep(1.5)  # one recheck: the same targets are not applied twice
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    lines = log.read_text().splitlines()
    filters = [ln.split("match ip dst ")[1].split()[0] for ln in lines if "filter add" in ln]
    others = nodes[1:]
    assert filters == [x for n in others for x in (f"{ips[n]}/32", cidrs[n])]
    assert f"{ips[nodes[0]]}/32" not in filters and cidrs[nodes[0]] not in filters
    netem = next(ln for ln in lines if "netem" in ln)
    assert f"delay {env['DELAY_US']}us {env['JITTER_US']}us distribution normal" in netem
    assert "prio bands 4" in next(ln for ln in lines if "prio" in ln)
    assert sum("filter add" in ln for ln in lines) == 2 * len(others)  # applied once
    assert lines[-1] == "tc qdisc del dev eth0 root"  # removed on SIGTERM
    assert "delay removed" in err


def test_readme_says_how_to_apply_measure_and_remove():
    p = planned("url-shortener")
    readme = files(p, ON)["README.md"]
    section = readme.split("## Feel the latency", 1)[1].split("## What each image must do", 1)[0]
    assert "kubectl apply -f latency.yaml" in section
    assert "%{time_connect}" in section
    assert "kubectl delete -f latency.yaml" in section
    for node, _ in profile.zone_nodes(p, ON):
        assert f"docker exec {node} tc qdisc del dev eth0 root" in section
    assert profile.images.ref("agnhost") in files(p, ON)["preload-images.sh"]


def test_cli_switch(tmp_path: Path):
    runner = CliRunner()
    url = EXAMPLES / "url-shortener.yaml"
    assert "--latency" in runner.invoke(app, ["render", "--help"]).output
    result = runner.invoke(app, ["render", str(url), "--out", str(tmp_path / "on"), "--latency"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "on" / profile.FILE).exists()
    result = runner.invoke(app, ["render", str(url), "--out", str(tmp_path / "off")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "off" / profile.FILE).exists()
