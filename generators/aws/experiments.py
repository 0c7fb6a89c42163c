"""hld:aws:Experiments: the plan's AWS FIS experiment templates (blueprints.planner.experiments), each
in the region of what it targets, with one FIS role per region whose inline policy names only this
stack's resources there.

Translates only. The plan's `target_parameters` carry FIS's own resource parameters (the zone of an
RDS writer or of ElastiCache nodes) and, for hld, which of the plan's parts a target resolves to:
`service` (ECS: the plan's service, emitted as FIS's `cluster` and `service` parameters with the
physical names), `store` (the plan's store, emitted as its ARN) and `zone` (ECS tasks: emitted as a
filter on the task's `AvailabilityZone`). Targets name resources by ARN where FIS takes one; where
it does not (ElastiCache replication groups, S3 buckets) by the stack's own tags, which the
region's provider puts on every resource (`hld:system`, `hld:stack`).

Templates are created (creating one costs nothing) and never run by hld: `Experiment.run` says how.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints.fis import ACTIONS
from blueprints.plan_model import Experiment, ExperimentAction, Plan
from generators.aws.common import name

SYSTEM_TAG, STACK_TAG = "hld:system", "hld:stack"
FIS_TAG = "managedByFIS"
"""The tag FIS puts on what it creates for an action (network ACLs, route tables, prefix lists,
interfaces): the role may change only what carries it."""
HLD_KEYS = ("service", "store", "zone")
"""Keys of a plan action's `target_parameters` that are hld's, not FIS's."""


def trust(region: str, account: pulumi.Input[str]) -> pulumi.Output[str]:
    """FIS assumes the role only for this account's experiments in `region` (the confused deputy:
    https://docs.aws.amazon.com/fis/latest/userguide/security_iam_id-based-policy-examples.html)."""
    return pulumi.Output.from_input(account).apply(
        lambda a: pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "fis.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": a},
                            "ArnLike": {"aws:SourceArn": f"arn:aws:fis:{region}:{a}:experiment/*"},
                        },
                    }
                ],
            }
        )
    )


class Experiments(pulumi.ComponentResource):
    def __init__(
        self,
        plan: Plan,
        networks: dict[str, Any],
        clusters: dict[str, Any],
        services: dict[tuple[str, str], Any],
        stores: dict[str, Any],
        per_region: dict[tuple[str, str], Any],
        stop_alarms: dict[tuple[str, str], pulumi.Output[str]],
        parent: pulumi.Resource,
    ):
        super().__init__("hld:aws:Experiments", name(plan, "experiments"), None, pulumi.ResourceOptions(parent=parent))
        self.plan, self.networks, self.clusters, self.services = plan, networks, clusters, services
        self.stores, self.per_region = stores, per_region
        self.templates: dict[str, aws.fis.ExperimentTemplate] = {}
        planned = plan.operations.experiments if plan.operations is not None else []
        by_region: dict[str, list[Experiment]] = {}
        for exp in planned:
            by_region.setdefault(exp.region, []).append(exp)
        for region, exps in by_region.items():
            missing = [e.name for e in exps if (region, e.disruption) not in stop_alarms]
            if missing:
                raise pulumi.RunError(
                    f"{plan.name}: no stop alarm in {region} for the FIS experiments {', '.join(missing)}: a "
                    "template must stop on the alarm of its region's entry (generators.aws.monitors makes one "
                    "where the region has an alert topic and an entry it measures)"
                )
            self._region(region, exps, {e.disruption: stop_alarms[(region, e.disruption)] for e in exps})
        self.register_outputs({"templates": {n: t.id for n, t in self.templates.items()}})

    # --- one region ------------------------------------------------------------------------------

    def _region(self, region: str, exps: list[Experiment], alarms: dict[str, pulumi.Output[str]]) -> None:
        plan, network = self.plan, self.networks[region]
        opts = network.region.opts(self)
        built = [(exp, [self._target(exp, a) for a in exp.actions]) for exp in exps]
        role = aws.iam.Role(
            name(plan, "fis-role", region, kind="aws:iam/role:Role"),
            description=f"{plan.name} ({plan.stack}): FIS experiments in {region}, on this stack's resources only",
            assume_role_policy=trust(region, network.account),
            opts=opts,
        )
        used = {a.action for exp in exps for a in exp.actions}
        resources = [r for _, targets in built for t in targets for r in t["arns"]]
        policy = aws.iam.RolePolicy(
            name(plan, "fis-policy", region),
            role=role.id,
            policy=pulumi.Output.all(network.account, resources, self._extra(region, exps)).apply(
                lambda args: json.dumps(statements(region, args[0], used, args[1], args[2]))
            ),
            opts=opts,
        )
        for exp, targets in built:
            self.templates[exp.name] = aws.fis.ExperimentTemplate(
                name(plan, "fis", exp.lost),
                description=exp.hypothesis,
                role_arn=role.arn,
                stop_conditions=[
                    aws.fis.ExperimentTemplateStopConditionArgs(
                        source="aws:cloudwatch:alarm", value=alarms[exp.disruption]
                    )
                ],
                # a zone's writer or cache nodes are in one zone only: in the others their targets resolve
                # to nothing, and FIS's default (fail) would fail the whole experiment, network cut included
                experiment_options=aws.fis.ExperimentTemplateExperimentOptionsArgs(
                    account_targeting="single-account", empty_target_resolution_mode="skip"
                ),
                actions=[
                    aws.fis.ExperimentTemplateActionArgs(
                        name=a.name,
                        action_id=a.action,
                        description=a.subject,
                        parameters=[
                            aws.fis.ExperimentTemplateActionParameterArgs(key=k, value=v)
                            for k, v in sorted({**a.parameters, **t["action_parameters"]}.items())
                        ]
                        or None,
                        target=aws.fis.ExperimentTemplateActionTargetArgs(
                            key=ACTIONS[a.action].target_key, value=t["name"]
                        ),
                    )
                    for a, t in zip(exp.actions, targets, strict=True)
                ],
                targets=unique([t["args"] for t in targets]),
                tags={"Name": exp.name, "hld:disruption": exp.disruption, "hld:lost": exp.lost},
                opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[policy])),
            )

    def _extra(self, region: str, exps: list[Experiment]) -> dict[str, Any]:
        """What the policy names besides the targets: the VPC, the ECS cluster, the cache groups."""
        network = self.networks[region]
        out: dict[str, Any] = {}
        if getattr(network, "has_vpc", False):
            out["vpc"] = network.vpc.arn
        if region in self.clusters:
            out["cluster"] = self.clusters[region].cluster.arn
            out["cluster_name"] = self.clusters[region].cluster.name
        out["caches"] = [
            h.group.arn for (_, r), h in sorted(self.per_region.items()) if r == region and hasattr(h, "group")
        ]
        out["buckets"] = [
            h.buckets[region].arn
            for _, h in sorted(self.stores.items())
            if hasattr(h, "buckets") and region in h.buckets
        ]
        return out

    # --- targets -----------------------------------------------------------------------------------

    def _target(self, exp: Experiment, action: ExperimentAction) -> dict[str, Any]:
        """The FIS target of one planned action: its name, its args, the ARNs it names, the action
        parameters it adds."""
        plan, region = self.plan, exp.region
        network = self.networks[region]
        row = ACTIONS[action.action]
        fis_params = {k: v for k, v in action.target_parameters.items() if k not in HLD_KEYS}
        extra: dict[str, Any] = {}
        arns: list[pulumi.Output[str]] = []
        tags = None
        filters = None
        params: dict[str, pulumi.Input[str]] = dict(fis_params)
        if row.resource_type == "aws:ec2:subnet":
            zone = exp.lost if exp.disruption == "zone-loss" else None
            subnets = [
                s
                for tier in ("public", "private", "isolated")
                for z, s in sorted(getattr(network.subnets, tier).items())
                if zone is None or z == zone
            ]
            target = f"subnets-{zone or region}"
            arns = [s.arn for s in subnets]
        elif row.resource_type == "aws:ecs:task":
            svc = action.target_parameters["service"]
            target = f"{svc}-tasks-{exp.lost}"
            params = {
                "cluster": self.clusters[region].cluster.name,
                "service": self.services[(svc, region)].service.name,
            }
            filters = [aws.fis.ExperimentTemplateTargetFilterArgs(path="AvailabilityZone", values=[exp.lost])]
        elif row.resource_type in ("aws:rds:db", "aws:rds:cluster"):
            store = action.target_parameters["store"]
            target = f"{store}-{region}"
            arns = [self.stores[store].by_region[region].arn]
        elif row.resource_type == "aws:elasticache:replicationgroup":
            target = f"caches-{exp.lost}"
            tags = stack_tags(plan)
        elif row.resource_type == "aws:dynamodb:global-table":
            store = action.target_parameters["store"]
            target = f"{store}-{region}"
            primary = self.stores[store].store.regions[0]
            arns = [self.stores[store].table.arn.apply(lambda a, p=primary: a.replace(f":{p}:", f":{region}:"))]
        elif row.resource_type == "aws:s3:bucket":
            store = action.target_parameters["store"]
            target = f"{store}-{region}"
            tags = stack_tags(plan)
            destination = self.stores[store].buckets[action.parameters["region"]]
            extra["destinationBuckets"] = destination.bucket
        else:
            raise pulumi.RunError(f"{exp.name}: no target for {action.action} ({row.resource_type})")
        args = aws.fis.ExperimentTemplateTargetArgs(
            name=target,
            resource_type=row.resource_type,
            selection_mode="ALL",
            resource_arns=arns or None,
            resource_tags=[aws.fis.ExperimentTemplateTargetResourceTagArgs(key=k, value=v) for k, v in tags.items()]
            if tags
            else None,
            filters=filters,
            parameters=params or None,
        )
        return {"name": target, "args": args, "arns": arns, "action_parameters": extra}


def stack_tags(plan: Plan) -> dict[str, str]:
    """The tags the region's provider puts on every resource of this stack (generators.aws.program)."""
    return {SYSTEM_TAG: plan.name, STACK_TAG: plan.stack}


def unique(targets: list[aws.fis.ExperimentTemplateTargetArgs]) -> list[aws.fis.ExperimentTemplateTargetArgs]:
    """Each target once (actions of one template may share one: a region's subnets)."""
    seen: set[str] = set()
    out = []
    for t in targets:
        key = str(t.name)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


# --- the role's policy -------------------------------------------------------------------------------


def statements(region: str, account: str, used: set[str], targets: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    """The FIS role's policy: each used action's documented permissions (blueprints.fis), on this
    stack's resources in `region`; what FIS creates for an action only under its managedByFIS tag;
    the read-only calls AWS authorizes on no resource (`Describe*`, `tag:GetResources`) on "*"."""
    ec2 = f"arn:aws:ec2:{region}:{account}"
    subnets = sorted({a for a in targets if ":subnet/" in a})
    created = {"StringEquals": {f"aws:RequestTag/{FIS_TAG}": "true"}}
    tagged = {"StringEquals": {f"ec2:ResourceTag/{FIS_TAG}": "true"}}
    vpc = [extra["vpc"]] if extra.get("vpc") else []
    out: list[dict[str, Any]] = []
    reads: set[str] = {"tag:GetResources"}

    def allow(sid: str, actions: list[str], resources: list[str], condition: dict[str, Any] | None = None) -> None:
        st: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
        if condition:
            st["Condition"] = condition
        out.append(st)

    if "aws:network:disrupt-connectivity" in used:
        allow("CloneNetworkAcls", ["ec2:CreateNetworkAcl"], [*vpc, f"{ec2}:network-acl/*"], created)
        allow(
            "TagClonedNetworkAcls",
            ["ec2:CreateTags"],
            [f"{ec2}:network-acl/*"],
            {"StringEquals": {"ec2:CreateAction": "CreateNetworkAcl"}},
        )
        allow(
            "ChangeClonedNetworkAcls",
            ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
            [f"{ec2}:network-acl/*"],
            tagged,
        )
        allow("SwapTheZonesAcls", ["ec2:ReplaceNetworkAclAssociation"], [*subnets, f"{ec2}:network-acl/*"])
        reads |= {
            "ec2:DescribeManagedPrefixLists",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        }
    if "aws:network:route-table-disrupt-cross-region-connectivity" in used:
        allow(
            "SwapTheRegionsRouteTables",
            ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"],
            [*subnets, f"{ec2}:route-table/*"],
        )
        allow("CreateIsolatingRouteTables", ["ec2:CreateRouteTable"], [*vpc, f"{ec2}:route-table/*"], created)
        allow("CreateIsolatingPrefixLists", ["ec2:CreateManagedPrefixList"], [f"{ec2}:prefix-list/*"], created)
        allow(
            "CreateIsolatingInterfaces",
            ["ec2:CreateNetworkInterface"],
            [*subnets, f"{ec2}:network-interface/*", f"{ec2}:security-group/*"],
            created,
        )
        allow(
            "TagWhatFisCreates",
            ["ec2:CreateTags"],
            [f"{ec2}:route-table/*", f"{ec2}:prefix-list/*", f"{ec2}:network-interface/*"],
            {
                "StringEquals": {
                    "ec2:CreateAction": ["CreateRouteTable", "CreateManagedPrefixList", "CreateNetworkInterface"]
                }
            },
        )
        allow(
            "ChangeIsolatingRouteTables", ["ec2:CreateRoute", "ec2:DeleteRouteTable"], [f"{ec2}:route-table/*"], tagged
        )
        allow(
            "ChangeIsolatingPrefixLists",
            ["ec2:ModifyManagedPrefixList", "ec2:DeleteManagedPrefixList"],
            [f"{ec2}:prefix-list/*"],
            tagged,
        )
        allow("DeleteIsolatingInterfaces", ["ec2:DeleteNetworkInterface"], [f"{ec2}:network-interface/*"], tagged)
        allow("ReadPrefixLists", ["ec2:GetManagedPrefixListEntries"], [f"{ec2}:prefix-list/*"])
        allow("RouteEndpoints", ["ec2:ModifyVpcEndpoint"], [f"{ec2}:vpc-endpoint/*"])
        reads |= {
            "ec2:DescribeManagedPrefixLists",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeRouteTables",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeVpcs",
        }
    if "aws:ecs:stop-task" in used and extra.get("cluster_name"):
        cluster = extra["cluster_name"]
        allow(
            "StopTheStacksTasks",
            ["ecs:DescribeTasks", "ecs:StopTask"],
            [f"arn:aws:ecs:{region}:{account}:task/{cluster}/*"],
        )
        allow(
            "ListTheStacksTasks", ["ecs:ListTasks"], [f"arn:aws:ecs:{region}:{account}:container-instance/{cluster}/*"]
        )
    dbs = sorted({a for a in targets if ":rds:" in a and ":db:" in a})
    clusters = sorted({a for a in targets if ":rds:" in a and ":cluster:" in a})
    if dbs:
        allow("FailOverTheStacksInstances", ["rds:DescribeDBInstances", "rds:RebootDBInstance"], dbs)
    if clusters:
        allow("FailOverTheStacksClusters", ["rds:DescribeDBClusters", "rds:FailoverDBCluster"], clusters)
    if "aws:elasticache:replicationgroup-interrupt-az-power" in used and extra.get("caches"):
        allow(
            "InterruptTheStacksCacheNodes",
            ["elasticache:DescribeReplicationGroups", "elasticache:InterruptClusterAzPower"],
            sorted(extra["caches"]),
        )
    tables = sorted({a for a in targets if ":dynamodb:" in a})
    if tables:
        allow(
            "PauseTheStacksTableReplication",
            [
                "dynamodb:DeleteResourcePolicy",
                "dynamodb:DescribeTable",
                "dynamodb:GetResourcePolicy",
                "dynamodb:PutResourcePolicy",
            ],
            [r for t in tables for r in (t, f"{t}/stream/*")],
        )
    if "aws:s3:bucket-pause-replication" in used and extra.get("buckets"):
        buckets = sorted(extra["buckets"])
        allow(
            "PauseTheStacksBucketReplication",
            ["s3:PutReplicationConfiguration"],
            buckets,
            {"Bool": {"s3:IsReplicationPauseRequest": "true"}},
        )
        # FIS documents the pause-request condition on the read too; IAM's service reference (and
        # parliament) knows it only on the write: the read stays on the stack's buckets alone
        allow("ReadTheStacksBucketReplication", ["s3:GetReplicationConfiguration"], buckets)
        allow("PauseReplication", ["s3:PauseReplication"], buckets)
        reads.add("s3:ListAllMyBuckets")
    allow("ReadOnlyCallsOnNoResource", sorted(reads), ["*"])
    return {"Version": "2012-10-17", "Statement": out}
