"""The moto-backed offline cloud: `MotoMocks` (mocks.py) and one module per AWS service, mirroring
moto's own backend-per-service layout, each registering the calls pulumi-aws makes for its
resource types; the session and clients (clients.py), each run's own moto state, set aside
between calls (state.py), coverage notes (coverage.py) and the speed-ups that leave moto's
behaviour unchanged, applied only while a run is under way (speedups.py)."""

from __future__ import annotations

from hld.offline.moto import (  # noqa: F401 (each module registers its resource types' handlers)
    acm,
    autoscaling,
    backup,
    cloudfront,
    cloudwatch,
    dynamodb,
    ec2,
    ecs,
    elasticache,
    elbv2,
    fis,
    iam,
    kms,
    logs,
    rds,
    route53,
    s3,
    secretsmanager,
    servicediscovery,
    sns,
    sqs,
    ssm,
    wafv2,
)
from hld.offline.moto.clients import CREDENTIALS, Session
from hld.offline.moto.coverage import COVERAGE_NOTES
from hld.offline.moto.mocks import HANDLERS, MotoMocks, handles

__all__ = ["COVERAGE_NOTES", "CREDENTIALS", "HANDLERS", "MotoMocks", "Session", "handles"]
