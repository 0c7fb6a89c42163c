"""hld:aws:Cache: an ElastiCache (Valkey or Redis OSS) replication group in one region.

Multi-AZ with automatic failover, a replica in every other zone, encrypted at rest
with the region's KMS key and in transit (TLS required), in isolated subnets; clients
authenticate with an AUTH token, generated once and kept in the stack's state (encrypted), written
write-only into the group and into a secret under the region's key. The group pins a major.minor
engine version and ignores engine-version changes: AWS's minor-upgrade campaigns move it, and
`pulumi up` must not try to move it back.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import CachePlan, Plan, ServicePlan
from generators.aws.common import Access, credential, env_key, name
from generators.aws.firewall import Firewall
from generators.aws.network import Network
from generators.aws.versions import version


class Cache(pulumi.ComponentResource):
    def __init__(self, plan: Plan, store: CachePlan, network: Network, firewall: Firewall, parent: pulumi.Resource):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Cache", name(plan, store.name, r), None, pulumi.ResourceOptions(parent=parent))
        opts = region.opts(self)
        subnets = aws.elasticache.SubnetGroup(
            name(plan, store.name, "subnets", r),
            # the serving zones' only: ElastiCache requires no second zone (blueprints.zone_minimums)
            subnet_ids=network.subnets.ids("isolated", network.zones),
            description=f"{store.name}: isolated subnets",
            opts=opts,
        )
        nodes = 1 + store.read_replicas
        multi = store.multi_az and nodes > 1
        engine = store.engine.value
        encrypted = plan.control("encryption-at-rest").enabled
        self.token_arn: pulumi.Output[str] | None = None
        auth: dict[str, pulumi.Input[str] | pulumi.Input[int]] = {}
        if plan.edge.tls:  # AUTH needs TLS: a generated token, write-only, read by the tasks from a secret
            token = credential(name(plan, store.name, "auth-token", r), 64, self)
            secret = aws.secretsmanager.Secret(
                name(plan, store.name, "auth", r),
                description=f"{store.name} AUTH token in {r} ({plan.stack})",
                kms_key_id=network.key.arn if encrypted else None,
                recovery_window_in_days=7,
                opts=opts,
            )
            aws.secretsmanager.SecretVersion(
                name(plan, store.name, "auth-version", r),
                secret_id=secret.id,
                secret_string_wo=token.value,
                secret_string_wo_version=token.version,
                opts=opts,
            )
            self.token_arn = secret.arn
            auth = token.write_only("auth_token")
        self.group = aws.elasticache.ReplicationGroup(
            name(plan, store.name, r, kind="aws:elasticache/replicationGroup:ReplicationGroup"),
            description=f"{plan.name} {store.name} ({engine})",
            engine=engine,
            engine_version=version(engine).version,
            node_type=store.instance_class.value,
            num_cache_clusters=nodes,
            preferred_cache_cluster_azs=[network.zones[i % len(network.zones)] for i in range(nodes)],
            automatic_failover_enabled=multi,
            multi_az_enabled=multi,
            at_rest_encryption_enabled=encrypted,
            kms_key_id=network.key.arn if encrypted else None,
            transit_encryption_enabled=plan.edge.tls,
            transit_encryption_mode="required" if plan.edge.tls else None,
            subnet_group_name=subnets.name,
            security_group_ids=[firewall.groups[store.name].id],
            port=store.port,
            snapshot_retention_limit=1,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            **auth,
            opts=region.opts(self, ignore_changes=["engineVersion"]),
        )
        self.store = store
        self.register_outputs({"endpoint": self.group.primary_endpoint_address})

    def access(self, region: str, svc: ServicePlan) -> Access:
        """The cache's endpoints and AUTH token (no IAM: the token admits every command, so the edge's
        access is stated in the plan, not enforced here)."""
        key = env_key(self.store.name)
        env: dict[str, pulumi.Input[str]] = {
            f"{key}_HOST": self.group.primary_endpoint_address,
            f"{key}_PORT": str(self.store.port),
            f"{key}_TTL_SECONDS": str(self.store.cache_ttl_seconds),
        }
        if self.store.replicas_serve_reads:
            env[f"{key}_READ_HOST"] = self.group.reader_endpoint_address
        secrets: dict[str, pulumi.Input[str]] = {f"{key}_AUTH_TOKEN": self.token_arn} if self.token_arn else {}
        return Access(env=env, secrets=secrets)
