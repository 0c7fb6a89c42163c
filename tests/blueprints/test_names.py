"""Names that collide: every identifier the targets derive from the names is unique, or the
blueprint is refused with both components located (blueprints.names, rule `derived-names`), and
no component takes a name a target keeps for itself (`reserved-names`).

The property feeds random blueprints whose names are built to meet (one name plus the words the
targets append: `-pods`, `-dlq`, `-read`, `-queue`, `-from-`, ...) and checks the GENERATORS'
actual output (the kind objects, files, pod labels and environment; the app contract; the AWS
program's URNs): either validation refuses the blueprint, or nothing collides, and every name the
generators made is one blueprints.names predicts, so the rule and the generators cannot drift."""

from __future__ import annotations

import collections
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints import BlueprintError, names, parse, plan
from blueprints.figures import zones_of
from tests.helpers import BASE, PROPERTY_EXAMPLES, make, parse_doc


def refused(doc: dict[str, Any]) -> list:
    with pytest.raises(BlueprintError) as caught:
        parse(yaml.safe_dump(doc, sort_keys=False), "bp.yaml")
    return caught.value.problems


def service(name: str, *, uses=(), public=False) -> dict[str, Any]:
    return {"name": name, "image": "ghcr.io/x/app:1", "public": public, "uses": list(uses)}


# --- the cases of the review ----------------------------------------------------------------------


def test_a_service_named_like_a_stores_headless_service_is_refused_with_both_located():
    doc = make(services=[service("api", uses=["db"], public=True), service("db-pods")])
    [problem] = refused(doc)
    assert problem.rule == "derived-names" and problem.path == ("services", 1, "name")
    assert "the Kubernetes Service 'db-pods'" in problem.message and "relational store 'db'" in problem.message
    assert "datastores[0].name at bp.yaml:" in problem.message  # the other source, located
    assert (problem.line, problem.column) != (1, 1) and "rename 'db-pods' or 'db'" in problem.fix


@pytest.mark.parametrize(
    ("store", "other", "variable"),
    [
        ({"name": "q", "kind": "queue"}, service("q-queue"), "Q_QUEUE_URL"),
        ({"name": "c", "kind": "cache"}, {"name": "c-read", "kind": "relational"}, "C_READ_HOST"),
    ],
)
def test_components_whose_variables_meet_are_refused(store, other, variable):
    is_service = "image" in other
    doc = make(
        services=[service("api", uses=[store["name"], other["name"]], public=True), *([other] if is_service else [])],
        datastores=[store, *([] if is_service else [other])],
    )
    [problem] = refused(doc)
    assert problem.rule == "derived-names" and f"the environment variable {variable!r}" in problem.message
    assert " at bp.yaml:" in problem.message


@pytest.mark.parametrize(
    ("name", "kind"), [("elasticmq", "queue"), ("dynamodb-local", "key-value"), ("minio", "object")]
)
def test_a_component_named_like_a_stand_in_is_refused(name, kind):
    for doc in (
        make(services=[service("api", public=True), service(name)]),  # with or without a store of the kind
        make(
            services=[service("api", uses=["x"], public=True), service(name)], datastores=[{"name": "x", "kind": kind}]
        ),
        make(services=[service("api", uses=[name], public=True)], datastores=[{"name": name, "kind": "cache"}]),
    ):
        [problem] = refused(doc)
        assert problem.rule == "reserved-names" and f"{name!r} is the name of the stand-in" in problem.message
        assert problem.path[-1] == "name" and problem.fix.startswith("rename")


@pytest.mark.parametrize("system", sorted(names.RESERVED_NAMESPACES))
def test_a_system_named_like_a_namespace_of_the_cluster_is_refused(system):
    [problem] = refused(make(name=system))
    assert problem.rule == "reserved-names" and problem.path == ("name",) and "namespace" in problem.message


def test_a_queue_and_a_queue_named_like_its_dead_letter_queue_are_refused():
    doc = make(
        services=[service("api", uses=["jobs", "jobs-dlq"], public=True)],
        datastores=[{"name": "jobs", "kind": "queue"}, {"name": "jobs-dlq", "kind": "queue"}],
    )
    [problem] = refused(doc)
    assert problem.rule == "derived-names" and "'jobs-dlq'" in problem.message


def test_a_service_named_like_the_load_balancers_security_group_is_refused():
    [problem] = refused(make(services=[service("api", public=True), service("alb")], datastores=[]))
    assert problem.rule == "derived-names" and "the system" in problem.message and "sg-alb" in problem.message


def test_security_group_rules_whose_names_meet_are_refused():
    """`in-a-from-b-from-c`: `b-from-c` calling `a`, and `c` calling `a-from-b`."""
    doc = make(
        services=[
            service("a", public=True),
            service("a-from-b"),
            service("b-from-c", uses=["a"]),
            service("c", uses=["a-from-b"]),
        ],
        datastores=[],
    )
    [problem] = refused(doc)
    assert problem.rule == "derived-names" and "shop-in-a-from-b-from-c-us-east-1" in problem.message


def test_names_the_aws_target_shortens_into_one_are_refused():
    """`fit` drops the system's prefix when abbreviating the regions is not enough: the target group of
    `shop-abcdefghij` becomes the one of `abcdefghij`."""
    doc = make(services=[service("abcdefghij", public=True), service("shop-abcdefghij", public=True)], datastores=[])
    [problem] = refused(doc)
    assert problem.rule == "derived-names" and "'shop-abcdefghij-tg-use1'" in problem.message


def test_the_reference_blueprints_derive_no_identifier_twice():
    from tests.helpers import DESIGN_FILES, EXAMPLE_FILES

    for path in [*EXAMPLE_FILES, *DESIGN_FILES]:
        parse(path.read_text(), path.name)  # raises on a collision


# --- the generators use the names validation knows ------------------------------------------------


def test_the_aws_rooms_are_the_providers():
    from generators.aws.naming import NAMING, fit

    assert fit is names.fit
    for type_, room in names.AWS_ROOMS.items():
        assert NAMING[type_].room == room, type_


def test_the_shared_stand_ins_are_the_renders():
    from generators.contract import KIND_ONLY, env_key
    from generators.kubernetes.standins import CREDENTIALS, STAND_INS

    assert {k: s.shared for k, s in STAND_INS.items() if s.shared} == names.SHARED_STAND_INS
    assert {k for k, s in STAND_INS.items() if s.stateful} == names.STATEFUL_STAND_INS
    assert {k: s.api for k, s in STAND_INS.items() if s.api} == names.STAND_IN_APIS
    assert CREDENTIALS == names.AWS_CREDENTIALS and KIND_ONLY == names.KIND_SDK_ENV and env_key is names.env_key


# --- the property ---------------------------------------------------------------------------------

BASES = ["a", "b", "db", "q", "c", "api", "abcdefghij", "us-east-1"]
JOINED = ["pods", "dlq", "read", "queue", "bootstrap", "config", "credentials", "auth", "replica", "ingress"]
JOINED += ["egress", "from", "to", "host", "url", "tg", "1"]
"""The words the targets join to names: a name extended by one is where derived names meet."""
WORDS = ["port", "alb", "health", "logs", "task", "subnets", "writer", "zone", "admin", "global", "use1"]
KINDS = ["relational", "queue", "cache", "key-value", "object", "service"]
ALONG = {
    "relational": ["pods", "read", "replica", "credentials", "host", "from"],
    "cache": ["read", "auth", "host", "pods"],
    "queue": ["queue", "dlq", "config", "url"],
    "key-value": ["bootstrap", "pods", "table"],
    "object": ["bootstrap", "pods", "bucket"],
    "service": ["url", "from", "to", "tg", "queue", "pods", "read"],
    "system": ["abcdefghij", "api", "tg"],
}
"""Words the targets join to a name of each kind (and to the system's): a name extended by one of
its kind's words is where derived names meet."""
SYSTEMS = ["shop", "a", "abcdefghij"]


@st.composite
def designs(draw) -> str:
    rare = draw(st.integers(0, 99))  # (hypothesis favours the ends of a range: the rare cases are inside)
    system = "kube-system" if rare in (41, 42, 43) else draw(st.sampled_from(SYSTEMS))
    made: list[tuple[str, str]] = []  # (name, kind)
    for i in range(draw(st.integers(2, 7))):
        roll = draw(st.integers(0, 99))
        if roll in (61, 62):
            name = draw(st.sampled_from(sorted(names.RESERVED_NAMES)))
        elif made and (roll < 60 or roll > 80):  # extend a name (or the system's) by a word the targets join
            base, kind = draw(st.sampled_from([*reversed(made), (system, "system")]))
            along = ALONG[kind] if draw(st.booleans()) else JOINED
            name = f"{base}-{draw(st.sampled_from(along))}"
        else:
            words = draw(st.lists(st.sampled_from(WORDS), max_size=1))
            name = "-".join([draw(st.sampled_from(BASES)), *words])
        name = name[:40].rstrip("-")
        if name in [n for n, _ in made]:
            name = f"{name[:36].rstrip('-')}-{i}"
        made.append((name, "service" if i == 0 else draw(st.sampled_from(KINDS))))
    doc: dict[str, Any] = {"name": system}
    if draw(st.booleans()):
        doc |= {"availability": 99.9, "redundancy": {"level": "multi-zone"}}
    else:
        doc |= {
            "availability": 99.5,
            "consistency": "eventual",
            "redundancy": {"level": "multi-region", "replication": "passive"},
            "rto": "1h",
            "rpo": "15m",
            "regions": ["us-east-1", "us-west-2"],
        }
    stores = [{"name": n, "kind": k} for n, k in made if k != "service"]
    for store in stores:
        if store["kind"] == "queue" and draw(st.booleans()):
            store["fifo"] = True
    doc["services"] = []
    services = [n for n, k in made if k == "service"]
    for i, name in enumerate(services):
        callable_ = services[:i] + [s["name"] for s in stores]  # earlier services (no cycles) and every store
        uses = draw(st.lists(st.sampled_from(callable_), unique=True)) if callable_ else []
        doc["services"].append(service(name, uses=uses, public=i == 0 or draw(st.booleans())))
    doc["datastores"] = stores
    return yaml.safe_dump(doc, sort_keys=False)


def refusal(text: str):
    """(the blueprint, None), or (None, the rules that refused it: only the names')."""
    try:
        return parse(text, "random.yaml"), None
    except BlueprintError as exc:
        rules = {p.rule for p in exc.problems}
        assert rules <= {"derived-names", "reserved-names"}, [p.render() for p in exc.problems]
        return None, rules


def valid(text: str):
    """The blueprint, or None when validation refuses it for its names (and only for them)."""
    return refusal(text)[0]


def unique(items, what):
    twice = [item for item, n in collections.Counter(items).items() if n > 1]
    assert not twice, f"{what} made twice: {twice}"


def predicted(bp, planned) -> set[tuple[str, str]]:
    regions = list(planned.regions.value)
    zones = [z for r in regions for z in zones_of(r)]
    made = names.derived(bp.name, names.components(bp), regions, zones)
    return {(d.space, d.value) for d in made}


def check_kubernetes(bp) -> None:
    from generators.contract import sources
    from generators.kubernetes.cluster import file_name, kustomization, objects
    from generators.kubernetes.render import files
    from generators.kubernetes.standins import secret_keys

    planned = plan(bp)
    expected = predicted(bp, planned)
    objs = objects(planned)
    unique([(o["kind"], o["metadata"]["name"]) for o in objs], "objects")
    written = [file_name(o) for o in objs]
    unique(written, "files")
    unique(kustomization(planned, written)["resources"], "kustomization resources")
    assert set(written) <= set(files(planned))
    workloads = [o for o in objs if o["kind"] in ("Deployment", "StatefulSet", "Job")]
    pods = [o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] for o in workloads]
    unique(pods, "pod labels")
    for o in objs:
        assert (f"Kubernetes {o['kind']}", o["metadata"]["name"]) in expected, o["kind"]
        selected = (o.get("spec") or {}).get("selector") if o["kind"] == "Service" else None
        if selected:  # a Service selects the pods of exactly one workload
            assert pods.count(selected["app.kubernetes.io/name"]) == 1, o["metadata"]["name"]
    assert {("pod label", p) for p in pods} <= expected
    assert {("Kubernetes Secret", s) for s in secret_keys(planned)} <= expected
    for svc in planned.services:
        [deployment] = [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == svc.name]
        env = [e["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for e in c["env"]]
        unique(env, f"variables of {svc.name}")
        assert {("environment variable", v) for v in env} <= expected
        for region in planned.regions.value:
            unique([v for v, _ in sources(planned, svc, region)], f"contract variables of {svc.name} in {region}")


EXAMPLES = PROPERTY_EXAMPLES


@settings(max_examples=EXAMPLES // 3 or 1, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=designs())
def test_random_names_either_are_refused_or_derive_nothing_twice_on_kind(text):
    bp = valid(text)
    if bp is not None:
        check_kubernetes(bp)


COMPONENT_PARENTS = {
    "hld:aws:Service",
    "hld:aws:Database",
    "hld:aws:Cache",
    "hld:aws:Queue",
    "hld:aws:Table",
    "hld:aws:Bucket",
    "hld:aws:Firewall",
}
"""Parents whose every child is named after the components (or is the system's, in names._AWS_SYSTEM)."""


def check_aws(bp, text: str, tmp) -> None:
    from hld.offline import EchoMocks, run

    path = tmp / "bp.yaml"
    path.write_text(text)
    config = {"hld:blueprint": str(path), "hld:target": "aws", "hld:environment": "production"}
    result = run(config, "prod", EchoMocks("prod"))  # raises CloudRejected on a refused or repeated name
    resources = list(result.graph.resources)
    unique([r.urn for r in resources], "URNs")
    by_urn = {r.urn: r for r in resources}
    expected = predicted(bp, result.plan)
    for r in resources:
        parent = by_urn[r.parent_urn].type if r.parent_urn in by_urn else None
        named = parent in COMPONENT_PARENTS or (parent == "hld:aws:System" and r.type in COMPONENT_PARENTS)
        named = named or r.type == "aws:route53/healthCheck:HealthCheck"
        if named and r.type not in ("hld:aws:Firewall", "aws:lb/listenerRule:ListenerRule"):
            assert (f"Pulumi {r.type} under {parent}", r.name) in expected, (parent, r.type, r.name)
    families = [r.inputs["family"] for r in result.graph.of("aws:ecs/taskDefinition:TaskDefinition")]
    unique(families, "task definition families")


@settings(max_examples=EXAMPLES // 20 or 1, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=designs())
def test_random_names_either_are_refused_or_derive_no_urn_twice_on_aws(text, tmp_path_factory):
    bp = valid(text)
    if bp is not None:
        check_aws(bp, text, tmp_path_factory.mktemp("names"))


def test_the_property_meets_collisions():
    """The strategy makes blueprints the rule refuses for a collision, for a reserved name, and ones it
    accepts: the property is not vacuous."""
    from hypothesis import find

    for outcome in ("valid", "derived-names", "reserved-names"):

        def met(text, outcome=outcome):
            bp, rules = refusal(text)
            return bp is not None if outcome == "valid" else outcome in (rules or ())

        find(designs(), met, settings=settings(max_examples=500, database=None, derandomize=True))


def test_a_valid_blueprint_keeps_validating_with_its_names_unchanged():
    assert parse_doc(BASE).name == "shop"


REAL = {
    "db-pods": (make(services=[service("api", uses=["db"], public=True), service("db-pods")]), "kind"),
    "Q_QUEUE_URL": (
        make(
            services=[service("api", uses=["q", "q-queue"], public=True), service("q-queue")],
            datastores=[{"name": "q", "kind": "queue"}],
        ),
        "contract",
    ),
    "C_READ_HOST": (
        make(
            services=[service("api", uses=["c", "c-read"], public=True)],
            datastores=[{"name": "c", "kind": "cache"}, {"name": "c-read", "kind": "relational"}],
            availability=99.95,
            redundancy={"level": "multi-zone", "replication": "active"},
        ),
        "contract",
    ),
    "jobs-dlq": (
        make(
            services=[service("api", uses=["jobs", "jobs-dlq"], public=True)],
            datastores=[{"name": "jobs", "kind": "queue"}, {"name": "jobs-dlq", "kind": "queue"}],
        ),
        "aws",
    ),
    "sg-alb": (make(services=[service("api", public=True), service("alb")], datastores=[]), "aws"),
    "in-a-from-b-from-c": (
        make(
            services=[
                service("a", public=True),
                service("a-from-b"),
                service("b-from-c", uses=["a"]),
                service("c", uses=["a-from-b"]),
            ],
            datastores=[],
        ),
        "aws",
    ),
    "fit": (
        make(services=[service("abcdefghij", public=True), service("shop-abcdefghij", public=True)], datastores=[]),
        "aws",
    ),
}


@pytest.mark.parametrize("case", list(REAL))
def test_each_collision_the_rule_refuses_is_real(case, monkeypatch, tmp_path):
    """Without the rule, the generators do make the identifier twice (so the rule refuses what breaks)."""
    import blueprints.rules

    doc, target = REAL[case]
    assert {p.rule for p in refused(doc)} == {"derived-names"}
    monkeypatch.setattr(blueprints.rules, "derived_names", lambda bp, broken=None: [])
    text = yaml.safe_dump(doc, sort_keys=False)
    bp = parse(text, "bp.yaml")
    if target == "aws":
        from hld.errors import SynthError

        try:
            check_aws(bp, text, tmp_path)
        except (AssertionError, SynthError) as exc:  # the offline run refuses duplicate URNs too
            assert any(w in str(exc) for w in ("made twice", "duplicate resource URNs", "AlreadyExists")), exc
        else:
            pytest.fail("the AWS program made every name once")
    else:
        with pytest.raises(AssertionError, match="made twice"):
            check_kubernetes(bp)


def test_the_app_contract_check_refuses_a_variable_given_twice():
    """The render's own check, behind the rule: a Deployment given one variable twice (the last
    would win) fails `app-contract`."""
    from generators.kubernetes import kind_cluster, objects
    from generators.kubernetes.cluster import addons
    from generators.kubernetes.common import KindOptions
    from hld.checks.kubernetes import cross_checks
    from tests.helpers import EXAMPLES

    planned = plan(parse((EXAMPLES / "url-shortener.yaml").read_text()))
    objs = objects(planned)
    deployment = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "shortener")
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    env.append({"name": env[-1]["name"], "value": "the other one"})
    found = {n: p for n, _, p in cross_checks(planned, objs, kind_cluster(planned), KindOptions(), addons()) if p}
    assert any("more than once" in p for p in found["app-contract"]), found
