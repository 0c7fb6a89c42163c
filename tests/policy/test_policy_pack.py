"""The policy pack over the engine's view of a reference stack: the SDK's own analyzer servicer is
handed the resources the way the Pulumi CLI sends them (AnalyzeStackRequest), recorded from an
offline run; every policy passes, a broken property fails its policy naming the resource, a value
unknown at preview is advisory."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, PolicyProviderResource, PolicyResource, StackValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResourceOptions, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from hld.checks import CHECKS, Run, evaluate
from hld.graph import Graph, Resource
from hld.offline import stack_config
from hld.policy import LIVE
from hld.policy_resources import adapt, graph_of_policy_resources
from hld.policypack import arguments, policies
from hld.testing import Tested as Result
from hld.testing import synth_stack

STACK = "url-shortener-prod"
PROJECT = "hld"


@pytest.fixture(scope="module")
def recorded() -> Result:
    return synth_stack(STACK)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The environment the Pulumi CLI gives a policy pack: project, stack, dry run, the stack's config."""
    config = stack_config(STACK)
    monkeypatch.setenv("PULUMI_PROJECT", PROJECT)
    monkeypatch.setenv("PULUMI_STACK", STACK)
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    for name in ("HLD_BLUEPRINT", "HLD_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    _fresh_config()
    yield config
    _fresh_config()


def _fresh_config() -> None:
    """A pack process reads its config once; this one runs many: each from PULUMI_CONFIG alone."""
    from pulumi.runtime.config import CONFIG

    CONFIG.set({})


def _props(r: Resource) -> dict[str, Any]:
    """What the engine holds as a resource's outputs: the inputs, and what the cloud returned."""
    return json.loads(json.dumps({**r.inputs, **r.state, **({"id": r.id} if r.id else {})}, default=str))


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    json_format.ParseDict(data, s)
    return s


def _provider_of(graph: Graph, r: Resource) -> Resource | None:
    """The resource's provider: its region's, or the package's default provider (as the engine
    registers it: the program does not)."""
    if not r.custom or r.type.startswith("pulumi:providers:"):
        return None
    package = r.type.split(":")[0]
    candidates = graph.of(f"pulumi:providers:{package}")
    default = Resource(
        f"pulumi:providers:{package}",
        "default",
        f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:{package}::default",
        None,
        None,
        {},
    )
    return next((p for p in candidates if p.region == r.region), candidates[0] if candidates else default)


def request(result: Result, change: Callable[[Resource, dict[str, Any]], None] | None = None) -> Any:
    """The AnalyzeStackRequest the engine sends for the recorded stack; `change(resource, props)`
    edits a resource's properties first."""
    graph = result.graph
    stack_urn = graph.resources[0].parent_urn
    out = [
        proto.AnalyzerResource(
            type="pulumi:pulumi:Stack",
            name=f"{PROJECT}-{STACK}",
            urn=stack_urn,
            properties=_struct(json.loads(json.dumps(result.outputs, default=str))),
        )
    ]
    for r in graph.resources:
        props = _props(r)
        if change is not None:
            change(r, props)
        provider = _provider_of(graph, r)
        message = proto.AnalyzerResource(
            type=r.type,
            name=r.name,
            urn=r.urn,
            properties=_struct(props),
            options=proto.AnalyzerResourceOptions(
                protect=r.protect, ignoreChanges=list(r.ignore_changes), parent=r.parent_urn
            ),
            parent=r.parent_urn,
            dependencies=list(r.dependencies),
            propertyDependencies={
                k: proto.AnalyzerPropertyDependencies(urns=list(v)) for k, v in r.property_dependencies.items()
            },
        )
        if provider is not None:
            message.provider.CopyFrom(
                proto.AnalyzerProviderResource(
                    type=provider.type, name=provider.name, urn=provider.urn, properties=_struct(_props(provider))
                )
            )
        out.append(message)
    return proto.AnalyzeStackRequest(resources=out)


def analyze(req: Any, names: list[str] | None = None) -> Any:
    """The SDK's analyzer servicer (what `PolicyPack` serves) over `req`, for the named policies."""
    chosen = [p for p in policies() if names is None or p.name in names]
    servicer = _PolicyAnalyzerServicer(PROJECT, "0.0.1", chosen, EnforcementLevel.MANDATORY)
    return servicer.AnalyzeStack(req, None)


def _diagnostics(response: Any, level: int | None = None) -> list[Any]:
    return [d for d in response.diagnostics if level is None or d.enforcementLevel == level]


def test_the_pack_has_one_mandatory_policy_per_check_but_the_live_ones() -> None:
    args = arguments()
    names = [p.name for p in args["policies"]]
    assert args["name"] == "hld"
    assert args["enforcement_level"] == EnforcementLevel.MANDATORY
    assert names == [k for k in CHECKS if k not in LIVE]
    assert "data-flow" not in names
    assert all(p.enforcement_level == EnforcementLevel.MANDATORY for p in args["policies"])
    info = _PolicyAnalyzerServicer("hld", "0.0.1", args["policies"], args["enforcement_level"]).GetAnalyzerInfo(
        None, None
    )
    assert [p.name for p in info.policies] == names
    assert {p.enforcementLevel for p in info.policies} == {proto.MANDATORY}
    assert {p.policy_type for p in info.policies} == {proto.PolicyType.POLICY_TYPE_STACK}


def test_the_adapter_gives_the_graph_the_offline_run_recorded(recorded: Result) -> None:
    """PolicyResource built with the SDK's documented constructors -> the same graph, the same outcomes."""
    by_urn: dict[str, PolicyResource] = {}
    for r in recorded.graph.resources:
        provider = _provider_of(recorded.graph, r)
        by_urn[r.urn] = PolicyResource(
            r.type,
            unknown_checking_proxy(_props(r)),
            r.urn,
            r.name,
            PolicyResourceOptions(
                r.protect, list(r.ignore_changes), None, [], PolicyCustomTimeouts(0, 0, 0), [], r.parent_urn
            ),
            PolicyProviderResource(provider.type, unknown_checking_proxy(_props(provider)), provider.urn, provider.name)
            if provider
            else None,
            None,
            [],
            {},
        )
    for r in recorded.graph.resources:  # then parents and dependencies, as the SDK links them
        resource = by_urn[r.urn]
        resource.parent = by_urn.get(r.parent_urn)
        resource.dependencies = [by_urn[u] for u in r.dependencies if u in by_urn]
        resource.property_dependencies = {
            k: [by_urn[u] for u in v if u in by_urn] for k, v in r.property_dependencies.items()
        }
    resources = list(by_urn.values())
    graph = graph_of_policy_resources(StackValidationArgs(resources).resources)

    def seen(g: Graph) -> list[tuple[Any, ...]]:
        return [(r.type, r.name, r.parent, r.region, r.custom, r.protect, r.id, r.parent_urn) for r in g.resources]

    assert seen(graph) == seen(recorded.graph)
    keys = [k for k in CHECKS if k not in LIVE]
    ours = {o.check: o.status for o in evaluate(Run(recorded.plan, graph, recorded.outputs), keys)}
    theirs = {o.check: o.status for o in recorded.checks(keys)}
    assert ours == theirs


def test_every_policy_passes_on_the_reference_stack(recorded: Result, engine: dict[str, str]) -> None:
    response = analyze(request(recorded))
    assert [(d.policyName, d.message) for d in response.diagnostics] == []
    skipped = {n.policy_name for n in response.not_applicable}
    assert skipped == {o.check for o in recorded.checks() if o.status == "skip"} - set(LIVE)


def _set(
    type_: str, name: str | None, edit: Callable[[dict[str, Any]], None]
) -> Callable[[Resource, dict[str, Any]], None]:
    def change(r: Resource, props: dict[str, Any]) -> None:
        if r.type == type_ and (name is None or r.name == name):
            edit(props)

    return change


BREAKS = {
    "encryption-at-rest": (
        "aws:rds/instance:Instance",
        "url-shortener-click-stats-us-east-1",
        lambda p: p.update(storageEncrypted=False),
    ),
    "tls": (
        "aws:lb/listener:Listener",
        "url-shortener-https-us-east-1",
        lambda p: p.update(sslPolicy="ELBSecurityPolicy-2016-08"),
    ),
    "data-flow-network": (
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "url-shortener-in-click-stats-replica-from-analytics-us-west-2",
        lambda p: (p.pop("referencedSecurityGroupId", None), p.update(cidrIpv4="0.0.0.0/0")),
    ),
    "probes": ("aws:lb/targetGroup:TargetGroup", "shortener-tg-use1", lambda p: p.pop("healthCheck")),
    "autoscaling": (
        "aws:appautoscaling/target:Target",
        "url-shortener-shortener-scaling-us-east-1",
        lambda p: p.update(minCapacity=1.0),
    ),
}


@pytest.mark.parametrize("policy", sorted(BREAKS))
def test_a_broken_property_fails_its_policy_naming_the_resource(
    recorded: Result, engine: dict[str, str], policy: str
) -> None:
    type_, name, edit = BREAKS[policy]
    resource = recorded.graph.named(name)
    response = analyze(request(recorded, _set(type_, name, edit)), [policy])
    found = _diagnostics(response, proto.MANDATORY)
    assert found, f"{policy} did not notice"
    assert any(d.urn == resource.urn or name in d.message for d in found), [d.message for d in found]
    assert all(d.policyName == policy for d in found)


def test_a_value_unknown_at_preview_is_advisory_naming_it(recorded: Result, engine: dict[str, str]) -> None:
    name = "url-shortener-click-stats-us-east-1"
    change = _set("aws:rds/instance:Instance", name, lambda p: p.update(storageEncrypted=UNKNOWN_BOOLEAN_VALUE))
    response = analyze(request(recorded, change), ["encryption-at-rest"])
    assert _diagnostics(response, proto.MANDATORY) == []
    advisory = _diagnostics(response, proto.ADVISORY)
    assert len(advisory) == 1
    assert f"{name}.storageEncrypted" in advisory[0].message
    assert not response.not_applicable


def test_an_unknown_id_is_advisory_not_a_wrong_match(recorded: Result, engine: dict[str, str]) -> None:
    """New resources have no id at preview: references to them are unknown, never matched to
    another unknown id."""

    def change(r: Resource, props: dict[str, Any]) -> None:
        if r.type == "aws:ec2/subnet:Subnet":
            props["id"] = UNKNOWN_STRING_VALUE
        if r.type == "aws:lb/loadBalancer:LoadBalancer":
            props["subnets"] = [UNKNOWN_STRING_VALUE for _ in props.get("subnets", [])]

    response = analyze(request(recorded, change), ["zones"])
    assert _diagnostics(response, proto.MANDATORY) == []
    assert any(".subnets[" in d.message for d in _diagnostics(response, proto.ADVISORY))
    graph = adapt(
        StackValidationArgs(
            [
                PolicyResource(
                    "aws:ec2/subnet:Subnet",
                    unknown_checking_proxy({"id": UNKNOWN_STRING_VALUE}),
                    "u",
                    "s",
                    PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), []),
                    None,
                    None,
                    [],
                    {},
                )
            ]
        ).resources
    ).graph
    assert graph.resources[0].id == ""


def test_no_blueprint_is_a_violation_saying_how_to_name_it(
    recorded: Result, engine: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {k: v for k, v in engine.items() if k != "hld:blueprint"}
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    _fresh_config()
    response = analyze(request(recorded), ["tls"])
    (found,) = _diagnostics(response, proto.MANDATORY)
    assert "hld:blueprint" in found.message and "pulumi config set" in found.message

    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({**engine, "hld:blueprint": "blueprints/nowhere.yaml"}))
    _fresh_config()
    (found,) = _diagnostics(analyze(request(recorded), ["tls"]), proto.MANDATORY)
    assert "blueprints/nowhere.yaml" in found.message and "HLD_PROJECT_DIR" in found.message


def test_hld_blueprint_overrides_the_stack_config(
    recorded: Result, engine: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({k: v for k, v in engine.items() if k != "hld:blueprint"}))
    monkeypatch.setenv("HLD_BLUEPRINT", engine["hld:blueprint"])
    _fresh_config()
    assert analyze(request(recorded), ["tls", "zones"]).diagnostics == []


def test_the_recorded_request_is_not_changed_by_a_check(recorded: Result) -> None:
    before = copy.deepcopy([r.inputs for r in recorded.graph.resources])
    adapt([])
    assert [r.inputs for r in recorded.graph.resources] == before
