"""What the moto-backed cloud exercises through a real moto API, and how (the coverage table's notes)."""

from __future__ import annotations

COVERAGE_NOTES: dict[str, str] = {
    "aws:dynamodb/table:Table": "global table replicas: moto lacks UpdateTable replica updates "
    "(version 2019.11.21); each replica is created as a table in its region, with its KMS key, PITR and "
    "deletion protection",
    "aws:cloudfront/distribution:Distribution": "moto accepts only an origin as a behavior's target: a "
    "behavior aimed at an origin group is created aimed at the group's primary member",
    "aws:cloudfront/cachePolicy:CachePolicy": "recorded only: moto has no CloudFront CreateCachePolicy",
    "aws:backup/selection:Selection": "recorded only: moto has no AWS Backup CreateBackupSelection",
    "aws:acm/certificateValidation:CertificateValidation": "DescribeCertificate only: validation itself "
    "needs DNS resolution, which moto does not do (the certificate stays PENDING_VALIDATION)",
    "aws:elasticache/replicationGroup:ReplicationGroup": "moto sizes a cluster-mode-disabled group from "
    "ReplicasPerNodeGroup, not NumCacheClusters: both are sent (replicas = clusters - 1)",
    "aws:rds/instance:Instance": "cross-region read replicas: the subnet group is set by ModifyDBInstance "
    "after creation (moto looks a replica's subnet group up in the source's region)",
    "aws:route53/record:Record": "the domain's public hosted zone is assumed to exist; moto gets one "
    "created for it on lookup",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "moto models composite alarms but has no PutCompositeAlarm "
    "API: made through the backend call its PutMetricAlarm shares, after checking every alarm its rule names exists",
    "aws:fis/experimentTemplate:ExperimentTemplate": "moto stores templates without checking them: hld refuses what "
    "FIS would first, from a dated table of FIS's actions (blueprints/fis.py)",
    "random:index/randomPassword:RandomPassword": "recorded only: pulumi-random generates it inside the "
    "Pulumi engine, through no AWS API; the offline clouds answer a value of its length and alphabet, new "
    "when its keepers change",
}
