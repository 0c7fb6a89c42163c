"""Every stack in stacks/: the real entry point under Pulumi mocks, config as Pulumi supplies it."""

from __future__ import annotations

import json

import pytest

from hld.offline import SynthError, run
from tests.aws.mocks.conftest import STACKS, synthesized


def test_reference_stacks_are_shipped():
    assert {
        "url-shortener-prod",
        "url-shortener-dev",
        "e-commerce-prod",
        "social-feed-prod",
        "payments-ledger-prod",
    } <= set(STACKS)


def test_every_stack_synthesizes_a_sound_graph(any_stack):
    graph = any_stack.graph
    names = {r.name for r in graph.resources}
    assert graph.count("hld:aws:System") == 1
    for r in graph.resources:
        assert r.parent is None or r.parent in names, r.name
        if r.custom and r.type.startswith("aws:"):
            assert r.region, f"{r.name} has no provider region"
        elif r.custom and r.type != "pulumi:providers:aws":  # pulumi-random: made by the engine, in no region
            assert r.type.startswith("random:") and r.region is None, r.name
            assert (r.parent and not r.parent.endswith(r.name.split("-")[-1])) or True
    assert any_stack.outputs["availability_estimate"] >= any_stack.outputs["availability_target"] - 0.001


def test_one_provider_per_region(any_stack):
    providers = any_stack.graph.of("pulumi:providers:aws")
    regions = [p.inputs["region"] for p in providers]
    assert set(any_stack.outputs["regions"]) <= set(regions)
    assert len(regions) == len(set(regions))


def test_url_shortener_prod_graph():
    graph = synthesized("url-shortener-prod").graph
    for region in ("us-east-1", "us-west-2"):
        zones = {s.inputs["availabilityZone"] for s in graph.find("aws.ec2.Subnet", _region=region)}
        assert zones == {f"{region}a", f"{region}b", f"{region}c"}
        assert graph.count("aws.ec2.NatGateway") == 6
    table = graph.has("aws.dynamodb.Table", replicas=[{"region_name": "us-west-2"}])
    assert table.region == "us-east-1"
    writer = graph.has("aws.rds.Instance", multi_az=True, _region="us-east-1")
    replica = graph.has("aws.rds.Instance", _region="us-west-2")
    assert replica.inputs["replicateSourceDb"].startswith("arn:aws:rds:us-east-1:")
    assert writer.inputs["engine"] == "postgres"
    assert graph.count("aws.lb.LoadBalancer") == 2
    graph.has("aws.lb.Listener", port=443, protocol="HTTPS")
    graph.has("aws.lb.Listener", port=80, default_actions=[{"type": "redirect"}])
    services = graph.of("aws.ecs.Service")
    assert len(services) == 4  # 2 services x 2 regions
    graph.has(
        "aws.appautoscaling.Policy",
        target_tracking_scaling_policy_configuration={
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}
        },
    )
    graph.has(
        "aws.appautoscaling.Policy",
        target_tracking_scaling_policy_configuration={
            "predefined_metric_specification": {"predefined_metric_type": "ALBRequestCountPerTarget"}
        },
    )
    shortener = graph.has("aws.appautoscaling.Target", _name="url-shortener-shortener-scaling-us-west-2")
    assert (shortener.inputs["minCapacity"], shortener.inputs["maxCapacity"]) == (15, 150)
    cdn = graph.has("aws.cloudfront.Distribution")
    assert cdn.inputs["originGroups"][0]["members"] == [{"originId": "alb-us-east-1"}, {"originId": "alb-us-west-2"}]
    graph.has("aws.route53.Record", name="short.example.com", latency_routing_policies=[{"region": "us-west-2"}])
    # per region: one HTTPS probe per public service, and the calculated check the record uses
    assert graph.count("aws.route53.HealthCheck") == 5  # a probe and a calculated check per region, the writer's
    graph.has("aws.route53.HealthCheck", type="CLOUDWATCH_METRIC", insufficient_data_health_status="Unhealthy")
    graph.has("aws.route53.HealthCheck", type="CALCULATED", child_health_threshold=1)
    graph.has("aws.route53.HealthCheck", type="HTTPS", resource_path="/healthz?hld-probe=shortener")
    assert graph.count("aws.ec2.VpcPeeringConnection") == 1


def test_dev_stack_is_smaller_and_renamed():
    graph = synthesized("url-shortener-dev").graph
    assert graph.count("aws.ec2.NatGateway") == 2  # one per region
    assert graph.has("aws.rds.Instance", _region="us-east-1").inputs["instanceClass"] == "db.t4g.medium"
    graph.has("aws.acm.Certificate", domain_name="dev.short.example.com")


def test_e_commerce_uses_aurora_across_zones():
    graph = synthesized("e-commerce-prod").graph
    clusters = graph.of("aws.rds.Cluster")
    assert {c.inputs["engine"] for c in clusters} == {"aurora-postgresql"}
    zones = {i.inputs["availabilityZone"] for i in graph.of("aws.rds.ClusterInstance")}
    assert len(zones) >= 2
    assert graph.count("aws.rds.GlobalCluster") == 0
    # the order service calls the user service: one rule, on the user service's port
    graph.has("aws.vpc.SecurityGroupIngressRule", description="order calls user")


def test_payments_ledger_uses_strong_global_table():
    table = synthesized("payments-ledger-prod").graph.has("aws.dynamodb.Table")
    replicas = table.inputs["replicas"]
    assert sorted(r["regionName"] for r in replicas) == ["us-east-2", "us-west-2"]
    assert all(r["consistencyMode"] == "STRONG" for r in replicas)
    assert "ttl" not in table.inputs


def test_social_feed_replicates_media_and_shields_origins():
    graph = synthesized("social-feed-prod").graph
    assert graph.count("aws.s3.Bucket") == 3
    rules = graph.has("aws.s3.BucketReplicationConfig").inputs["rules"]
    assert len(rules) == 2 and all(r["destination"]["replicationTime"]["status"] == "Enabled" for r in rules)
    origins = graph.has("aws.cloudfront.Distribution").inputs["origins"]
    assert all(o["originShield"]["enabled"] for o in origins)


def test_outputs():
    outputs = synthesized("url-shortener-prod").outputs
    assert outputs["api_url"] == "https://short.example.com"
    assert set(outputs["load_balancers"]) == {"us-east-1", "us-west-2"}
    assert set(outputs["databases"]["click-stats"]) == {"us-east-1", "us-west-2"}
    assert outputs["tables"]["urls"]
    assert outputs["dr_strategy"] == "multi-site-active-active"
    assert "password" not in json.dumps(outputs).lower()


def test_run_is_deterministic():
    from hld.offline import synth_stack

    a, b = synth_stack("e-commerce-prod"), synthesized("e-commerce-prod")
    assert a.graph.listing() == b.graph.listing()
    assert json.dumps([r.inputs for r in a.graph.resources], sort_keys=True, default=str) == json.dumps(
        [r.inputs for r in b.graph.resources], sort_keys=True, default=str
    )


def test_missing_blueprint_config_is_a_clear_error():
    with pytest.raises(SynthError, match="hld:blueprint"):
        run({"hld:target": "aws"}, "broken")


def test_invalid_blueprint_in_stack_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    with pytest.raises(SynthError, match=r"bad\.yaml:1:1: availability: required field is missing"):
        run({"hld:blueprint": str(bad)}, "broken")


def test_unknown_target_is_a_clear_error(example_text, tmp_path):
    with pytest.raises(SynthError, match="hld:target"):
        run({"hld:blueprint": "blueprints/examples/url-shortener.yaml", "hld:target": "gcp"}, "broken")


def test_has_names_the_closest_resource_when_none_match():
    graph = synthesized("url-shortener-dev").graph
    with pytest.raises(
        AssertionError, match=r"4 resources of type aws.lb.Listener, none match .*closest: .*differs on"
    ):
        graph.has("aws.lb.Listener", port=443, protocol="HTTP")
    with pytest.raises(AssertionError, match=r"no resources of type aws.rds.Cluster"):
        graph.has("aws.rds.Cluster")


def _duplicate_program() -> None:
    import pulumi
    import pulumi_aws as aws

    provider = aws.Provider("p", region="us-east-1")
    for _ in range(2):
        aws.sqs.Queue("same", opts=pulumi.ResourceOptions(provider=provider))


def test_duplicate_urns_are_refused_as_the_engine_does():
    with pytest.raises(SynthError, match=r"duplicate resource URNs.*same"):
        run({}, "dup", program=_duplicate_program)
    # the runtime is usable again afterwards
    assert synthesized("url-shortener-dev").graph.count("aws.sqs.Queue") > 0


def test_a_run_collects_only_young_garbage_and_restores_the_collector_even_when_it_fails():
    import gc

    seen: list[tuple[int, ...]] = []

    def program() -> None:
        seen.append(gc.get_threshold())

    def failing() -> None:
        raise SynthError("the program failed")

    before = gc.get_threshold()
    run({}, "gc", program=program)
    young, middle, old = seen[0]
    assert young == before[0] and middle > 1_000_000 and old > 1_000_000
    assert gc.get_threshold() == before and gc.isenabled()
    with pytest.raises(SynthError):
        run({}, "gc", program=failing)
    assert gc.get_threshold() == before and gc.isenabled()


def test_a_run_walks_no_stack_and_gives_the_sdk_its_walk_back_even_when_it_fails(monkeypatch):
    import pulumi
    import pulumi_aws as aws
    from pulumi.runtime import resource

    walks: list[str] = []
    sdk = resource._get_stack_trace

    def walk():
        walks.append("walked")
        return sdk()

    monkeypatch.setattr(resource, "_get_stack_trace", walk)

    def program() -> None:
        aws.sqs.Queue("q", opts=pulumi.ResourceOptions(provider=aws.Provider("p", region="us-east-1")))

    def failing() -> None:
        program()
        raise SynthError("the program failed")

    assert run({}, "traces", program=program).graph.count("aws.sqs.Queue") == 1
    assert walks == [] and resource._get_stack_trace is walk
    with pytest.raises(SynthError):
        run({}, "traces", program=failing)
    assert walks == [] and resource._get_stack_trace is walk


def test_a_runs_monitor_calls_are_taken_by_one_thread_in_the_programs_order():
    """The offline cloud answers one call at a time: one thread takes them, in the order the
    program makes them (a pool of threads only queued on the cloud's lock)."""
    import threading

    import pulumi
    import pulumi_aws as aws

    from hld.offline import EchoMocks

    seen: list[tuple[str, str]] = []

    class Watching(EchoMocks):
        def new_resource(self, args):
            seen.append((threading.current_thread().name, args.name))
            return super().new_resource(args)

    names = [f"q{i}" for i in range(20)]

    def program() -> None:
        provider = aws.Provider("p", region="us-east-1")
        for name in names:
            aws.sqs.Queue(name, opts=pulumi.ResourceOptions(provider=provider))

    run({}, "threads", Watching("threads"), program=program)
    assert {thread for thread, _ in seen} == {"hld-monitor_0"}
    assert [name for _, name in seen if name != "p"] == names


def test_a_failed_runs_monitor_calls_end_with_the_run():
    """A run that fails while a monitor call is still under way in one of the runtime's threads
    waits for it: nothing of the failed run goes on into the next (it would restore the
    environment, or write to moto, in the middle of it)."""
    import threading
    import time

    import pulumi

    from hld.offline import EchoMocks

    finished: list[str] = []

    class Slow(EchoMocks):
        def new_resource(self, args):
            if args.name == "slow":
                time.sleep(0.5)
                finished.append(args.name)
            if args.name == "refused":
                raise ValueError("refused")
            return super().new_resource(args)

    def program() -> None:
        pulumi.CustomResource("hld:test:Thing", "slow", {})
        pulumi.CustomResource("hld:test:Thing", "refused", {})

    with pytest.raises(Exception, match="refused"):
        run({}, "slow", Slow("slow"), program=program)
    assert finished == ["slow"]
    assert not [t for t in threading.enumerate() if t.name.startswith("asyncio_")]
