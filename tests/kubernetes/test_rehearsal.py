"""The README's "Rehearse a zone loss": a runbook for exactly the cluster's zone workers, under the
names kind gives them, with the replicas and disruption budgets the render writes."""

from __future__ import annotations

import re

import pytest
import yaml

from blueprints import load, plan
from generators.kubernetes import files
from generators.kubernetes.common import KindOptions
from generators.kubernetes.rehearsal import node_names
from tests.helpers import EXAMPLE_FILES

ZONE = "topology.kubernetes.io/zone"


def _kind_names(config: dict) -> list[tuple[str, str]]:
    """(node, zone) of each zone worker, named as kind does (recomputed here: control plane
    `<name>-control-plane`, workers `<name>-worker`, `<name>-worker2`, ...)."""
    workers = [n for n in config["nodes"] if n["role"] == "worker"]
    return [
        (f"{config['name']}-worker{'' if i == 0 else i + 1}", node["labels"][ZONE])
        for i, node in enumerate(workers)
        if ZONE in node.get("labels", {})
    ]


def _rehearsal(readme: str) -> str:
    return readme.split("## Rehearse a zone loss", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("profile", ["laptop", "production"])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_runbook_names_exactly_the_clusters_zone_nodes(path, profile):
    out = files(plan(load(path)), KindOptions(profile=profile))
    config = yaml.safe_load(out["kind-cluster.yaml"])
    expected = _kind_names(config)
    assert len(expected) == len(config["nodes"]) - 1  # every worker stands for a zone
    text = _rehearsal(out["README.md"])
    assert re.findall(r"^### Lose (\S+) \(node `([^`]+)`\)$", text, re.M) == [(z, n) for n, z in expected]
    for verb in (
        r"kubectl drain (\S+) --ignore-daemonsets --delete-emptydir-data",
        r"kubectl uncordon (\S+)",
        r"docker stop (\S+)",
        r"docker start (\S+)",
    ):
        assert re.findall(f"^{verb}$", text, re.M) == [n for n, _ in expected], verb
    assert f"kubectl -n {config['name']} get pods -o wide -w" in text


@pytest.mark.parametrize("profile", ["laptop", "production"])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_runbooks_replicas_are_the_rendered_deployments_and_budgets(path, profile):
    out = files(plan(load(path)), KindOptions(profile=profile))
    docs = [yaml.safe_load(body) for name, body in out.items() if name.endswith(".yaml") and "/" not in name]
    objs = [d for d in docs if isinstance(d, dict) and "kind" in d]
    budgets = {o["metadata"]["name"]: o["spec"]["minAvailable"] for o in objs if o["kind"] == "PodDisruptionBudget"}
    deployments = {o["metadata"]["name"]: o["spec"]["replicas"] for o in objs if o["kind"] == "Deployment"}
    zones = len(yaml.safe_load(out["kind-cluster.yaml"])["nodes"]) - 1
    rows = re.findall(
        r"^\| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \(minAvailable\) \| (\d+) on the other (\d+) nodes \|$",
        _rehearsal(out["README.md"]),
        re.M,
    )
    assert [r[0] for r in rows] == [n for n in deployments if n in budgets]
    for name, replicas, most, budget, after, others in rows:
        assert int(replicas) == deployments[name] and int(budget) == budgets[name] and int(after) == deployments[name]
        assert int(most) == -(-deployments[name] // zones) and int(others) == zones - 1
        # a drain keeps the budget, and the budget leaves room to evict one zone's share
        assert deployments[name] - int(most) >= budgets[name]


def test_kind_names_nodes_per_role_in_order():
    config = {
        "name": "c",
        "nodes": [{"role": "control-plane"}, {"role": "worker"}, {"role": "worker"}, {"role": "worker"}],
    }
    assert node_names(config) == ["c-control-plane", "c-worker", "c-worker2", "c-worker3"]
    config["nodes"].insert(1, {"role": "control-plane"})
    assert node_names(config)[:2] == ["c-control-plane", "c-control-plane2"]


def test_a_design_with_stand_ins_says_which_cannot_move():
    out = files(plan(load(next(p for p in EXAMPLE_FILES if p.stem == "e-commerce"))))
    text = _rehearsal(out["README.md"])
    assert "`orders` (StatefulSet)" in text and "stays Pending until the node is back" in text
    assert "kubectl -n e-commerce get pods -l app.kubernetes.io/component=datastore -o wide" in text
