"""hld:aws:Bucket: S3 buckets with public access blocked, versioning, KMS encryption;
replicated with Replication Time Control from every region that is written (all of them under
active-active, two-way; the primary otherwise) to every other."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import ObjectPlan, Plan, ServicePlan
from generators.aws import grants
from generators.aws.common import Access, env_key, name, stateful
from generators.aws.network import Network


class Bucket(pulumi.ComponentResource):
    def __init__(self, plan: Plan, store: ObjectPlan, networks: dict[str, Network], parent: pulumi.Resource):
        super().__init__("hld:aws:Bucket", name(plan, store.name), None, pulumi.ResourceOptions(parent=parent))
        self.plan, self.store, self.networks = plan, store, networks
        self.buckets: dict[str, aws.s3.Bucket] = {}
        self.versioning: dict[str, aws.s3.BucketVersioning] = {}
        encrypted = plan.control("encryption-at-rest").enabled
        for r in store.regions:
            network = networks[r]
            opts = network.region.opts(self)
            bucket = aws.s3.Bucket(name(plan, store.name, r, kind="aws:s3/bucket:Bucket"), opts=stateful(plan, opts))
            aws.s3.BucketPublicAccessBlock(
                name(plan, store.name, "public-access", r),
                bucket=bucket.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=opts,
            )
            aws.s3.BucketOwnershipControls(
                name(plan, store.name, "ownership", r),
                bucket=bucket.id,
                rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
                opts=opts,
            )
            self.versioning[r] = aws.s3.BucketVersioning(
                name(plan, store.name, "versioning", r),
                bucket=bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                    status="Enabled" if store.versioning or len(store.regions) > 1 else "Suspended"
                ),
                opts=opts,
            )
            # uploads left unfinished are removed after a week; no object version is expired (loss-free)
            aws.s3.BucketLifecycleConfiguration(
                name(plan, store.name, "lifecycle", r),
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="abort-incomplete-uploads",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=7
                        ),
                    )
                ],
                opts=opts,
            )
            aws.s3.BucketServerSideEncryptionConfiguration(
                name(plan, store.name, "encryption", r),
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                            sse_algorithm="aws:kms" if encrypted else "AES256",
                            kms_master_key_id=network.key.arn if encrypted else None,
                        ),
                        bucket_key_enabled=encrypted,
                    )
                ],
                opts=opts,
            )
            self.buckets[r] = bucket
            if not store.public:  # a public bucket's policy also admits its CDN: see serve()
                aws.s3.BucketPolicy(
                    name(plan, store.name, "tls-only", r),
                    bucket=bucket.id,
                    policy=bucket.arn.apply(_tls_only),
                    opts=opts,
                )
        if len(store.regions) > 1:
            self._replication(plan, networks)
        self.register_outputs({"buckets": {r: b.bucket for r, b in self.buckets.items()}})

    def _replication(self, plan: Plan, networks: dict[str, Network]) -> None:
        """Every written region's bucket replicates to every other: under active-active each region
        writes its own (two-way, replica modifications synced), otherwise the primary alone."""
        store = self.store
        primary = networks[store.regions[0]].region
        writers = store.regions if plan.replication.value == "active" else store.regions[:1]
        two_way = len(writers) > 1
        role = aws.iam.Role(
            name(plan, store.name, "replication", kind="aws:iam/role:Role"),
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ],
                }
            ),
            opts=primary.opts(self),
        )
        sources = [self.buckets[r] for r in writers]
        targets = [self.buckets[r] for r in store.regions if r != store.regions[0] or two_way]
        keys = [networks[r].key.arn for r in store.regions]
        aws.iam.RolePolicy(
            name(plan, store.name, "replication-policy"),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                            "Resource": [b.arn for b in sources],
                        },
                        {
                            "Effect": "Allow",
                            "Action": [
                                "s3:GetObjectVersionForReplication",
                                "s3:GetObjectVersionAcl",
                                "s3:GetObjectVersionTagging",
                            ],
                            "Resource": [b.arn.apply(lambda a: f"{a}/*") for b in sources],
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                            "Resource": [t.arn.apply(lambda a: f"{a}/*") for t in targets],
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                            "Resource": keys,
                        },
                    ],
                }
            ),
            opts=primary.opts(self),
        )
        for source in writers:
            others = [r for r in store.regions if r != source]
            criteria = aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                    status="Enabled"
                ),
                replica_modifications=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaReplicaModificationsArgs(
                    status="Enabled"
                )
                if two_way
                else None,
            )
            aws.s3.BucketReplicationConfig(
                name(plan, store.name, "replication", *([source] if two_way else [])),
                bucket=self.buckets[source].id,
                role=role.arn,
                rules=[
                    aws.s3.BucketReplicationConfigRuleArgs(
                        id=f"to-{r}",
                        priority=i,
                        status="Enabled",
                        filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                        delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                            status="Enabled"
                        ),
                        source_selection_criteria=criteria,
                        destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                            bucket=self.buckets[r].arn,
                            encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                                replica_kms_key_id=networks[r].key.arn
                            ),
                            replication_time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                                status="Enabled",
                                time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(minutes=15),
                            ),
                            metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                                status="Enabled",
                                event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                    minutes=15
                                ),
                            ),
                        ),
                    )
                    for i, r in enumerate(others, start=1)
                ],
                # S3 refuses a replication configuration until both ends are versioned
                opts=networks[source].region.opts(self, depends_on=list(self.versioning.values())),
            )

    def serve(self, distribution: aws.cloudfront.Distribution) -> None:
        """A public bucket: its policy admits the CDN's reads, and so does its region's key."""
        for r, bucket in self.buckets.items():
            opts = self.networks[r].region.opts(self)
            aws.s3.BucketPolicy(
                name(self.plan, self.store.name, "tls-only", r),
                bucket=bucket.id,
                policy=pulumi.Output.all(bucket.arn, distribution.arn).apply(lambda a: _cdn_reads(a[0], a[1])),
                opts=opts,
            )

    def access(self, region: str, svc: ServicePlan) -> Access:
        """The region's bucket (else the primary's) for `svc`: a reader gets and lists, a writer puts;
        the bucket's key only through S3, for this bucket (its S3 Bucket Key's context)."""
        home = region if region in self.buckets else self.store.regions[0]
        bucket, mode = self.buckets[home], svc.access_to(self.store.name)
        statements = [grants.allow(grants.actions(grants.OBJECTS, mode), [bucket.arn.apply(lambda a: f"{a}/*")])]
        if listing := grants.actions(grants.LISTING, mode):
            statements.append(grants.allow(listing, [bucket.arn]))
        if self.plan.control("encryption-at-rest").enabled:
            statements.append(grants.key_use("object", mode, home, self.networks[home].key.arn, bucket.arn))
        return Access(env={f"{env_key(self.store.name)}_BUCKET": bucket.bucket}, statements=statements)


def _deny_plain_http(arn: str) -> dict[str, object]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _tls_only(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [_deny_plain_http(arn)]})


def _cdn_reads(arn: str, distribution_arn: str) -> str:
    """TLS only, and the CDN (this distribution, through its origin access control) may read objects."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                _deny_plain_http(arn),
                {
                    "Sid": "CdnReads",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": f"{arn}/*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                },
            ],
        }
    )
