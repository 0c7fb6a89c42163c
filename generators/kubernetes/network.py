"""The network: the Ingress for the public routes, and NetworkPolicies that admit exactly the
declared data flow (default deny)."""

from __future__ import annotations

import re
from typing import Any

from blueprints import names
from blueprints.plan_model import Plan
from generators.kubernetes.common import INGRESS_NAMESPACE, meta, selector
from generators.kubernetes.standins import STAND_INS, bootstrap, bootstrapper, stand_in_name, stand_ins


def _path(route: str) -> str:
    """`GET /links/{code}` -> `/links`, `GET /r{i}/x` -> `/`, `GET /files/*` -> `/files`,
    `GET /v1.0/items` -> `/`: the leading segments an Ingress of pathType Prefix matches as
    written, whole (element by element: `/r` would not match `/r1`) and made of what the pinned
    ingress-nginx accepts there (INGRESS_PREFIX_SEGMENT); the service sees the rest of the path.
    blueprints.grammar has refused what neither target reads literally."""
    path = route.split(" ", 1)[-1]
    literal: list[str] = []
    for segment in path.strip("/").split("/"):
        if not INGRESS_PREFIX_SEGMENT.fullmatch(segment):
            break
        literal.append(segment)
    return "/" + "/".join(literal)


INGRESS_PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
"""A segment of a Prefix path the pinned ingress-nginx (controller-v1.13.0, strict-validate-path-type
on by default) admits: its validPathType is `(?i)^/[[:alnum:]\\_\\-/]*$`
(internal/ingress/inspector/rules.go; `.` is admitted from v1.13.9 on, `~` by none)."""


LONG_LIVED = {
    "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
    "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
}
"""ingress-nginx keeps long-lived connections (websockets, streams) an hour without traffic, as the
load balancer does on AWS (the plan's idle timeout)."""


def ingress(plan: Plan) -> list[dict[str, Any]]:
    public = [s for s in plan.services if s.public]
    site = plan.edge.cdn.site if plan.edge.cdn else None
    if not public and site is None:
        return []
    paths: dict[str, tuple[str, str]] = {}
    for svc in public:
        for route in svc.routes or []:
            paths.setdefault(_path(route.route), (svc.name, "http"))
        if not svc.routes:
            paths.setdefault("/", (svc.name, "http"))
    if site is not None:  # the CDN's bucket, from its stand-in: /<key> is MinIO's /<bucket>/<key>
        return [_site_ingress(plan, site)]
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": path,
                    "pathType": "Prefix",
                    "backend": {"service": {"name": name, "port": {"name": port}}},
                }
                for path, (name, port) in sorted(paths.items(), key=lambda kv: (-len(kv[0]), kv[0]))
            ]
        }
    }
    long_lived = any(s.connections.value == "long-lived" for s in public)
    if plan.edge.api_host:
        rule["host"] = plan.edge.api_host
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta(plan, plan.name, "edge", **({"annotations": dict(LONG_LIVED)} if long_lived else {})),
            "spec": {"ingressClassName": "nginx", "rules": [rule]},
        }
    ]


def _site_ingress(plan: Plan, site: str) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": "/(.*)",
                    "pathType": "ImplementationSpecific",
                    "backend": {"service": {"name": stand_in_name(plan.store(site)), "port": {"name": "api"}}},
                }
            ]
        }
    }
    if plan.edge.cdn_host:
        rule["host"] = plan.edge.cdn_host
    annotations = {
        "nginx.ingress.kubernetes.io/use-regex": "true",
        "nginx.ingress.kubernetes.io/rewrite-target": f"/{site}/$1",
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(plan, plan.name, "edge", annotations=annotations),
        "spec": {"ingressClassName": "nginx", "rules": [rule]},
    }


def flows(plan: Plan) -> set[tuple[str, str, int]]:
    """(to, from, port) the data flow declares; `from` "ingress" is the ingress controller.
    The same edges as the AWS security groups (Plan.data_flow), to the stand-ins on their ports;
    each bootstrap Job reaches its stand-in, and a static site's bucket is read by the ingress
    (the CDN's part)."""
    out = set()
    for to, source, kind in plan.data_flow("ingress"):
        if kind:
            out.add((stand_in_name(plan.store(to)), source, STAND_INS[kind].port))
        else:
            out.add((to, source, plan.service(to).port))
    for name, s, stores in stand_ins(plan):
        if bootstrap(plan, name, s, stores):
            out.add((name, bootstrapper(name), s.port))
    if plan.edge.cdn and plan.edge.cdn.site:
        out.add((stand_in_name(plan.store(plan.edge.cdn.site)), "ingress", STAND_INS["object"].port))
    return out


KUBE_DNS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
"""CoreDNS and nothing else in kube-system (one peer: both selectors must match)."""


def network_policies(plan: Plan) -> list[dict[str, Any]]:
    def peer(source: str) -> dict[str, Any]:
        if source == "ingress":
            return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}
        return {"podSelector": {"matchLabels": selector(source)}}

    out: list[dict[str, Any]] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(plan, names.NETWORK_POLICIES[0], "network"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(plan, names.NETWORK_POLICIES[1], "network"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [KUBE_DNS],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        },
    ]
    by_target: dict[str, list[tuple[str, int]]] = {}
    by_source: dict[str, list[tuple[str, int]]] = {}
    for to, source, port in sorted(flows(plan)):
        by_target.setdefault(to, []).append((source, port))
        if source != "ingress":
            by_source.setdefault(source, []).append((to, port))
    for to, sources in sorted(by_target.items()):
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta(plan, names.ingress_policy(to), "network"),
                "spec": {
                    "podSelector": {"matchLabels": selector(to)},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {"from": [peer(source)], "ports": [{"protocol": "TCP", "port": port}]}
                        for source, port in sources
                    ],
                },
            }
        )
    for source, targets in sorted(by_source.items()):
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta(plan, names.egress_policy(source), "network"),
                "spec": {
                    "podSelector": {"matchLabels": selector(source)},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [peer(to)], "ports": [{"protocol": "TCP", "port": port}]} for to, port in targets
                    ],
                },
            }
        )
    return out
