"""hld:aws:Backup: an AWS Backup plan over every stateful store, with cross-region copies
to the standby region(s) when the plan's DR strategy calls for them."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan
from generators.aws.common import name, stateful
from generators.aws.network import Network

DAILY = "cron(0 5 * * ? *)"
MANAGED = "arn:aws:iam::aws:policy/"
BACKUP_POLICIES = (
    MANAGED + "service-role/AWSBackupServiceRolePolicyForBackup",
    MANAGED + "service-role/AWSBackupServiceRolePolicyForRestores",
)
S3_BACKUP_POLICIES = (
    MANAGED + "AWSBackupServiceRolePolicyForS3Backup",
    MANAGED + "AWSBackupServiceRolePolicyForS3Restore",
)
"""AWS Backup's managed policies; S3 needs its own pair on the role
(https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html)."""


def backup_policies(plan: Plan) -> tuple[str, ...]:
    buckets = any(s.kind == "object" for s in plan.datastores)
    return BACKUP_POLICIES + (S3_BACKUP_POLICIES if buckets else ())


class Backup(pulumi.ComponentResource):
    def __init__(
        self, plan: Plan, networks: dict[str, Network], resources: list[pulumi.Input[str]], parent: pulumi.Resource
    ):
        super().__init__("hld:aws:Backup", name(plan, "backup"), None, pulumi.ResourceOptions(parent=parent))
        primary = networks[plan.primary_region].region
        keep = plan.dr.backup_retention_days
        vaults = {}
        for r in [plan.primary_region, *plan.dr.backup_copy_regions]:
            vaults[r] = aws.backup.Vault(
                name(plan, "vault", r, kind="aws:backup/vault:Vault"),
                kms_key_arn=networks[r].key.arn if plan.control("encryption-at-rest").enabled else None,
                force_destroy=False,
                opts=stateful(plan, networks[r].region.opts(self)),
            )
        lifecycle = aws.backup.PlanRuleLifecycleArgs(delete_after=keep)
        copies = [
            aws.backup.PlanRuleCopyActionArgs(
                destination_vault_arn=vaults[r].arn,
                lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=keep),
            )
            for r in plan.dr.backup_copy_regions
        ]
        backup_plan = aws.backup.Plan(
            name(plan, "backup-plan", kind="aws:backup/plan:Plan"),
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=vaults[plan.primary_region].name,
                    schedule=DAILY,
                    start_window=60,
                    completion_window=360,
                    lifecycle=lifecycle,
                    copy_actions=copies or None,
                )
            ],
            opts=primary.opts(self),
        )
        role = aws.iam.Role(
            name(plan, "backup-role", kind="aws:iam/role:Role"),
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "backup.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            opts=primary.opts(self),
        )
        for arn in backup_policies(plan):
            aws.iam.RolePolicyAttachment(
                name(plan, "backup-role", arn.rsplit("PolicyFor", 1)[-1].lower()),
                role=role.name,
                policy_arn=arn,
                opts=primary.opts(self),
            )
        aws.backup.Selection(
            name(plan, "backup-selection", kind="aws:backup/selection:Selection"),
            plan_id=backup_plan.id,
            iam_role_arn=role.arn,
            resources=resources,
            opts=primary.opts(self),
        )
        self.register_outputs({"plan": backup_plan.id})
