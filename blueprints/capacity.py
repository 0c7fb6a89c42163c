"""Capacity: static stability, scaling bounds, task sizes, network layout (pure)."""

from __future__ import annotations

import ipaddress
import math
from typing import Any

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


def fargate_rounding(cpu: float, memory_mib: int) -> str | None:
    """Why `fargate_size` gives more than asked, in words (None: the request is a Fargate size)."""
    units, mem = fargate_size(cpu, memory_mib)
    want_cpu = math.ceil(cpu * 1024)
    if units == want_cpu and mem == memory_mib:
        return None
    why = []
    if units > want_cpu:
        fits = next((u for u, _, high, _ in FARGATE_SIZES if u >= want_cpu), units)
        if fits < units:
            below, high = max((u, h) for u, _, h, _ in FARGATE_SIZES if u < units)
            why.append(f"{below} CPU units hold at most {high} MiB, so {memory_mib} MiB needs {units}")
        else:
            why.append(f"Fargate's CPU sizes are {', '.join(str(u) for u, *_ in FARGATE_SIZES)} units")
    if mem > memory_mib:
        low, step = next((lo, st) for u, lo, _, st in FARGATE_SIZES if u == units)
        why.append(f"{units} CPU units take {low} MiB or more, in steps of {step} MiB")
    return f"rounded up from {cpu} vCPU ({want_cpu} units) / {memory_mib} MiB: " + "; ".join(why)


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


def offered_load(bp: Any) -> dict[str, tuple[int | None, str]]:
    """Each service's peak requests a second and where the figure comes from: its own `peak_rps`,
    else what the services calling it synchronously send at their peaks (each of their requests
    times the edge's `calls`, one unless stated), summed; None where neither exists (the service is then
    spread one replica a zone and scaled on CPU). A call cycle, which blueprints.rules refuses, carries
    no load."""
    callers: dict[str, list[tuple[str, float]]] = {}
    for caller in bp.services:
        for edge in caller.edges():
            if not edge.async_ and bp.service(edge.name) is not None:
                callers.setdefault(edge.name, []).append((caller.name, edge.calls))
    out: dict[str, tuple[int | None, str]] = {}
    visiting: set[str] = set()

    def load(name: str) -> int | None:
        if name in visiting:  # a cycle (refused by its own rule): no load flows round it
            return None
        if name not in out:
            visiting.add(name)
            own = bp.service(name).peak_rps
            if own:
                out[name] = (own, "peak_rps")
            else:
                sent = [(c, calls, load(c)) for c, calls in callers.get(name, [])]
                known = [(c, calls, math.ceil(rps * calls - 1e-9)) for c, calls, rps in sent if rps and calls]
                total = sum(rps for _, _, rps in known) if known else None
                uniform = all(calls == 1 for _, calls, _ in known)
                why = (
                    "called by "
                    + ", ".join(
                        f"{c} ({rps:,} rps)"
                        if uniform
                        else f"{c} ({rps:,} rps: {calls:g} call{'' if calls == 1 else 's'} per request)"
                        for c, calls, rps in known
                    )
                    + (": one call per request" if uniform else " (uses[].calls)")
                    if known
                    else "no peak_rps given"
                )
                out[name] = (total, why)
            visiting.discard(name)
        return out[name][0]

    for svc in bp.services:
        load(svc.name)
    return out
