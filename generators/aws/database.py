"""hld:aws:Database: RDS PostgreSQL Multi-AZ or Aurora PostgreSQL, with replicas as planned.

One writer, in the primary region. Read replicas in other zones of the primary;
for multi-region, an asynchronous cross-region read replica (RDS) or an Aurora
Global Database secondary cluster in every other region. Encrypted with the
region's KMS key, TLS forced by the parameter group, the master password managed
by Secrets Manager, backups kept, deletion protected, a final snapshot on delete.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan, RelationalPlan
from generators.aws.common import (
    DB_ADMIN,
    Access,
    Region,
    env_key,
    ident,
    name,
    physical,
    stateful,
)
from generators.aws.firewall import Firewall
from generators.aws.network import Network
from generators.aws.tags import ROLE_TAG
from generators.aws.versions import version


class Database(pulumi.ComponentResource):
    def __init__(
        self,
        plan: Plan,
        store: RelationalPlan,
        networks: dict[str, Network],
        firewalls: dict[str, Firewall],
        parent: pulumi.Resource,
    ):
        super().__init__("hld:aws:Database", name(plan, store.name), None, pulumi.ResourceOptions(parent=parent))
        self.plan, self.store, self.networks, self.firewalls = plan, store, networks, firewalls
        self.replica_groups: dict[str, aws.ec2.SecurityGroup] = {}
        self.endpoints: dict[str, pulumi.Output[str]] = {}
        self.secret_arn: pulumi.Output[str] | None = None
        self.replicated_secret = False
        self.writer: pulumi.Input[str] | None = None
        """What applications call the writer by when it can move region (None: its endpoint)."""
        self.arns: list[pulumi.Output[str]] = []
        self.safe = plan.control("deletion-protection").enabled
        self.encrypted = plan.control("encryption-at-rest").enabled
        self.retention = plan.dr.backup_retention_days
        self.version = version(store.engine.value).version
        groups = {r: self._subnet_group(networks[r]) for r in store.regions}
        params = {r: self._parameters(networks[r].region) for r in store.regions}
        if store.engine.value == "aurora-postgresql":
            self._aurora(groups, params)
        else:
            self._rds(groups, params)
        self.register_outputs({"endpoints": self.endpoints})

    def _subnet_group(self, network: Network) -> aws.rds.SubnetGroup:
        return aws.rds.SubnetGroup(
            name(self.plan, self.store.name, "subnets", network.region.name),
            subnet_ids=network.subnets.ids("isolated"),
            description=f"{self.store.name}: isolated subnets, no route out",
            opts=network.region.opts(self),
        )

    def _parameters(self, region: Region) -> aws.rds.ParameterGroup | aws.rds.ClusterParameterGroup:
        family = version(self.store.engine.value).family
        force_ssl = [{"name": "rds.force_ssl", "value": "1"}] if self.plan.edge.tls else []
        # schema changes and statements slower than a second are logged (CloudWatch Logs, exported)
        force_ssl += [
            {"name": "log_statement", "value": "ddl"},
            {"name": "log_min_duration_statement", "value": "1000"},
        ]
        if self.store.engine.value == "aurora-postgresql":
            return aws.rds.ClusterParameterGroup(
                name(self.plan, self.store.name, "params", region.name),
                family=family,
                description="TLS required for every connection",
                parameters=[aws.rds.ClusterParameterGroupParameterArgs(**p) for p in force_ssl],
                opts=region.opts(self),
            )
        return aws.rds.ParameterGroup(
            name(self.plan, self.store.name, "params", region.name),
            family=family,
            description="TLS required for every connection",
            parameters=[aws.rds.ParameterGroupParameterArgs(**p) for p in force_ssl],
            opts=region.opts(self),
        )

    def _common(self, network: Network) -> dict[str, object]:
        return dict(
            storage_encrypted=self.encrypted,
            kms_key_id=network.key.arn if self.encrypted else None,
            vpc_security_group_ids=[self.firewalls[self.store.writer_region].groups[self.store.name].id]
            if network.region.primary
            else [self._replica_group(network).id],
            deletion_protection=self.safe,
            copy_tags_to_snapshot=True,
        )

    def _replica_group(self, network: Network) -> aws.ec2.SecurityGroup:
        """A standby region's copy admits that region's users, for reads and after promotion."""
        key = f"{self.store.name}-replica"
        region, users = network.region, self.firewalls[network.region.name].groups
        if region.name not in self.replica_groups:
            group = aws.ec2.SecurityGroup(
                name(self.plan, "sg", key, region.name),
                vpc_id=network.vpc.id,
                description=f"{self.store.name} replica: only its users",
                revoke_rules_on_delete=True,
                tags={"Name": name(self.plan, "sg", key, region.name), ROLE_TAG: self.store.name},
                opts=region.opts(self),
            )
            for user in self.store.used_by:
                aws.vpc.SecurityGroupIngressRule(
                    name(self.plan, "in", key, "from", user, region.name),
                    security_group_id=group.id,
                    referenced_security_group_id=users[user].id,
                    ip_protocol="tcp",
                    from_port=self.store.port,
                    to_port=self.store.port,
                    description=f"{user} uses {self.store.name}",
                    opts=region.opts(self),
                )
                aws.vpc.SecurityGroupEgressRule(
                    name(self.plan, "out", user, "to", key, region.name),
                    security_group_id=users[user].id,
                    referenced_security_group_id=group.id,
                    ip_protocol="tcp",
                    from_port=self.store.port,
                    to_port=self.store.port,
                    description=f"{user} uses {self.store.name}",
                    opts=region.opts(self),
                )
            self.replica_groups[region.name] = group
        return self.replica_groups[region.name]

    def _rds(
        self,
        groups: dict[str, aws.rds.SubnetGroup],
        params: dict[str, aws.rds.ParameterGroup | aws.rds.ClusterParameterGroup],
    ) -> None:
        plan, store = self.plan, self.store
        primary_net = self.networks[store.writer_region]
        primary = primary_net.region
        replicated = store.read_replicas > 0 or len(store.regions) > 1
        # RDS cannot manage the master password of a source with read replicas: hld's own secret then,
        # replicated to every region of the store with that region's key
        password = (
            self._own_secret()
            if replicated
            else {
                "manage_master_user_password": True,
                "master_user_secret_kms_key_id": primary_net.key.arn if self.encrypted else None,
            }
        )
        writer = aws.rds.Instance(
            name(plan, store.name, primary.name, kind="aws:rds/instance:Instance"),
            engine="postgres",
            engine_version=self.version,
            instance_class=store.instance_class.value,
            allocated_storage=store.storage_gb,
            max_allocated_storage=store.storage_gb * 4,
            storage_type="gp3",
            db_name=ident(store.name),
            username=DB_ADMIN,
            **password,
            multi_az=store.multi_az,
            db_subnet_group_name=groups[primary.name].name,
            parameter_group_name=params[primary.name].name,
            publicly_accessible=False,
            backup_retention_period=self.retention,
            skip_final_snapshot=False,
            final_snapshot_identifier=physical(plan, store.name, "final"),
            auto_minor_version_upgrade=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=primary_net.key.arn if self.encrypted else None,
            enabled_cloudwatch_logs_exports=["postgresql"],
            iam_database_authentication_enabled=True,
            **self._common(primary_net),
            opts=stateful(plan, primary.opts(self)),
        )
        self.endpoints[primary.name] = writer.address
        if len(store.regions) > 1:
            self.writer = self._writer_record(writer.address)
        if not replicated:
            self.secret_arn = writer.master_user_secrets.apply(lambda s: s[0].secret_arn if s else "")
        self.arns.append(writer.arn)
        for i in range(store.read_replicas):
            zone = primary_net.zones[(i + 1) % len(primary_net.zones)]
            aws.rds.Instance(
                name(plan, store.name, "replica", zone, kind="aws:rds/instance:Instance"),
                replicate_source_db=writer.identifier,
                instance_class=writer.instance_class,
                availability_zone=zone,
                parameter_group_name=params[primary.name].name,
                publicly_accessible=False,
                skip_final_snapshot=True,
                auto_minor_version_upgrade=True,
                vpc_security_group_ids=[self.firewalls[primary.name].groups[store.name].id],
                deletion_protection=self.safe,
                opts=primary.opts(self),
            )
        for r in store.regions[1:]:
            network = self.networks[r]
            region = network.region
            replica = aws.rds.Instance(
                name(plan, store.name, "replica", r, kind="aws:rds/instance:Instance"),
                replicate_source_db=writer.arn,
                instance_class=writer.instance_class,
                multi_az=store.multi_az,
                db_subnet_group_name=groups[r].name,
                parameter_group_name=params[r].name,
                publicly_accessible=False,
                # a cross-region replica is created without backups and is deleted without a final
                # snapshot; the promotion runbook turns backups on once it is the writer
                skip_final_snapshot=True,
                auto_minor_version_upgrade=True,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=network.key.arn if self.encrypted else None,
                enabled_cloudwatch_logs_exports=["postgresql"],
                iam_database_authentication_enabled=True,
                **self._common(network),
                opts=stateful(plan, region.opts(self)),
            )
            self.endpoints[r] = replica.address
            self.arns.append(replica.arn)

    def _aurora(
        self,
        groups: dict[str, aws.rds.SubnetGroup],
        params: dict[str, aws.rds.ParameterGroup | aws.rds.ClusterParameterGroup],
    ) -> None:
        plan, store = self.plan, self.store
        primary_net = self.networks[store.writer_region]
        primary = primary_net.region
        global_cluster = None
        password: dict[str, object] = {"manage_master_user_password": True}
        if len(store.regions) > 1:
            global_cluster = aws.rds.GlobalCluster(
                name(plan, store.name, "global"),
                global_cluster_identifier=physical(plan, store.name),
                engine="aurora-postgresql",
                engine_version=self.version,
                storage_encrypted=self.encrypted,
                deletion_protection=self.safe,
                opts=stateful(plan, primary.opts(self)),
            )
            # Managed master passwords are not supported for Aurora Global Database clusters
            own = self._own_secret()
            password = {"master_password_wo": own["password_wo"], "master_password_wo_version": 1}
        writer = aws.rds.Cluster(
            name(plan, store.name, primary.name),
            engine="aurora-postgresql",
            engine_version=self.version,
            database_name=ident(store.name),
            master_username=DB_ADMIN,
            global_cluster_identifier=global_cluster.id if global_cluster else None,
            db_subnet_group_name=groups[primary.name].name,
            db_cluster_parameter_group_name=params[primary.name].name,
            backup_retention_period=self.retention,
            skip_final_snapshot=False,
            final_snapshot_identifier=physical(plan, store.name, "final"),
            enabled_cloudwatch_logs_exports=["postgresql"],
            iam_database_authentication_enabled=True,
            **password,
            **self._common(primary_net),
            opts=stateful(plan, primary.opts(self)),
        )
        if global_cluster is None:
            self.secret_arn = writer.master_user_secrets.apply(lambda s: s[0].secret_arn if s else "")
        self.endpoints[primary.name] = writer.endpoint
        if global_cluster is not None:
            self.writer = global_cluster.endpoint  # moves to the promoted region with the writer
        self.arns.append(writer.arn)
        instances = self._instances(writer, primary_net, 1 + store.read_replicas)
        for r in store.regions[1:]:
            network = self.networks[r]
            region = network.region
            secondary = aws.rds.Cluster(
                name(plan, store.name, r),
                engine="aurora-postgresql",
                engine_version=self.version,
                global_cluster_identifier=global_cluster.id if global_cluster else None,
                db_subnet_group_name=groups[r].name,
                db_cluster_parameter_group_name=params[r].name,
                backup_retention_period=self.retention,
                skip_final_snapshot=False,
                final_snapshot_identifier=physical(plan, store.name, "final", r),
                enabled_cloudwatch_logs_exports=["postgresql"],
                iam_database_authentication_enabled=True,
                **self._common(network),
                # a secondary joins once the primary has a writer instance; after a failover AWS
                # moves the replication source, which the program must not undo
                opts=stateful(
                    plan,
                    region.opts(self, depends_on=[writer, *instances], ignore_changes=["replicationSourceIdentifier"]),
                ),
            )
            self.endpoints[r] = secondary.reader_endpoint
            self.arns.append(secondary.arn)
            self._instances(secondary, network, 1 + (1 if store.multi_az else 0))

    def _instances(self, cluster: aws.rds.Cluster, network: Network, count: int) -> list[aws.rds.ClusterInstance]:
        region = network.region
        out = []
        for i in range(count):
            zone = network.zones[i % len(network.zones)]
            out.append(
                aws.rds.ClusterInstance(
                    name(self.plan, self.store.name, "instance", zone),
                    cluster_identifier=cluster.id,
                    engine="aurora-postgresql",
                    engine_version=self.version,
                    instance_class=self.store.instance_class.value,
                    availability_zone=zone,
                    publicly_accessible=False,
                    auto_minor_version_upgrade=True,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=network.key.arn if self.encrypted else None,
                    opts=region.opts(self),
                )
            )
        return out

    def _writer_record(self, address: pulumi.Output[str]) -> str:
        """A private zone in every region's VPC with `writer.<store>.<system>.internal`, a CNAME to the
        writer: the promotion runbook repoints it, and applications keep their address."""
        plan, store = self.plan, self.store
        primary = self.networks[store.writer_region].region
        assert store.writer_name is not None
        zone = aws.route53.Zone(
            name(plan, store.name, "zone"),
            name=store.writer_name.value.split(".", 1)[1],
            comment=f"{store.name}: the writer's name in every region ({plan.stack})",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=self.networks[r].vpc.id, vpc_region=r) for r in store.regions],
            opts=primary.opts(self),
        )
        aws.route53.Record(
            name(plan, store.name, "writer"),
            zone_id=zone.zone_id,
            name=store.writer_name.value,
            type="CNAME",
            ttl=30,
            records=[address],
            opts=primary.opts(self),
        )
        return store.writer_name.value

    def _own_secret(self) -> dict[str, Any]:
        """A generated master password, write-only into the database and into a secret replicated
        to every region of the store (each replica under its region's key), so a task reads its own
        region's copy, and still can when the primary region is lost. Never in the Pulumi state."""
        plan, store = self.plan, self.store
        primary = self.networks[store.writer_region]
        generated = aws.secretsmanager.get_random_password_output(
            password_length=40,
            exclude_punctuation=True,
            opts=pulumi.InvokeOutputOptions(provider=primary.region.provider),
        ).random_password
        secret = aws.secretsmanager.Secret(
            name(plan, store.name, "admin"),
            description=f"{store.name} admin credentials ({plan.stack})",
            kms_key_id=primary.key.arn if self.encrypted else None,
            recovery_window_in_days=30,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(
                    region=r, kms_key_id=self.networks[r].key.arn if self.encrypted else None
                )
                for r in store.regions
                if r != store.writer_region
            ]
            or None,
            opts=primary.region.opts(self),
        )
        aws.secretsmanager.SecretVersion(
            name(plan, store.name, "admin-version"),
            secret_id=secret.id,
            secret_string_wo=pulumi.Output.json_dumps({"username": DB_ADMIN, "password": generated}),
            secret_string_wo_version=1,
            opts=primary.region.opts(self),
        )
        self.secret_arn = secret.arn
        self.replicated_secret = True
        return {"password_wo": generated, "password_wo_version": 1}

    def access(self, region: str) -> Access:
        key = env_key(self.store.name)
        endpoint = self.writer or self.endpoints[self.store.writer_region]
        env: dict[str, pulumi.Input[str]] = {
            f"{key}_HOST": endpoint,
            f"{key}_PORT": str(self.store.port),
            f"{key}_DB": ident(self.store.name),
        }
        if region in self.endpoints and region != self.store.writer_region:
            env[f"{key}_READ_HOST"] = self.endpoints[region]
        secrets: dict[str, pulumi.Input[str]] = {}
        if self.secret_arn is not None:
            writer = self.store.writer_region
            local = region if self.replicated_secret and region in self.store.regions else writer
            secrets[f"{key}_CREDENTIALS"] = pulumi.Output.from_input(self.secret_arn).apply(
                lambda arn: arn.replace(f":{writer}:", f":{local}:")
            )
        return Access(env=env, secrets=secrets)
