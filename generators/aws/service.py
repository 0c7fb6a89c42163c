"""hld:aws:Service (per service, per region): a Fargate service spread over the zones.

Task definition (non-root, read-only root filesystem, logs encrypted), least-
privilege task role from the data flow, target group and listener rules for its
routes, service discovery for its callers, Application Auto Scaling target
tracking on CPU (and on ALB requests per target for public services).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import PROBE, Plan, ServicePlan
from generators.aws import grants
from generators.aws.common import LOG_RETENTION_DAYS, Access, Region, env_key, name
from generators.aws.firewall import Firewall
from generators.aws.loadbalancer import Cluster, LoadBalancer
from generators.aws.network import Network
from generators.contract import tls_env

CONTAINER_USER = "1000:1000"
ECS_TASKS = "ecs-tasks.amazonaws.com"
ECS_MAX_START_PERIOD = 300
"""A container health check's startPeriod is 0 to 300 s (ECS task definition parameters, healthCheck).
A service whose health is `none` gets no container health check: ECS then judges it by its exit
alone, and with no load balancer (workers have none) nothing else does."""


class Service(pulumi.ComponentResource):
    def __init__(
        self,
        plan: Plan,
        svc: ServicePlan,
        network: Network,
        firewall: Firewall,
        cluster: Cluster,
        entry: LoadBalancer | None,
        access: list[Access],
        parent: pulumi.Resource,
    ):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Service", name(plan, svc.name, r), None, pulumi.ResourceOptions(parent=parent))
        opts = region.opts(self)
        capacity = next(c for c in svc.capacity.value if c.region == r)
        encrypted = plan.control("encryption-at-rest").enabled

        logs = aws.cloudwatch.LogGroup(
            name(plan, svc.name, "logs", r),
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=network.key.arn if encrypted else None,
            opts=opts,
        )
        secrets = {k: v for a in access for k, v in a.secrets.items()}
        trust = grants.trust(ECS_TASKS, r, network.account)  # this account's tasks in this region only
        execution = aws.iam.Role(
            name(plan, svc.name, "execution", r, kind="aws:iam/role:Role"), assume_role_policy=trust, opts=opts
        )
        aws.iam.RolePolicyAttachment(
            name(plan, svc.name, "execution-managed", r),
            role=execution.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            opts=opts,
        )
        if secrets:
            aws.iam.RolePolicy(
                name(plan, svc.name, "execution-secrets", r),
                role=execution.id,
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            grants.allow(["secretsmanager:GetSecretValue"], list(secrets.values())),
                            *(
                                [grants.key_use("secret", "read", r, network.key.arn, list(secrets.values()))]
                                if encrypted
                                else []
                            ),
                        ],
                    }
                ),
                opts=opts,
            )
        task_role = aws.iam.Role(
            name(plan, svc.name, "task", r, kind="aws:iam/role:Role"), assume_role_policy=trust, opts=opts
        )
        statements = [statement for a in access for statement in a.statements]
        if statements:  # exactly its edges' actions on exactly their resources (generators.aws.grants)
            aws.iam.RolePolicy(
                name(plan, svc.name, "task-policy", r),
                role=task_role.id,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                opts=opts,
            )

        env: dict[str, pulumi.Input[str]] = {"HLD_SYSTEM": plan.name, "HLD_REGION": r, "PORT": str(svc.port)}
        for a in access:
            env.update(a.env)
        for store in svc.stores:  # TLS to the stores that require it, with the CA path (generators.contract)
            env.update(tls_env(plan, plan.store(store).kind, store))
        for callee in svc.calls:
            env[f"{env_key(callee)}_URL"] = f"http://{callee}.{plan.name}.internal:{plan.service(callee).port}"
        if svc.public and plan.edge.cdn:
            env["CACHE_CONTROL"] = plan.edge.cdn.cache_control
        container = {
            "name": svc.name,
            "image": svc.image,
            "essential": True,
            "user": CONTAINER_USER,
            "readonlyRootFilesystem": True,
            "portMappings": [{"containerPort": svc.port, "protocol": "tcp", "name": "http"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
            "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())],
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": logs.name, "awslogs-region": r, "awslogs-stream-prefix": svc.name},
            },
        }
        if svc.health_check.kind == "exec":  # no HTTP server to ask: the service's own command (no shell)
            hc = svc.health_check
            container["healthCheck"] = {
                "command": ["CMD", *hc.command],
                "interval": hc.interval_seconds,
                "timeout": hc.timeout_seconds,
                "retries": hc.unhealthy_threshold,
                "startPeriod": min(hc.start_seconds, ECS_MAX_START_PERIOD),
            }
        self.task = aws.ecs.TaskDefinition(
            name(plan, svc.name, "task", r),
            family=name(plan, svc.name, r),
            cpu=str(svc.task_cpu.value),
            memory=str(svc.task_memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            execution_role_arn=execution.arn,
            task_role_arn=task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=svc.architecture.value.upper()
            ),
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
            container_definitions=pulumi.Output.json_dumps([container]),
            opts=opts,
        )

        load_balancers = []
        forwarding: list[pulumi.Resource] = []  # ECS accepts a target group only once a rule forwards to it
        self.target_group = None
        if svc.public and entry is not None:
            self.target_group = aws.lb.TargetGroup(
                name(plan, svc.name, "tg", r, kind="aws:lb/targetGroup:TargetGroup"),
                port=svc.port,
                protocol="HTTP",
                target_type="ip",
                vpc_id=network.vpc.id,
                deregistration_delay=svc.deregistration_delay_seconds,
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    path=svc.health,
                    matcher="200-399",
                    interval=svc.health_check.interval_seconds,
                    timeout=svc.health_check.timeout_seconds,
                    healthy_threshold=svc.health_check.healthy_threshold,
                    unhealthy_threshold=svc.health_check.unhealthy_threshold,
                ),
                opts=opts,
            )
            for rule in plan.routing:
                if rule.service != svc.name:
                    continue
                pattern, priority = rule.pattern, rule.priority
                conditions = [
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[pattern])
                    )
                ]
                if rule.probe:  # the service's own health probe: <health path>?hld-probe=<service>
                    conditions.append(
                        aws.lb.ListenerRuleConditionArgs(
                            query_strings=[aws.lb.ListenerRuleConditionQueryStringArgs(key=PROBE, value=svc.name)]
                        )
                    )
                forwarding.append(
                    aws.lb.ListenerRule(
                        name(plan, svc.name, "probe" if rule.probe else "rule", str(priority), r),
                        listener_arn=entry.listener.arn,
                        priority=priority,
                        conditions=conditions,
                        actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=self.target_group.arn)],
                        opts=opts,
                    )
                )
            load_balancers.append(
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=self.target_group.arn, container_name=svc.name, container_port=svc.port
                )
            )
        discovery = aws.servicediscovery.Service(
            name(plan, svc.name, "discovery", r),
            name=svc.name,
            dns_config=aws.servicediscovery.ServiceDnsConfigArgs(
                namespace_id=cluster.namespace.id,
                dns_records=[aws.servicediscovery.ServiceDnsConfigDnsRecordArgs(ttl=10, type="A")],
                routing_policy="MULTIVALUE",
            ),
            health_check_custom_config=aws.servicediscovery.ServiceHealthCheckCustomConfigArgs(),
            opts=opts,
        )
        self.service = aws.ecs.Service(
            name(plan, svc.name, r),
            cluster=cluster.cluster.arn,
            task_definition=self.task.arn,
            desired_count=capacity.min_replicas,
            launch_type="FARGATE",
            platform_version="LATEST",
            availability_zone_rebalancing="ENABLED",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=network.subnets.ids("private"),
                security_groups=[firewall.groups[svc.name].id],
                assign_public_ip=False,
            ),
            load_balancers=load_balancers or None,
            service_registries=aws.ecs.ServiceServiceRegistriesArgs(registry_arn=discovery.arn),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            health_check_grace_period_seconds=30 if load_balancers else None,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(ignore_changes=["desiredCount"], depends_on=forwarding)
            ),
        )
        self._scaling(plan, svc, region, cluster, entry, capacity.min_replicas, capacity.max_replicas)
        self.register_outputs({"service": self.service.name})

    def _scaling(
        self,
        plan: Plan,
        svc: ServicePlan,
        region: Region,
        cluster: Cluster,
        entry: LoadBalancer | None,
        low: int,
        high: int,
    ) -> None:
        r, opts = region.name, region.opts(self)
        resource_id = pulumi.Output.concat("service/", cluster.cluster.name, "/", self.service.name)
        target = self.scaling = aws.appautoscaling.Target(
            name(plan, svc.name, "scaling", r),
            min_capacity=low,
            max_capacity=high,
            resource_id=resource_id,
            scalable_dimension="ecs:service:DesiredCount",
            service_namespace="ecs",
            opts=opts,
        )
        policies = [
            (
                "cpu",
                aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=svc.target_cpu,
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type="ECSServiceAverageCPUUtilization"
                    ),
                    scale_in_cooldown=300,
                    scale_out_cooldown=60,
                ),
            )
        ]
        if self.target_group is not None and entry is not None:
            policies.append(
                (
                    "requests",
                    aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=svc.requests_per_target.value,
                        predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                            predefined_metric_type="ALBRequestCountPerTarget",
                            resource_label=pulumi.Output.concat(
                                entry.alb.arn_suffix, "/", self.target_group.arn_suffix
                            ),
                        ),
                        scale_in_cooldown=300,
                        scale_out_cooldown=60,
                    ),
                )
            )
        for kind, config in policies:
            aws.appautoscaling.Policy(
                name(plan, svc.name, f"scale-on-{kind}", r),
                policy_type="TargetTrackingScaling",
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                service_namespace=target.service_namespace,
                target_tracking_scaling_policy_configuration=config,
                opts=opts,
            )
