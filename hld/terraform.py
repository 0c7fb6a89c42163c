"""The resource graph of one offline run as a Terraform plan (JSON, format 1.2), so that any tool
that reads Terraform plans (checkov's `terraform_plan` framework, conftest, OPA) can judge the AWS
program. pulumi-aws is the Terraform AWS provider bridged: each Pulumi type has a Terraform
resource type (TF_TYPES) and its arguments the same names in snake case, with list blocks in
the singular (BLOCKS). References between resources become the configuration's `references`,
as Terraform records them, so graph checks can connect a bucket to its encryption resource.
"""

from __future__ import annotations

import re
from typing import Any

from hld.graph import Graph, Resource
from hld.output import SEAL

MARKER = "hld: Terraform plan of"
"""In the plan's `terraform_version` note, with the seal that lets hld overwrite only its own unedited plan."""

TF_TYPES: dict[str, str] = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:cloudfront/cachePolicy:CachePolicy": "aws_cloudfront_cache_policy",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "random:index/randomPassword:RandomPassword": "random_password",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "aws_cloudwatch_composite_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:fis/experimentTemplate:ExperimentTemplate": "aws_fis_experiment_template",
    "aws:rds/eventSubscription:EventSubscription": "aws_db_event_subscription",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:ssm/document:Document": "aws_ssm_document",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "aws_vpc_peering_connection",
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "aws_vpc_peering_connection_accepter",
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/globalCluster:GlobalCluster": "aws_rds_global_cluster",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:route53/zone:Zone": "aws_route53_zone",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "aws_service_discovery_private_dns_namespace",
    "aws:servicediscovery/service:Service": "aws_service_discovery_service",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
}
"""Each Pulumi type hld declares -> its Terraform resource type (pulumi-aws's provider mapping)."""

BLOCKS: dict[str, str] = {
    "actions": "action",
    "aliases": "alias",
    "attributes": "attribute",
    "conditions": "condition",
    "copyActions": "copy_action",
    "defaultActions": "default_action",
    "failoverRoutingPolicies": "failover_routing_policy",
    "latencyRoutingPolicies": "latency_routing_policy",
    "loadBalancers": "load_balancer",
    "members": "member",
    "metricQueries": "metric_query",
    "stopConditions": "stop_condition",
    "targets": "target",
    "resourceTags": "resource_tag",
    "filters": "filter",
    "orderedCacheBehaviors": "ordered_cache_behavior",
    "originGroups": "origin_group",
    "origins": "origin",
    "parameters": "parameter",
    "queryStrings": "query_string",
    "replicas": "replica",
    "routes": "route",
    "ruleActionOverrides": "rule_action_override",
    "rules": "rule",
    "selectionTags": "selection_tag",
    "settings": "setting",
    "statements": "statement",
    "textTransformations": "text_transformation",
    "volumes": "volume",
    "vpcs": "vpc",
}
"""Pulumi's plural names of list blocks -> Terraform's singular block names (a list of plain
values keeps its name: CloudFront's `aliases` are names, Route 53's are blocks)."""

SINGLE_BLOCKS = frozenset(
    {
        "pointInTimeRecovery",
        "serverSideEncryption",
        "viewerCertificate",
        "defaultCacheBehavior",
        "restrictions",
        "networkConfiguration",
        "deploymentCircuitBreaker",
        "serviceRegistries",
        "runtimePlatform",
        "healthCheck",
        "visibilityConfig",
        "defaultAction",
        "versioningConfiguration",
        "applyServerSideEncryptionByDefault",
        "destination",
        "filter",
        "deleteMarkerReplication",
        "sourceSelectionCriteria",
        "encryptionConfiguration",
        "replicationTime",
        "metrics",
        "lifecycle",
        "targetTrackingScalingPolicyConfiguration",
        "predefinedMetricSpecification",
        "dnsConfig",
        "healthCheckCustomConfig",
        "parametersInCacheKeyAndForwardedToOrigin",
        "cookiesConfig",
        "headersConfig",
        "queryStringsConfig",
        "customOriginConfig",
        "s3OriginConfig",
        "originShield",
        "failoverCriteria",
        "redirect",
        "fixedResponse",
        "forward",
        "pathPattern",
        "hostHeader",
        "logConfiguration",
        "encryptionConfig",
        "statement",
        "managedRuleGroupStatement",
        "labelMatchStatement",
        "byteMatchStatement",
        "andStatement",
        "orStatement",
        "notStatement",
        "fieldToMatch",
        "method",
        "overrideAction",
        "action",
        "actionToUse",
        "count",
        "none",
        "block",
        "allow",
        "geoRestriction",
        "authenticationMode",
        "replicaModifications",
        "sseKmsEncryptedObjects",
        "abortIncompleteMultipartUpload",
        "eventThreshold",
        "time",
        "rule",
    }
)
"""Pulumi object blocks that Terraform writes as a one-element list."""


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _values(data: Any, top: bool = False) -> Any:
    """Pulumi inputs in Terraform's shape: snake-case names, singular list blocks, object blocks
    as one-element lists."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key.startswith("__") or (key in ("urn", "id") and not top):
                continue
            block = isinstance(value, list) and any(isinstance(v, dict) for v in value)
            name = (BLOCKS.get(key) if block else None) or snake(key)
            converted = _values(value)
            if key in SINGLE_BLOCKS and isinstance(converted, dict):
                converted = [converted]
            out[name] = converted
        return out
    if isinstance(data, list):
        return [_values(v) for v in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)
    return data


def _address(resource: Resource) -> str:
    return f"{TF_TYPES[resource.type]}.{re.sub(r'[^A-Za-z0-9_]', '_', resource.name)}"


def _provider(resource: Resource) -> str:
    """The Terraform provider of a resource: its Pulumi package (aws, random)."""
    return resource.type.split(":", 1)[0]


def plan_json(graph: Graph, stack: str) -> dict[str, Any]:
    """The Terraform plan (planned values, resource changes, configuration with references)."""
    resources = [r for r in graph.resources if r.custom and r.type in TF_TYPES]
    missing = sorted(
        {r.type for r in graph.resources if r.custom and r.type not in TF_TYPES and "providers" not in r.type}
    )
    if missing:
        raise KeyError(f"no Terraform type for {', '.join(missing)}; add it to hld.terraform.TF_TYPES")
    known: dict[str, str] = {}
    for r in resources:
        for attr in ("id", "arn", "name", "bucket", "dnsName", "domainName"):
            v = r.id if attr == "id" else r.state.get(attr)
            if isinstance(v, str) and len(v) > 6:
                known.setdefault(v, _address(r))
    planned, changes, config = [], [], []
    for r in resources:
        address, tf_type = _address(r), TF_TYPES[r.type]
        values = _values({**r.inputs, **({"region": r.region} if r.region else {})}, top=True)
        values.pop("tags_all", None)
        common = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": address.split(".", 1)[1],
            "provider_name": f"registry.terraform.io/hashicorp/{_provider(r)}",
        }
        planned.append({**common, "schema_version": 0, "values": values, "sensitive_values": {}})
        changes.append(
            {**common, "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}}}
        )
        expressions = {}
        for key, value in r.inputs.items():
            refs = sorted({known[v] for v in _strings(value) if v in known and known[v] != address})
            if refs:
                expressions[BLOCKS.get(key) or snake(key)] = {"references": [f"{ref}.id" for ref in refs] + refs}
        config.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": common["name"],
                "provider_config_key": _provider(r),
                "expressions": expressions,
                "schema_version": 0,
            }
        )
    return {
        "format_version": "1.2",
        "terraform_version": f"1.9.0 ({MARKER} stack {stack}, {SEAL})",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                p: {"name": p, "full_name": f"registry.terraform.io/hashicorp/{p}"}
                for p in sorted({"aws", *map(_provider, resources)})
            },
            "root_module": {"resources": config},
        },
    }


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
