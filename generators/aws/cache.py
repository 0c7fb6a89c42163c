"""hld:aws:Cache: an ElastiCache (Valkey or Redis OSS) replication group in one region.

Multi-AZ with automatic failover, a replica in every other zone, encrypted at rest
with the region's KMS key and in transit (TLS required), in isolated subnets; clients
authenticate with an AUTH token generated write-only into the group and a secret.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import CachePlan, Plan
from generators.aws.common import Access, env_key, name
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
            subnet_ids=network.subnets.ids("isolated"),
            description=f"{store.name}: isolated subnets",
            opts=opts,
        )
        nodes = 1 + store.read_replicas
        multi = store.multi_az and nodes > 1
        engine = store.engine.value
        encrypted = plan.control("encryption-at-rest").enabled
        self.token_arn: pulumi.Output[str] | None = None
        auth: dict[str, pulumi.Input[str] | int] = {}
        if plan.edge.tls:  # AUTH needs TLS: a generated token, write-only, read by the tasks from a secret
            token = aws.secretsmanager.get_random_password_output(
                password_length=64, exclude_punctuation=True, opts=pulumi.InvokeOutputOptions(provider=region.provider)
            ).random_password
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
                secret_string_wo=token,
                secret_string_wo_version=1,
                opts=opts,
            )
            self.token_arn = secret.arn
            auth = {"auth_token_wo": token, "auth_token_wo_version": 1}
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
        secrets: dict[str, pulumi.Input[str]] = {f"{key}_AUTH_TOKEN": self.token_arn} if self.token_arn else {}
        return Access(env=env, secrets=secrets)
