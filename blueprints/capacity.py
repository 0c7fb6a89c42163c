"""Capacity: static stability, scaling bounds, task sizes, network layout (pure)."""

from __future__ import annotations

import ipaddress
import math

FARGATE_SIZES: tuple[tuple[int, int, int, int], ...] = (
    # cpu units, min MiB, max MiB, step MiB  (AWS Fargate task size table)
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
)
FARGATE_SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html"


def replicas_per_zone(peak_rps: int, rps_per_replica: int, zones: int) -> int:
    """Static stability: losing one zone still serves peak without scaling."""
    survivors = max(zones - 1, 1)
    return max(1, math.ceil(peak_rps / rps_per_replica / survivors))


def design_rps(peak_rps: int, regions: int, active: bool) -> int:
    """The load one region is sized for: the peak, or in active-active the peak shared by the
    regions left after losing one."""
    return math.ceil(peak_rps / max(regions - 1, 1)) if active else peak_rps


def fullest_zone(replicas: int, zones: int) -> int:
    """Replicas in the zone that holds the most when `replicas` spread evenly over `zones`."""
    return -(-replicas // zones) if zones else replicas


def drain_floor(replicas: int, zones: int) -> int:
    """Replicas that must stay up while a zone's share is drained (a disruption budget): what is
    left after losing the fullest zone, and at least one when there is more than one."""
    return max(replicas - fullest_zone(replicas, zones), 1 if replicas > 1 else 0)


def max_replicas(minimum: int, max_scale_out: float) -> int:
    return max(minimum, math.ceil(minimum * max_scale_out))


def fargate_size(cpu: float, memory_mib: int) -> tuple[int, int]:
    """The smallest Fargate task size holding the requested vCPU and memory."""
    want_cpu = math.ceil(cpu * 1024)
    for units, low, high, step in FARGATE_SIZES:
        if units >= want_cpu and high >= memory_mib:
            mem = max(low, memory_mib)
            mem = low + math.ceil((mem - low) / step) * step
            return units, mem
    units, _, high, _ = FARGATE_SIZES[-1]
    return units, high


def subnet_layout(vpc_cidr: str, zones: int) -> dict[str, list[str]]:
    """Private /19 per zone from the first 3/4 of the /16; public and isolated /22s after it."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    quarters = list(vpc.subnets(new_prefix=vpc.prefixlen + 2))
    private_pool = list(vpc.subnets(new_prefix=vpc.prefixlen + 3))[:6]
    tail = list(quarters[3].subnets(new_prefix=vpc.prefixlen + 6))
    public_pool, isolated_pool = tail[:8], tail[8:]
    return {
        "private": [str(n) for n in private_pool[:zones]],
        "public": [str(n) for n in public_pool[:zones]],
        "isolated": [str(n) for n in isolated_pool[:zones]],
    }
