"""hld:aws:Runbooks: a Systems Manager Automation document for each runbook step an AWS API performs
(blueprints.planner.operations names them: `RunbookStep.automation`), in the region whose control
plane the step needs (`step.region`), with the stack's own resource ids filled in.

- promote an RDS read replica: rds PromoteReadReplica, then wait for the instance to be available;
- fail an Aurora global database over: rds FailoverGlobalCluster (with data loss: the old writer's
  region is gone), then wait for the global cluster to be available;
- raise a pilot-light region's services to their serving minimum: application-autoscaling
  RegisterScalableTarget for each service (target tracking then brings the tasks up; no wait: the
  running count settles wherever the load puts it).

No document names an assumeRole: Automation then runs each step with the permissions of whoever
starts it (the operator's), and hld grants no standing role the power to move a writer. Starting
one changes what Pulumi manages (a promoted replica, a raised minimum): the next `pulumi up` shows
it as drift, on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

from blueprints.plan_model import Plan, RunbookStep
from generators.aws.common import name

SCHEMA = "0.3"
"""Automation documents' schema version (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-doc-syntax-examples.html)."""
START_SECONDS = 300
"""How long a document waits for the change it asked for to start before it waits for it to end."""
WAIT_SECONDS = 3600
"""How long a wait step waits before the automation fails (a promotion or failover takes minutes)."""
RUNS_AS = "Runs with the permissions of whoever starts it (no assumeRole): that person needs {needs}."


def _promote(identifier: str) -> tuple[list[dict[str, Any]], str]:
    return [
        {
            "name": "PromoteReadReplica",
            "action": "aws:executeAwsApi",
            "inputs": {"Service": "rds", "Api": "PromoteReadReplica", "DBInstanceIdentifier": identifier},
        },
        {
            # right after the call the replica still reads `available`: wait for the promotion to start
            # (or to have passed, hence Continue), then for it to end
            "name": "WaitForThePromotionToStart",
            "action": "aws:waitForAwsResourceProperty",
            "timeoutSeconds": START_SECONDS,
            "onFailure": "Continue",
            "inputs": {
                "Service": "rds",
                "Api": "DescribeDBInstances",
                "DBInstanceIdentifier": identifier,
                "PropertySelector": "$.DBInstances[0].DBInstanceStatus",
                "DesiredValues": ["modifying", "rebooting", "backing-up"],
            },
        },
        {
            "name": "WaitForTheWriter",
            "action": "aws:waitForAwsResourceProperty",
            "timeoutSeconds": WAIT_SECONDS,
            "inputs": {
                "Service": "rds",
                "Api": "DescribeDBInstances",
                "DBInstanceIdentifier": identifier,
                "PropertySelector": "$.DBInstances[0].DBInstanceStatus",
                "DesiredValues": ["available"],
            },
        },
    ], "rds:PromoteReadReplica and rds:DescribeDBInstances on the replica"


def _failover(global_cluster: str, target_arn: str) -> tuple[list[dict[str, Any]], str]:
    return [
        {
            "name": "FailoverGlobalCluster",
            "action": "aws:executeAwsApi",
            "inputs": {
                "Service": "rds",
                "Api": "FailoverGlobalCluster",
                "GlobalClusterIdentifier": global_cluster,
                "TargetDbClusterIdentifier": target_arn,
                "AllowDataLoss": True,
            },
        },
        {
            # the global cluster reads `available` until the failover starts: wait for it to start (or
            # to have passed, hence Continue), then for it to end
            "name": "WaitForTheFailoverToStart",
            "action": "aws:waitForAwsResourceProperty",
            "timeoutSeconds": START_SECONDS,
            "onFailure": "Continue",
            "inputs": {
                "Service": "rds",
                "Api": "DescribeGlobalClusters",
                "GlobalClusterIdentifier": global_cluster,
                "PropertySelector": "$.GlobalClusters[0].Status",
                "DesiredValues": ["failing-over"],
            },
        },
        {
            "name": "WaitForTheGlobalCluster",
            "action": "aws:waitForAwsResourceProperty",
            "timeoutSeconds": WAIT_SECONDS,
            "inputs": {
                "Service": "rds",
                "Api": "DescribeGlobalClusters",
                "GlobalClusterIdentifier": global_cluster,
                "PropertySelector": "$.GlobalClusters[0].Status",
                "DesiredValues": ["available"],
            },
        },
    ], "rds:FailoverGlobalCluster and rds:DescribeGlobalClusters on the global cluster and its clusters"


def _scale_up(targets: list[tuple[str, str, int]]) -> tuple[list[dict[str, Any]], str]:
    """`targets`: (service, its scalable target's resource id, serving minimum) of each service."""
    return [
        {
            "name": f"RaiseMinimum_{i}",
            "description": f"{svc}: at least {minimum} tasks",
            "action": "aws:executeAwsApi",
            "inputs": {
                "Service": "application-autoscaling",
                "Api": "RegisterScalableTarget",
                "ServiceNamespace": "ecs",
                "ScalableDimension": "ecs:service:DesiredCount",
                "ResourceId": resource_id,
                "MinCapacity": minimum,
            },
        }
        for i, (svc, resource_id, minimum) in enumerate(targets, start=1)
    ], "application-autoscaling:RegisterScalableTarget on the region's services"


def document(step: RunbookStep, steps: list[dict[str, Any]], needs: str) -> str:
    """The Automation document (YAML) that performs `step`."""
    body = {
        "schemaVersion": SCHEMA,
        "description": f"{step.action} ({step.service} {step.plane} plane in {step.region}). "
        + RUNS_AS.format(needs=needs),
        "mainSteps": steps,
    }
    return yaml.safe_dump(body, sort_keys=False, width=120)


Builder = Callable[[Plan, RunbookStep, dict[str, Any], dict[str, Any], dict[tuple[str, str], Any]], Any]
"""(plan, step, stores, clusters by region, services by (name, region)) -> the document, an Output."""


def _promote_content(plan: Plan, step: RunbookStep, stores: dict[str, Any], clusters: Any, services: Any) -> Any:
    replica = stores[_store(step)].by_region[step.region]
    return replica.identifier.apply(lambda ident: document(step, *_promote(ident)))


def _failover_content(plan: Plan, step: RunbookStep, stores: dict[str, Any], clusters: Any, services: Any) -> Any:
    db = stores[_store(step)]
    if db.global_cluster is None:
        raise ValueError(f"{step.automation}: {step.store} has no global cluster to fail over")
    target = db.by_region[step.region]
    return pulumi.Output.all(db.global_cluster.global_cluster_identifier, target.arn).apply(
        lambda a: document(step, *_failover(a[0], a[1]))
    )


def _scale_up_content(
    plan: Plan,
    step: RunbookStep,
    stores: dict[str, Any],
    clusters: dict[str, Any],
    services: dict[tuple[str, str], Any],
) -> Any:
    r = step.region
    assert r is not None
    rows = []
    for svc in plan.services:
        handle = services.get((svc.name, r))
        if handle is None:
            continue
        low = max((c.min_replicas for c in svc.capacity.value if c.role == "serving"), default=1)
        # the scalable target's own id: the document follows the target it raises (never made before it)
        rows.append(pulumi.Output.all(svc.name, handle.scaling.resource_id, low))
    return pulumi.Output.all(*rows).apply(lambda got: document(step, *_scale_up([tuple(row) for row in got])))


BUILDERS: dict[str, Builder] = {
    "aws rds promote-read-replica": _promote_content,
    "aws rds failover-global-cluster": _failover_content,
    "aws application-autoscaling register-scalable-target": _scale_up_content,
}
"""The command each kind of step runs, and the document that runs it through the API instead."""


def _store(step: RunbookStep) -> str:
    if step.store is None:
        raise ValueError(f"{step.automation}: the step names no store")
    return step.store


def automated_steps(plan: Plan) -> list[RunbookStep]:
    """The steps the plan gives an Automation document, once each (the same step may be in the
    runbooks of more than one loss), in the plan's order."""
    ops = plan.operations
    seen: dict[str, RunbookStep] = {}
    for book in ops.runbooks if ops is not None else []:
        for step in book.steps:
            if step.automation and not step.automated and step.region and step.automation not in seen:
                seen[step.automation] = step
    return list(seen.values())


def builder(step: RunbookStep) -> tuple[str, Builder]:
    """The API verb of the step's command (`promote-read-replica`) and what builds its document."""
    command = step.command or ""
    for prefix, build in BUILDERS.items():
        if command.startswith(prefix):
            return prefix.rsplit(" ", 1)[-1], build
    raise ValueError(f"{step.automation}: no Automation document performs `{command}` (generators.aws.runbooks)")


class Runbooks(pulumi.ComponentResource):
    documents: dict[str, aws.ssm.Document]
    """By document name (RunbookStep.automation)."""

    def __init__(
        self,
        plan: Plan,
        networks: dict[str, Any],
        stores: dict[str, Any],
        parent: pulumi.Resource,
        clusters: dict[str, Any] | None = None,
        services: dict[tuple[str, str], Any] | None = None,
    ):
        super().__init__("hld:aws:Runbooks", name(plan, "runbooks"), None, pulumi.ResourceOptions(parent=parent))
        self.documents = {}
        for step in automated_steps(plan):
            assert step.region is not None and step.automation is not None
            verb, build = builder(step)
            content = build(plan, step, stores, clusters or {}, services or {})
            self.documents[step.automation] = aws.ssm.Document(
                name(plan, "runbook", step.store or "capacity", verb, step.region),
                name=step.automation,
                document_type="Automation",
                document_format="YAML",
                content=content,
                tags={"Name": step.automation},
                opts=networks[step.region].region.opts(self),
            )
        self.register_outputs({})
