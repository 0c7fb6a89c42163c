"""hld:aws:Table: a DynamoDB table, or a global table with a replica in every planned region."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.consistency import consistent_reads, consistent_reads_variable
from blueprints.plan_model import KeyValuePlan, Plan, ServicePlan
from generators.aws import grants
from generators.aws.common import Access, env_key, name, stateful
from generators.aws.network import Network


class Table(pulumi.ComponentResource):
    def __init__(self, plan: Plan, store: KeyValuePlan, networks: dict[str, Network], parent: pulumi.Resource):
        super().__init__("hld:aws:Table", name(plan, store.name), None, pulumi.ResourceOptions(parent=parent))
        primary = networks[plan.primary_region]
        strong = store.global_mode == "MRSC"
        replicas = [
            aws.dynamodb.TableReplicaArgs(
                region_name=r,
                kms_key_arn=networks[r].key.arn,
                point_in_time_recovery=True,
                propagate_tags=True,
                deletion_protection_enabled=plan.control("deletion-protection").enabled,
                consistency_mode="STRONG" if strong else None,
            )
            for r in store.regions[1:]
        ]
        self.table = aws.dynamodb.Table(
            name(plan, store.name),
            billing_mode="PAY_PER_REQUEST",
            hash_key=store.partition_key,
            attributes=[aws.dynamodb.TableAttributeArgs(name=store.partition_key, type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=primary.key.arn)
            if plan.control("encryption-at-rest").enabled
            else None,
            deletion_protection_enabled=plan.control("deletion-protection").enabled,
            stream_enabled=True if replicas else None,
            stream_view_type="NEW_AND_OLD_IMAGES" if replicas else None,
            replicas=replicas or None,
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=store.ttl_attribute, enabled=True)
            if store.ttl_attribute
            else None,
            tags={"hld:store": store.name, "hld:global-mode": store.global_mode or "single-region"},
            opts=stateful(plan, primary.region.opts(self)),
        )
        self.store = store
        self.encrypted = plan.control("encryption-at-rest").enabled
        self.keys = {r: networks[r].key.arn for r in store.regions}
        """The key of the table's replica in each region."""
        self.register_outputs({"name": self.table.name, "arn": self.table.arn})

    def access(self, region: str, svc: ServicePlan) -> Access:
        """The table (its replica in `region`) for `svc`: the actions of its edge's access, and the
        region's key only through DynamoDB, for this table."""
        mode = svc.access_to(self.store.name)
        home = region if region in self.keys else self.store.regions[0]
        arn = (
            self.table.arn
            if home == self.store.regions[0]
            else self.table.arn.apply(lambda a: a.replace(f":{self.store.regions[0]}:", f":{home}:"))
        )
        statements = [grants.allow(grants.actions(grants.TABLE, mode), [arn])]
        if self.encrypted:
            statements.append(grants.key_use("key-value", mode, home, self.keys[home], self.table.name))
        return Access(
            env={
                f"{env_key(self.store.name)}_TABLE": self.table.name,
                consistent_reads_variable(self.store.name): consistent_reads(self.store),
            },
            statements=statements,
        )
