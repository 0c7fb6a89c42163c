"""The AWS target: a Plan in, Pulumi resources out (hld:aws:System and its children).

Translates only: every choice was made by the planner. One explicit provider per
region; every resource is parented to its component, so URNs are stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import CachePlan, KeyValuePlan, ObjectPlan, Plan, RelationalPlan
from generators.aws.backup import Backup
from generators.aws.bucket import Bucket
from generators.aws.cache import Cache
from generators.aws.common import Access, Region, name
from generators.aws.database import Database
from generators.aws.edge import Dns, Edge, web_acl
from generators.aws.experiments import Experiments
from generators.aws.firewall import Firewall
from generators.aws.loadbalancer import Cluster, LoadBalancer, certificate
from generators.aws.monitors import Monitors
from generators.aws.network import Network, Peering
from generators.aws.queue import Queue
from generators.aws.runbooks import Runbooks
from generators.aws.service import Service
from generators.aws.table import Table

EDGE_REGION = "us-east-1"
"""CloudFront certificates and CLOUDFRONT-scope web ACLs live in us-east-1."""


@dataclass(frozen=True)
class AwsSettings:
    """What a stack's config adds to the plan for AWS: where the DNS zone is."""

    hosted_zone_id: str | None = None


class System(pulumi.ComponentResource):
    def __init__(self, plan: Plan, settings: AwsSettings):
        super().__init__("hld:aws:System", plan.name, None)
        tags = {"hld:system": plan.name, "hld:stack": plan.stack, "managed-by": "hld"}
        self.regions: dict[str, Region] = {}
        for i, r in enumerate(plan.regions.value):
            provider = aws.Provider(
                name(plan, "aws", r),
                region=r,
                default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.regions[r] = Region(name=r, primary=i == 0, provider=provider)
        networks = {net.region: Network(plan, net, self.regions[net.region], self) for net in plan.networks}
        primary = networks[plan.primary_region]
        if plan.peering:
            for r in plan.peering.value:
                Peering(plan, primary, networks[r], self)
        firewalls = {r: Firewall(plan, network, self) for r, network in networks.items() if network.has_vpc}

        stores: dict[str, Any] = {}
        per_region: dict[tuple[str, str], Any] = {}
        for store in plan.datastores:
            if isinstance(store, RelationalPlan):
                stores[store.name] = Database(plan, store, networks, firewalls, self)
            elif isinstance(store, KeyValuePlan):
                stores[store.name] = Table(plan, store, networks, self)
            elif isinstance(store, ObjectPlan):
                stores[store.name] = Bucket(plan, store, networks, self)
            elif isinstance(store, CachePlan):
                for r in store.regions:
                    per_region[(store.name, r)] = Cache(plan, store, networks[r], firewalls[r], self)
            else:
                for r in store.regions:
                    per_region[(store.name, r)] = Queue(plan, store, networks[r], self)

        zone_id = self._zone(plan, settings)
        validation: list[aws.route53.Record] = []
        public = any(s.public for s in plan.services)
        certs: dict[str, pulumi.Output[str]] = {}
        entries: dict[str, LoadBalancer] = {}
        clusters: dict[str, Cluster] = {}
        services: dict[tuple[str, str], Service] = {}
        for r, region in self.regions.items():
            if not plan.services:
                continue
            cluster = clusters[r] = Cluster(plan, networks[r], self)
            if public:
                if plan.edge.certificate:
                    certs[r] = certificate(plan, region, zone_id, self, validation)
                entries[r] = LoadBalancer(plan, networks[r], firewalls[r], certs.get(r), self)
                if plan.edge.waf:  # also behind a CDN: the load balancer stays reachable without it
                    acl = web_acl(plan, "REGIONAL", r, region.opts(self))
                    aws.wafv2.WebAclAssociation(
                        name(plan, "waf-association", r),
                        resource_arn=entries[r].alb.arn,
                        web_acl_arn=acl.arn,
                        opts=region.opts(self),
                    )
            for svc in plan.services:
                access: list[Access] = []
                for store_name in svc.stores:
                    handle = stores.get(store_name) or per_region[(store_name, r)]
                    access.append(handle.access(r, svc))
                services[(svc.name, r)] = Service(
                    plan, svc, networks[r], firewalls[r], cluster, entries.get(r), access, self
                )

        edge = None
        site = stores.get(plan.edge.cdn.site) if plan.edge.cdn and plan.edge.cdn.site else None
        if plan.edge.cdn and (public or site is not None):
            edge_region = self._edge_region(plan, tags)
            cdn_cert = certs.get(EDGE_REGION)  # the regional certificate serves CloudFront too
            if plan.edge.certificate and cdn_cert is None:
                cdn_cert = certificate(plan, edge_region, zone_id, self, validation, label="edge")
            edge = Edge(plan, entries, site, edge_region, cdn_cert, self)
        dns = None
        if (public or site is not None) and plan.edge.domain:
            dns = Dns(
                plan, entries, self.regions[plan.primary_region], zone_id, edge.distribution if edge else None, self
            )

        protected: list[pulumi.Input[str]] = []
        for handle in stores.values():
            if isinstance(handle, Database):
                protected += handle.arns[:1]
            elif isinstance(handle, Table):
                protected.append(handle.table.arn)
            elif isinstance(handle, Bucket):
                protected.append(handle.buckets[plan.primary_region].arn)
        if protected:
            Backup(plan, networks, protected, self)

        # --- operations: what watches the promises, what proves them, what recovers them ---------
        stop_alarms: dict[tuple[str, str], pulumi.Output[str]] = {}
        if plan.operations is not None:
            monitors = Monitors(
                plan,
                self.regions,
                networks,
                entries,
                clusters,
                services,
                stores,
                per_region,
                dns.health if dns is not None else {},
                edge.distribution if edge is not None else None,
                self,
            )
            stop_alarms = monitors.stop_alarms  # region -> the ARN its experiments stop on
            Experiments(plan, networks, clusters, services, stores, per_region, stop_alarms, self)
            Runbooks(plan, networks, stores, self, clusters=clusters, services=services)

        self.outputs: dict[str, Any] = {
            "availability_target": plan.availability.target,
            "availability_estimate": plan.availability.estimate,
            "availability_basis": "SLA-based estimate (AWS SLA credit thresholds, independent failures)",
            "dr_strategy": plan.dr.strategy.value,
            "regions": plan.regions.value,
            "load_balancers": {r: entry.alb.dns_name for r, entry in entries.items()},
            "databases": {n: h.endpoints for n, h in stores.items() if isinstance(h, Database)},
            "tables": {n: h.table.name for n, h in stores.items() if isinstance(h, Table)},
            "buckets": {
                n: {r: b.bucket for r, b in h.buckets.items()} for n, h in stores.items() if isinstance(h, Bucket)
            },
            "queues": {
                n: {r: h.queue.url for (n2, r), h in per_region.items() if n2 == n and isinstance(h, Queue)}
                for n in {k[0] for k, h in per_region.items() if isinstance(h, Queue)}
            },
            "caches": {
                n: {
                    r: h.group.primary_endpoint_address
                    for (n2, r), h in per_region.items()
                    if n2 == n and isinstance(h, Cache)
                }
                for n in {k[0] for k, h in per_region.items() if isinstance(h, Cache)}
            },
        }
        if edge is not None:
            self.outputs["cdn_domain"] = edge.distribution.domain_name
        if plan.edge.domain:
            self.outputs["domain"] = plan.edge.domain
        if plan.edge.api_host:
            self.outputs["api_url"] = (
                f"https://{plan.edge.api_host}" if plan.edge.tls else f"http://{plan.edge.api_host}"
            )
        self.register_outputs({})

    def _edge_region(self, plan: Plan, tags: dict[str, str]) -> Region:
        if EDGE_REGION in self.regions:
            return self.regions[EDGE_REGION]
        provider = aws.Provider(
            name(plan, "aws", EDGE_REGION),
            region=EDGE_REGION,
            default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return Region(name=EDGE_REGION, primary=False, provider=provider)

    def _zone(self, plan: Plan, settings: AwsSettings) -> pulumi.Input[str]:
        """The hosted zone: the stack's hld:hostedZoneId, the blueprint's edge.hosted_zone, else the
        account's public zone with the longest name the domain ends with (dev.short.example.com is
        in short.example.com when it exists, else example.com; an apex domain in its own zone)."""
        zone = settings.hosted_zone_id or plan.edge.hosted_zone
        if zone or not plan.edge.domain:
            return zone or ""
        domain = plan.edge.domain
        opts = pulumi.InvokeOutputOptions(provider=self.regions[plan.primary_region].provider)
        ids = aws.route53.get_zones_output(opts=opts).ids
        zones: pulumi.Output[list[Any]] = ids.apply(
            lambda found: pulumi.Output.all(*[aws.route53.get_zone_output(zone_id=i, opts=opts) for i in found])
        )
        chosen: pulumi.Output[str] = zones.apply(
            lambda found: longest_zone(domain, [(z.zone_id, z.name, z.private_zone) for z in found])
        )
        return chosen


def longest_zone(domain: str, zones: list[tuple[str, str, bool]]) -> str:
    """The id of the public zone whose name is the longest suffix of `domain`."""
    matching = [
        (len(name.rstrip(".")), zone_id)
        for zone_id, name, private in zones
        if not private and (domain == name.rstrip(".") or domain.endswith("." + name.rstrip(".")))
    ]
    if not matching:
        raise pulumi.RunError(
            f"no public hosted zone in this account holds {domain}: create one, or name it with "
            "`pulumi config set hld:hostedZoneId Z...`"
        )
    return max(matching)[1]


def build(plan: Plan, settings: AwsSettings | None = None) -> dict[str, Any]:
    """Declare the system; returns the stack outputs (also exported by the entry point)."""
    system = System(plan, settings or AwsSettings())
    return system.outputs
