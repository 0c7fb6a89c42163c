"""hld:aws:Cache: an ElastiCache (Valkey or Redis OSS) replication group in one region.

Multi-AZ with automatic failover, a replica in every other zone, encrypted at rest
with the region's KMS key and in transit (TLS required), in isolated subnets.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import CachePlan, Plan
from generators.aws.common import CACHE_VERSION, Access, env_key, name
from generators.aws.firewall import Firewall
from generators.aws.network import Network


class Cache(pulumi.ComponentResource):
    def __init__(self, plan: Plan, store: CachePlan, network: Network, firewall: Firewall, parent: pulumi.Resource):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Cache", name(plan, store.name, r), None, pulumi.ResourceOptions(parent=parent))
        opts = region.opts(self)
        subnets = aws.elasticache.SubnetGroup(
            name(plan, store.name, "subnets", r),
            subnet_ids=network.subnets.ids("isolated"),
            description=f"{store.name}: isolated subnets",
            opts=opts,
        )
        nodes = 1 + store.read_replicas
        multi = store.multi_az and nodes > 1
        engine = store.engine.value
        self.group = aws.elasticache.ReplicationGroup(
            name(plan, store.name, r, kind="aws:elasticache/replicationGroup:ReplicationGroup"),
            description=f"{plan.name} {store.name} ({engine})",
            engine=engine,
            engine_version=CACHE_VERSION[engine],
            node_type=store.instance_class.value,
            num_cache_clusters=nodes,
            preferred_cache_cluster_azs=[network.zones[i % len(network.zones)] for i in range(nodes)],
            automatic_failover_enabled=multi,
            multi_az_enabled=multi,
            at_rest_encryption_enabled=plan.control("encryption-at-rest").enabled,
            kms_key_id=network.key.arn if plan.control("encryption-at-rest").enabled else None,
            transit_encryption_enabled=plan.edge.tls,
            transit_encryption_mode="required" if plan.edge.tls else None,
            subnet_group_name=subnets.name,
            security_group_ids=[firewall.groups[store.name].id],
            port=store.port,
            snapshot_retention_limit=1,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            opts=opts,
        )
        self.store = store
        self.register_outputs({"endpoint": self.group.primary_endpoint_address})

    def access(self, region: str) -> Access:
        key = env_key(self.store.name)
        env: dict[str, pulumi.Input[str]] = {
            f"{key}_HOST": self.group.primary_endpoint_address,
            f"{key}_PORT": str(self.store.port),
            f"{key}_TTL_SECONDS": str(self.store.cache_ttl_seconds),
        }
        if self.store.replicas_serve_reads:
            env[f"{key}_READ_HOST"] = self.group.reader_endpoint_address
        return Access(env=env)
