from __future__ import annotations

import ipaddress

import pytest

from blueprints.capacity import fargate_size, max_replicas, replicas_per_zone, subnet_layout


@pytest.mark.parametrize(
    ("peak", "per_replica", "zones", "expected"),
    [
        (5000, 500, 3, 5),  # 10 replicas' worth over 2 surviving zones
        (5000, 500, 2, 10),  # one surviving zone carries everything
        (100, 500, 3, 1),  # never fewer than one per zone
        (3000, 300, 3, 5),
        (1001, 100, 3, 6),  # rounds up
        (900, 100, 1, 9),  # a single zone: no survivor to divide by
    ],
)
def test_replicas_per_zone_is_statically_stable(peak, per_replica, zones, expected):
    got = replicas_per_zone(peak, per_replica, zones)
    assert got == expected
    if zones > 1:  # losing any one zone still serves peak
        assert got * (zones - 1) * per_replica >= peak


def test_max_replicas():
    assert max_replicas(15, 10) == 150
    assert max_replicas(3, 1.5) == 5
    assert max_replicas(4, 1) == 4


@pytest.mark.parametrize(
    ("cpu", "memory", "expected"),
    [
        (0.25, 512, (256, 512)),
        (0.5, 1024, (512, 1024)),
        (0.5, 1536, (512, 2048)),  # memory steps by 1 GiB at 512 units
        (0.25, 4096, (512, 4096)),  # memory forces a bigger CPU size
        (1, 512, (1024, 2048)),  # the minimum memory for 1 vCPU
        (3, 8192, (4096, 8192)),
        (16, 200000, (16384, 122880)),
    ],
)
def test_fargate_size(cpu, memory, expected):
    assert fargate_size(cpu, memory) == expected


@pytest.mark.parametrize("zones", [1, 2, 3, 6])
def test_subnet_layout_is_disjoint_and_inside_the_vpc(zones):
    layout = subnet_layout("10.16.0.0/16", zones)
    nets = [ipaddress.ip_network(c) for tier in layout.values() for c in tier]
    assert len(nets) == 3 * zones
    vpc = ipaddress.ip_network("10.16.0.0/16")
    for i, a in enumerate(nets):
        assert a.subnet_of(vpc)
        for b in nets[i + 1 :]:
            assert not a.overlaps(b)


def test_a_service_called_synchronously_is_sized_for_what_its_callers_send():
    from blueprints import plan
    from blueprints.whatif import explain
    from tests.helpers import make, parse_doc

    def svc(name, uses, peak=None, **extra):
        return (
            {"name": name, "image": f"ghcr.io/x/{name}:1", "uses": uses, "rps_per_replica": 100}
            | ({"peak_rps": peak} if peak else {})
            | extra
        )

    doc = make(
        availability=99.9,
        redundancy={"level": "multi-zone"},
        services=[
            svc("api", ["worker", "db"], 300, public=True, routes=["GET /"]),
            svc("admin", ["worker", "jobs"], 200, public=True, routes=["GET /admin"]),
            svc("worker", ["db"]),
            svc("consumer", ["jobs"]),
        ],
        datastores=[{"name": "db", "kind": "relational"}, {"name": "jobs", "kind": "queue"}],
    )
    p = plan(parse_doc(doc))
    worker = p.service("worker")
    assert worker.peak_rps == 500 and "api (300 rps)" in worker.peak_source and "admin (200 rps)" in worker.peak_source
    [cap] = worker.capacity.value
    assert (cap.min_replicas - cap.replicas_per_zone) * 100 >= 500  # a zone lost, the callers' peak served
    assert "called by" in worker.capacity.reason
    assert p.service("consumer").peak_rps is None  # fed through a queue: no synchronous load
    assert p.service("api").peak_rps == 300 and p.service("api").peak_source == "peak_rps"
    impact = explain(p, "zone-loss")
    held = {s.service: s for s in impact.services}
    assert held["worker"].peak_rps == 500 and held["worker"].enough_without_scaling


def test_the_capacity_left_after_a_loss_is_the_sum_its_detail_shows():
    import re

    from blueprints import load, plan
    from blueprints.whatif import explain
    from tests.helpers import EXAMPLES

    p = plan(load(EXAMPLES / "url-shortener.yaml"))  # active-active: other regions add to what is left
    for s in explain(p, "zone-loss").services:
        shown = [int(x) for x in re.findall(r"= (\d+) rps vs|plus (\d+) rps", s.detail) for x in x if x]
        assert sum(shown) == s.capacity_rps_left, s.detail
    assert any("plus" in s.detail for s in explain(p, "zone-loss").services)
