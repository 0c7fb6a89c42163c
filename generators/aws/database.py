"""hld:aws:Database: RDS PostgreSQL Multi-AZ or Aurora PostgreSQL, with replicas as planned.

One writer, in the primary region. Read replicas in other zones of the primary;
for multi-region, an asynchronous cross-region read replica (RDS) or an Aurora
Global Database secondary cluster in every other region. Encrypted with the
region's KMS key, TLS forced by the parameter group, the master password managed
by Secrets Manager (under the region's key), backups kept, deletion protected, a final snapshot
on delete. The log group each instance or cluster exports to is made first, under the region's key.

Engine versions: an RDS instance pins the major only (the provider keeps the prefix against the
minor AWS upgrades to); Aurora pins a full version (its global databases need one) and ignores
engine-version changes, so after AWS upgrades the minor, `pulumi up` never tries to downgrade it.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.names import database_user
from blueprints.plan_model import Plan, RelationalPlan, ServicePlan
from generators.aws import grants
from generators.aws.common import (
    DB_ADMIN,
    Access,
    Credential,
    Region,
    aws_log_group,
    credential,
    env_key,
    ident,
    identifier,
    name,
    physical,
    stateful,
)
from generators.aws.firewall import Firewall
from generators.aws.network import Network
from generators.aws.tags import ROLE_TAG
from generators.aws.versions import version

EXPORTS = ("postgresql",)
"""The PostgreSQL logs every instance and cluster exports to CloudWatch Logs."""
UPGRADED_BY_AWS = ("engineVersion",)
"""What AWS changes on an Aurora cluster with automatic minor upgrades (and on its global cluster and
instances), which the program must not undo: the provider would read the upgraded minor back and
try to set the pinned one again, a downgrade AWS refuses."""


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
        self.readers: dict[str, pulumi.Output[str]] = {}
        """The writer region's read replicas, as services reach them: Aurora's reader endpoint, or
        RDS replicas' addresses comma-separated (libpq takes a host list)."""
        self.secret_arn: pulumi.Output[str] | None = None
        self.replicated_secret = False
        self.writer: pulumi.Input[str] | None = None
        """What applications call the writer by when it can move region (None: its endpoint)."""
        self.arns: list[pulumi.Output[str]] = []
        self.by_region: dict[str, aws.rds.Instance | aws.rds.Cluster] = {}
        """What holds the store in each region: the writer, or the region's cross-region copy (an RDS
        instance; with Aurora, the region's cluster). Monitors and experiments target these."""
        self.global_cluster: aws.rds.GlobalCluster | None = None
        self.connectable: list[tuple[pulumi.Output[str], pulumi.Output[str]]] = []
        """(ARN, resource id) of every instance or cluster a service may connect to (IAM database
        authentication names the resource id: rds-db:connect)."""
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
        """Every isolated subnet of the region: AWS requires a DB subnet group to cover two zones
        (blueprints.zone_minimums), so a single-zone network has one in a zone that serves nothing
        and the instances are placed in the serving zone."""
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
            self._own_secret().write_only("password")
            if replicated
            else {
                "manage_master_user_password": True,
                "master_user_secret_kms_key_id": primary_net.key.arn if self.encrypted else None,
            }
        )
        writer_id = identifier(plan, store.name, primary.name)
        writer_logs = self._exported_logs("instance", writer_id, primary_net)
        writer = aws.rds.Instance(
            name(plan, store.name, primary.name, kind="aws:rds/instance:Instance"),
            identifier=writer_id,
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
            # a Single-AZ writer in the serving zone (its subnet group also covers a zone that serves
            # nothing); a Multi-AZ one takes no zone, AWS refuses one (hld.offline.refusals)
            availability_zone=None if store.multi_az else primary_net.zones[0],
            db_subnet_group_name=groups[primary.name].name,
            parameter_group_name=params[primary.name].name,
            publicly_accessible=False,
            backup_retention_period=self.retention,
            skip_final_snapshot=False,
            final_snapshot_identifier=physical(plan, store.name, "final"),
            auto_minor_version_upgrade=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=primary_net.key.arn if self.encrypted else None,
            enabled_cloudwatch_logs_exports=list(EXPORTS),
            iam_database_authentication_enabled=True,
            **self._common(primary_net),
            opts=stateful(plan, primary.opts(self, depends_on=writer_logs)),
        )
        self.endpoints[primary.name] = writer.address
        if not replicated:
            self.secret_arn = writer.master_user_secrets.apply(lambda s: s[0].secret_arn if s else "")
        self.arns.append(writer.arn)
        self.by_region[primary.name] = writer
        self.connectable.append((writer.arn, writer.resource_id))
        in_region = []
        for i in range(store.read_replicas):
            zone = primary_net.zones[(i + 1) % len(primary_net.zones)]
            in_region.append(
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
            )
        self.connectable += [(replica.arn, replica.resource_id) for replica in in_region]
        if in_region:
            self.readers[primary.name] = pulumi.Output.all(*[r.address for r in in_region]).apply(",".join)
        for r in store.regions[1:]:
            network = self.networks[r]
            region = network.region
            replica_id = identifier(plan, store.name, "replica", r)
            replica_logs = self._exported_logs("instance", replica_id, network)
            replica = aws.rds.Instance(
                name(plan, store.name, "replica", r, kind="aws:rds/instance:Instance"),
                identifier=replica_id,
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
                enabled_cloudwatch_logs_exports=list(EXPORTS),
                iam_database_authentication_enabled=True,
                **self._storage(store),
                **self._common(network),
                opts=stateful(plan, region.opts(self, depends_on=replica_logs)),
            )
            self.endpoints[r] = replica.address
            self.arns.append(replica.arn)
            self.by_region[r] = replica
            self.connectable.append((replica.arn, replica.resource_id))
        if len(store.regions) > 1:
            self.writer = self._writer_record(writer, self.endpoints[store.regions[1]])

    def _aurora(
        self,
        groups: dict[str, aws.rds.SubnetGroup],
        params: dict[str, aws.rds.ParameterGroup | aws.rds.ClusterParameterGroup],
    ) -> None:
        plan, store = self.plan, self.store
        primary_net = self.networks[store.writer_region]
        primary = primary_net.region
        global_cluster = None
        # the managed master secret under the region's key (RDS uses AWS's own key when none is named)
        password: dict[str, object] = {
            "manage_master_user_password": True,
            "master_user_secret_kms_key_id": primary_net.key.arn if self.encrypted else None,
        }
        if len(store.regions) > 1:
            global_cluster = aws.rds.GlobalCluster(
                name(plan, store.name, "global"),
                global_cluster_identifier=physical(plan, store.name),
                engine="aurora-postgresql",
                engine_version=self.version,
                storage_encrypted=self.encrypted,
                deletion_protection=self.safe,
                opts=stateful(plan, primary.opts(self, ignore_changes=list(UPGRADED_BY_AWS))),
            )
            # Managed master passwords are not supported for Aurora Global Database clusters
            password = self._own_secret().write_only("master_password")
        writer_id = identifier(plan, store.name, primary.name)
        writer_logs = self._exported_logs("cluster", writer_id, primary_net)
        writer = aws.rds.Cluster(
            name(plan, store.name, primary.name),
            cluster_identifier=writer_id,
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
            enabled_cloudwatch_logs_exports=list(EXPORTS),
            iam_database_authentication_enabled=True,
            **self._storage(store),
            **password,
            **self._common(primary_net),
            opts=stateful(plan, primary.opts(self, depends_on=writer_logs, ignore_changes=list(UPGRADED_BY_AWS))),
        )
        if global_cluster is None:
            self.secret_arn = writer.master_user_secrets.apply(lambda s: s[0].secret_arn if s else "")
        self.endpoints[primary.name] = writer.endpoint
        self.readers[primary.name] = writer.reader_endpoint
        if global_cluster is not None:
            self.writer = global_cluster.endpoint  # moves to the promoted region with the writer
        self.arns.append(writer.arn)
        self.by_region[primary.name] = writer
        self.global_cluster = global_cluster
        self.connectable.append((writer.arn, writer.cluster_resource_id))
        instances = self._instances(writer, primary_net, 1 + store.read_replicas)
        for r in store.regions[1:]:
            network = self.networks[r]
            region = network.region
            secondary_id = identifier(plan, store.name, r)
            secondary_logs = self._exported_logs("cluster", secondary_id, network)
            secondary = aws.rds.Cluster(
                name(plan, store.name, r),
                cluster_identifier=secondary_id,
                engine="aurora-postgresql",
                engine_version=self.version,
                global_cluster_identifier=global_cluster.id if global_cluster else None,
                db_subnet_group_name=groups[r].name,
                db_cluster_parameter_group_name=params[r].name,
                backup_retention_period=self.retention,
                skip_final_snapshot=False,
                final_snapshot_identifier=physical(plan, store.name, "final", r),
                enabled_cloudwatch_logs_exports=list(EXPORTS),
                iam_database_authentication_enabled=True,
                **self._storage(store),
                **self._common(network),
                # a secondary joins once the primary has a writer instance; after a failover AWS
                # moves the replication source, which the program must not undo
                opts=stateful(
                    plan,
                    region.opts(
                        self,
                        depends_on=[writer, *instances, *secondary_logs],
                        ignore_changes=["replicationSourceIdentifier", *UPGRADED_BY_AWS],
                    ),
                ),
            )
            self.endpoints[r] = secondary.reader_endpoint
            self.arns.append(secondary.arn)
            self.by_region[r] = secondary
            self.connectable.append((secondary.arn, secondary.cluster_resource_id))
            self._instances(secondary, network, 1 + (1 if store.multi_az else 0))

    @staticmethod
    def _storage(store: RelationalPlan) -> dict[str, str]:
        """I/O-Optimized where the plan chose it; Standard is the cluster's default, left unset
        (AWS reports Standard as an empty storage type, so setting `aurora` would diff forever)."""
        if store.storage_type is not None and store.storage_type.value == "aurora-iopt1":
            return {"storage_type": "aurora-iopt1"}
        return {}

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
                    opts=region.opts(self, ignore_changes=list(UPGRADED_BY_AWS)),
                )
            )
        return out

    def _exported_logs(self, kind: str, ident_: str, network: Network) -> list[aws.cloudwatch.LogGroup]:
        """The log groups RDS exports an instance's or a cluster's logs to (`kind`: instance or cluster),
        under the names RDS gives them, `/aws/rds/<kind>/<identifier>/<log>`: made before the
        database (which depends on them), under the region's key, so RDS finds them and does not make
        its own under AWS's key with no retention."""
        return [
            aws_log_group(
                self.plan,
                name(self.plan, self.store.name, "logs", network.region.name),
                f"/aws/rds/{kind}/{ident_}/{log}",
                network.region,
                network.key.arn,
                self,
            )
            for log in EXPORTS
        ]

    def _writer_record(self, writer: aws.rds.Instance, standby: pulumi.Output[str]) -> str:
        """A private zone in every region's VPC with `writer.<store>.<system>.internal`: a failover pair
        of records, the writer (PRIMARY) and the replica the runbook promotes (SECONDARY). The primary's
        health check follows a CloudWatch alarm on the writer's metrics that treats missing data as
        breaching and is unhealthy on insufficient data, so a region loss moves the name on Route 53's
        data plane: no record change (a control-plane call served from us-east-1) is in the recovery."""
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
        alarm = aws.cloudwatch.MetricAlarm(
            name(plan, store.name, "writer-alarm"),
            alarm_description=f"{store.name}: the writer in {primary.name} stopped reporting (missing data "
            "breaches); the writer name's health check follows this alarm",
            namespace="AWS/RDS",
            metric_name="CPUUtilization",
            dimensions={"DBInstanceIdentifier": writer.identifier},
            statistic="Maximum",
            period=60,
            evaluation_periods=3,
            threshold=0,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            opts=primary.opts(self),
        )
        check = aws.route53.HealthCheck(
            name(plan, store.name, "writer-health"),
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=alarm.name,
            cloudwatch_alarm_region=primary.name,
            insufficient_data_health_status="Unhealthy",
            tags={"Name": name(plan, store.name, "writer-health")},
            opts=primary.opts(self),
        )
        for role, address, health in (("PRIMARY", writer.address, check.id), ("SECONDARY", standby, None)):
            aws.route53.Record(
                name(plan, store.name, "writer", role.lower()),
                zone_id=zone.zone_id,
                name=store.writer_name.value,
                type="CNAME",
                ttl=30,
                records=[address],
                set_identifier=role.lower(),
                health_check_id=health,
                failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=role)],
                opts=primary.opts(self),
            )
        return store.writer_name.value

    def _own_secret(self) -> Credential:
        """A generated master password (generators.aws.common.credential: one value kept in the stack's
        state, encrypted), written write-only into the database and into a secret replicated to every
        region of the store (each replica under its region's key), so a task reads its own region's
        copy, and still can when the primary region is lost. Write-only keeps it out of the provider's
        state; Pulumi keeps it among the inputs, as a secret (see `credential`)."""
        plan, store = self.plan, self.store
        primary = self.networks[store.writer_region]
        generated = credential(name(plan, store.name, "admin-password"), 40, self)
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
            secret_string_wo=pulumi.Output.json_dumps({"username": DB_ADMIN, "password": generated.value}),
            secret_string_wo_version=generated.version,
            opts=primary.region.opts(self),
        )
        self.secret_arn = secret.arn
        self.replicated_secret = True
        return generated

    def access(self, region: str, svc: ServicePlan) -> Access:
        """The writer (and where replicas serve reads, the read host) for `svc`, as its own database
        user (`<DB>_USER`), authenticated by IAM: `rds-db:connect` for that user on every instance and
        cluster of the store, never the master credentials. The user and its SQL grants (by the edge's
        access) are made once by an operator: the plan's bootstrap (blueprints.access.bootstrap_sql)."""
        key = env_key(self.store.name)
        endpoint = self.writer or self.endpoints[self.store.writer_region]
        user = database_user(svc.name)
        env: dict[str, pulumi.Input[str]] = {
            f"{key}_HOST": endpoint,
            f"{key}_PORT": str(self.store.port),
            f"{key}_DB": ident(self.store.name),
            f"{key}_USER": user,
        }
        if self.store.read_host_in(region):
            env[f"{key}_READ_HOST"] = (
                self.endpoints[region] if region != self.store.writer_region else self.readers[region]
            )
        users = [
            pulumi.Output.all(arn, rid).apply(lambda a: grants.db_user_arn(a[0], a[1], user))
            for arn, rid in self.connectable
        ]
        return Access(env=env, statements=[grants.allow([grants.DB_CONNECT], list(users))])
