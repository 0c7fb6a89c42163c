"""A name that validates is a name every target accepts.

The offline run makes and refuses names as pulumi-aws and AWS do (generators.aws.naming): an
auto-name is the logical name, a separator and 7 random characters, never shortened; a name
over a resource's limit or outside its rules fails the run. The property feeds random valid
names (lengths, dashes, digits) through every target and requires no refusal."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from blueprints import BlueprintError, parse
from blueprints.model import NAME_PATTERN
from generators.aws.naming import NAMING, fit, short_place
from hld.errors import CloudRejected
from hld.offline import EchoMocks, run
from hld.pipeline import docs, kubernetes
from hld.testing import checked
from tests.helpers import PROPERTY_EXAMPLES, ROOT

EVERY_KIND = yaml.safe_load((ROOT / "tests" / "data" / "stacks" / "every-kind.yaml").read_text())

word = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True)


@st.composite
def names(draw):
    """A valid blueprint name: words joined by single dashes, 1 to 40 characters."""
    words = draw(st.lists(word, min_size=1, max_size=6))
    name = "-".join(words)[:40].rstrip("-")
    assert re.fullmatch(NAME_PATTERN, name)
    return name


@st.composite
def blueprints(draw):
    taken = set()

    def fresh():
        name = draw(names().filter(lambda n: n not in taken))
        taken.add(name)
        return name

    doc = yaml.safe_load(yaml.safe_dump(EVERY_KIND))
    doc["name"] = fresh()
    doc["regions"] = draw(st.sampled_from([["us-east-1", "us-west-2"], ["ap-northeast-1", "ap-southeast-2"]]))
    doc["redundancy"]["replication"] = draw(st.sampled_from(["active", "passive"]))
    renames = {s["name"]: fresh() for s in doc["services"] + doc["datastores"]}
    for item in doc["services"] + doc["datastores"]:
        item["name"] = renames[item["name"]]
    for svc in doc["services"]:
        svc["uses"] = [renames[u] for u in svc["uses"]]
    return yaml.safe_dump(doc, sort_keys=False)


def synth_text(text, tmp):
    path = tmp / "bp.yaml"
    path.write_text(text)
    config = {"hld:blueprint": str(path), "hld:target": "aws", "hld:environment": "production"}
    return checked(run(config, "prod", EchoMocks("prod")))


@settings(
    max_examples=PROPERTY_EXAMPLES // 20 or 1,
    deadline=None,
    derandomize=PROPERTY_EXAMPLES <= 300,  # CI and the default: the same examples every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=blueprints())
def test_random_valid_names_are_accepted_by_every_target(text, tmp_path_factory):
    try:
        plan_ = parse(text)
    except BlueprintError as exc:  # a name the rules refuse for what it would collide with (`alb`): not valid
        assert {p.rule for p in exc.problems} <= {"derived-names", "reserved-names"}, str(exc)
        assume(False)
    result = synth_text(text, tmp_path_factory.mktemp("naming"))  # raises CloudRejected on any refused name
    assert len(result.graph) > 100
    assert [(o.check, o.problems) for o in result.checks() if not o.ok] == []
    from blueprints import plan as make_plan

    planned = make_plan(plan_)
    assert kubernetes(planned).problems == []
    assert "HLD.md" in docs(planned).files


def test_names_at_the_longest_pass_every_check_in_moto(tmp_path):
    doc = yaml.safe_load(yaml.safe_dump(EVERY_KIND))
    longest = iter(f"{w * 2}{'-xy' * 12}-{i}" for i, w in enumerate("abcdefgh"))
    doc["name"] = next(longest)
    renames = {s["name"]: next(longest) for s in doc["services"] + doc["datastores"]}
    for item in doc["services"] + doc["datastores"]:
        item["name"] = renames[item["name"]]
    for svc in doc["services"]:
        svc["uses"] = [renames[u] for u in svc["uses"]]
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    from hld.testing import synth

    result = synth(path, cloud="moto")
    assert all(len(n) == 40 for n in [doc["name"], *renames.values()])
    assert [(o.check, o.problems) for o in result.checks() if not o.ok] == []


def test_fit_shortens_deterministically_and_keeps_names_apart():
    long = ["payments-ledger", "ledger-api", "tg", "us-east-1"]
    assert fit(long, 24) == "ledger-api-tg-use1" == fit(long, 24)
    a = fit(["a" * 40, "b" * 40, "tg", "us-east-1"], 24)
    b = fit(["a" * 40, "b" * 39 + "c", "tg", "us-east-1"], 24)
    assert len(a) <= 24 and len(b) <= 24 and a != b and a.endswith("-use1")
    assert short_place("ap-northeast-1a") == "apne1a" and short_place("api") == "api"


def program_with(resource):
    def program():
        provider = aws.Provider("aws", region="us-east-1")
        resource(pulumi.ResourceOptions(provider=provider))

    return program


def test_the_offline_run_refuses_an_auto_name_the_provider_cannot_make():
    def target_group(opts):
        aws.lb.TargetGroup("payments-ledger-ledger-api-tg-us-east-1", port=80, protocol="HTTP", opts=opts)

    with pytest.raises(CloudRejected) as caught:
        run({}, "prod", EchoMocks("prod"), program=program_with(target_group))
    assert "plus 7 random chars is longer than maximum length 32" in str(caught.value)
    assert NAMING["aws:lb/targetGroup:TargetGroup"].room == 24


def test_the_offline_run_refuses_names_aws_refuses():
    def load_balancer(opts):  # the provider's limit is 255; AWS's is 32
        aws.lb.LoadBalancer("url-shortener-alb-us-east-1", opts=opts)

    with pytest.raises(CloudRejected) as caught:
        run({}, "prod", EchoMocks("prod"), program=program_with(load_balancer))
    assert "AWS accepts at most 32" in str(caught.value)

    def database(opts):  # RDS refuses two dashes in a row
        aws.rds.Instance("db", identifier="orders--primary", instance_class="db.t4g.micro", opts=opts)

    with pytest.raises(CloudRejected) as caught:
        run({}, "prod", EchoMocks("prod"), program=program_with(database))
    assert "two dashes in a row" in str(caught.value)
