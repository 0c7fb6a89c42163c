"""AWS Backup: vaults and plans: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num


@handles("aws:backup/vault:Vault")
def _vault(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    vault = i["name"]
    out = m.client("backup", r).create_backup_vault(
        BackupVaultName=vault, **drop_none({"EncryptionKeyArn": i.get("kmsKeyArn")})
    )
    return vault, {"arn": out["BackupVaultArn"], "name": vault}


@handles("aws:backup/plan:Plan")
def _backup_plan(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        life = first(rule.get("lifecycle")) or {}
        rules.append(
            drop_none(
                {
                    "RuleName": rule["ruleName"],
                    "TargetBackupVaultName": rule["targetVaultName"],
                    "ScheduleExpression": rule.get("schedule"),
                    "StartWindowMinutes": num(rule.get("startWindow")),
                    "CompletionWindowMinutes": num(rule.get("completionWindow")),
                    "Lifecycle": {"DeleteAfterDays": int(life["deleteAfter"])} if life.get("deleteAfter") else None,
                    "CopyActions": [
                        drop_none(
                            {
                                "DestinationBackupVaultArn": c["destinationVaultArn"],
                                "Lifecycle": {"DeleteAfterDays": int(first(c["lifecycle"])["deleteAfter"])}
                                if c.get("lifecycle")
                                else None,
                            }
                        )
                        for c in rule.get("copyActions") or []
                    ]
                    or None,
                }
            )
        )
    out = m.client("backup", r).create_backup_plan(BackupPlan={"BackupPlanName": i["name"], "Rules": rules})
    return out["BackupPlanId"], {"arn": out["BackupPlanArn"], "version": out["VersionId"]}
