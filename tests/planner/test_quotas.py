"""The AWS quotas a design needs (blueprints.planner.quotas) beside AWS's defaults (blueprints.quotas):
Fargate vCPU recomputed from a blueprint's tasks and sizes, the counts against what the aws target
deploys, and a warning (never a failure) where a design needs more than AWS gives an account."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from blueprints import load, plan
from blueprints.quotas import QUOTAS
from hld.cli import app
from tests.helpers import DESIGNS, EXAMPLE_FILES, EXAMPLES, ROOT, make, parse_doc

runner = CliRunner()

FARGATE_VCPU = (0.25, 0.5, 1, 2, 4, 8, 16)
"""Fargate's task CPU sizes, in vCPU (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html)."""


def task_vcpu(cpu: float) -> float:
    return next(size for size in FARGATE_VCPU if size >= cpu)


def needs(p, quota: str) -> dict[str, tuple[float, float]]:
    assert p.quotas is not None
    return {n.region: (n.minimum, n.maximum) for n in p.quotas.needs if n.quota == quota}


def test_fargate_vcpu_is_the_tasks_times_their_size_recomputed_from_the_blueprint():
    bp = load(EXAMPLES / "url-shortener.yaml")
    zones = bp.redundancy.zones or 3
    scale = bp.scaling.max_scale_out
    shortener, analytics = bp.service("shortener"), bp.service("analytics")
    assert shortener is not None and analytics is not None and shortener.peak_rps
    # active-active over two regions: each region carries the whole peak when the other is lost, and
    # each zone its share when a zone is lost; analytics has no peak: one task per zone
    per_zone = math.ceil(shortener.peak_rps / shortener.rps_per_replica / (zones - 1))
    tasks = {"shortener": (per_zone * zones, shortener.cpu), "analytics": (zones, analytics.cpu)}
    low = sum(n * task_vcpu(cpu) for n, cpu in tasks.values())
    high = sum(math.ceil(n * scale) * task_vcpu(cpu) for n, cpu in tasks.values())
    assert (low, high) == (8.25, 82.5)
    assert needs(plan(bp), "fargate-vcpu") == dict.fromkeys(bp.regions, (low, high))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_reference_needs_its_replicas_times_task_cpu_in_each_region(path):
    p = plan(load(path))
    for region in p.regions.value:
        caps = [(s, c) for s in p.services for c in s.capacity.value if c.region == region]
        low = sum(c.min_replicas * s.task_cpu.value for s, c in caps) / 1024
        high = sum(c.max_replicas * s.task_cpu.value for s, c in caps) / 1024
        assert needs(p, "fargate-vcpu")[region] == (low, high)
        # the references need 8 to 18 vCPU at the minimum, 29 to 87 at the maximum: more than a new
        # account's quota, even at the minimum
        assert QUOTAS["fargate-vcpu"].threshold < 8 <= low < 18 and 29 <= high < 87


COUNTED = {
    "vpcs": ("aws:ec2/vpc:Vpc",),
    "eips": ("aws:ec2/eip:Eip",),
    "albs": ("aws:lb/loadBalancer:LoadBalancer",),
    "target-groups": ("aws:lb/targetGroup:TargetGroup",),
    "listener-rules": ("aws:lb/listenerRule:ListenerRule",),
    "security-groups": ("aws:ec2/securityGroup:SecurityGroup",),
    "db-instances": ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"),
    "db-clusters": ("aws:rds/cluster:Cluster",),
    "certificates": ("aws:acm/certificate:Certificate",),
    "distributions": ("aws:cloudfront/distribution:Distribution",),
    "hosted-zones": ("aws:route53/zone:Zone",),
}
"""Quotas whose need is a count of one kind of resource in the deployed graph."""


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_the_counts_are_what_the_aws_target_deploys(path):
    """Summed over the regions, each count is the number of those resources in the stack's golden
    resource list (tests/golden/aws, the program run offline)."""
    p = plan(load(path))
    golden = (ROOT / "tests" / "golden" / "aws" / f"{p.name}-prod.txt").read_text().splitlines()
    types = [line.split("  ")[0] for line in golden]
    for quota, kinds in COUNTED.items():
        counted = sum(maximum for _, maximum in needs(p, quota).values())
        assert counted == sum(types.count(k) for k in kinds), quota


def test_a_design_over_a_default_warns_with_the_quota_the_need_and_the_request():
    p = plan(load(EXAMPLES / "url-shortener.yaml"))
    assert p.ok and p.quotas is not None
    [warning] = p.quotas.warnings  # both regions need the same: one warning names them
    assert warning.startswith(
        "Fargate On-Demand vCPU resource count in us-east-1, us-west-2: the design needs 82.5 vCPU"
    )
    assert "more than the 6 a new account may start with (AWS's default is 4,000" in warning
    assert (
        "aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 "
        "--desired-value 158 --region us-east-1 (likewise with --region us-west-2)" in warning
    )
    assert any("Your account must be verified before you can add new CloudFront resources" in n for n in p.quotas.notes)


def test_six_nat_gateways_are_more_elastic_ips_than_a_region_has():
    doc = make(redundancy={"level": "multi-zone", "zones": 6}, regions=["us-east-1"])
    p = plan(parse_doc(doc))
    assert needs(p, "eips") == {"us-east-1": (6, 6)}
    [warning] = [w for w in p.quotas.warnings if w.startswith("EC2-VPC Elastic IPs")]
    assert warning.startswith("EC2-VPC Elastic IPs in us-east-1: the design needs 6, more than AWS's default of 5")
    assert "--service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region us-east-1" in warning


def test_a_design_within_the_defaults_does_not_warn():
    p = plan(load(DESIGNS / "chat.yaml"))
    assert p.quotas is not None and p.quotas.needs
    assert p.quotas.warnings == []
    assert all(n.maximum <= QUOTAS[n.quota].threshold and not n.over for n in p.quotas.needs)
    result = runner.invoke(app, ["plan", str(DESIGNS / "chat.yaml")])
    assert result.exit_code == 0 and "AWS quotas the design needs" in result.output
    assert "more than AWS's default" not in result.output  # no quota warning (operations may warn of alerts)


def test_a_warning_leaves_hld_plan_succeeding_and_is_in_its_json():
    path = str(EXAMPLES / "url-shortener.yaml")
    shown = runner.invoke(app, ["plan", path], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    assert re.search(r"Warning: Fargate On-Demand vCPU resource count in us-east-1, us-west-2", shown.output)
    data = json.loads(runner.invoke(app, ["plan", path, "--json"]).stdout)
    assert data["ok"] is True
    assert [n["region"] for n in data["quotas"]["needs"] if n["quota"] == "fargate-vcpu"] == ["us-east-1", "us-west-2"]
    assert data["quotas"]["warnings"][0].startswith("Fargate On-Demand vCPU resource count")


def test_every_quota_has_a_source_a_date_and_codes_where_the_fix_is_a_cli_call():
    for q in QUOTAS.values():
        assert q.source.startswith("https://docs.aws.amazon.com/") and q.checked
        assert bool(q.service_code) == bool(q.quota_code), q.key
        assert q.threshold <= q.default
    assert QUOTAS["fargate-vcpu"].quota_code == "L-3032A538" and not QUOTAS["fargate-vcpu"].verified
