"""The consistency stated per journey is what its read path delivers: a cache in front of a
strong store makes its reads eventual (said, with the TTL); DynamoDB's strong and read-your-writes
reads are ConsistentRead reads, and the services are told so on AWS and on kind alike."""

from __future__ import annotations

from blueprints import plan
from blueprints.consistency import consistent_reads_variable
from generators.contract import variables
from tests.helpers import BASE, make, parse_doc


def _with(stores, uses, **changes):
    services = [{**BASE["services"][0], "uses": uses}]
    return plan(parse_doc(make(datastores=stores, services=services, **changes)))


def test_strong_reads_through_a_cache_are_stated_as_eventual_with_the_ttl():
    p = _with(
        [
            {"name": "board", "kind": "key-value", "partition_key": "id", "consistency": "strong"},
            {"name": "board-cache", "kind": "cache", "ttl": "5s"},
        ],
        ["board", "board-cache"],
    )
    reads = p.availability.journeys[0].reads
    assert reads is not None and reads.value == "eventual"
    assert "board-cache (TTL 5 s)" in reads.reason and "strong" in reads.reason


def test_read_your_writes_on_dynamodb_is_consistent_reads_in_the_contract():
    p = _with(
        [{"name": "carts", "kind": "key-value", "partition_key": "id", "consistency": "read-your-writes"}], ["carts"]
    )
    reads = p.availability.journeys[0].reads
    assert reads is not None and reads.value == "read-your-writes" and "ConsistentRead" in reads.reason
    flag = consistent_reads_variable("carts")
    assert flag == "CARTS_CONSISTENT_READS"
    assert flag in variables(p, p.service("api"), p.primary_region)


def test_the_kind_render_and_the_aws_program_tell_services_to_read_consistently():
    from generators.kubernetes.standins import store_env

    p = _with([{"name": "carts", "kind": "key-value", "partition_key": "id", "consistency": "strong"}], ["carts"])
    env = {e["name"]: e.get("value") for e in store_env(p, p.store("carts"), p.primary_region)}
    assert env["CARTS_CONSISTENT_READS"] == "true"
    eventual = _with(
        [{"name": "carts", "kind": "key-value", "partition_key": "id", "consistency": "eventual"}], ["carts"]
    )
    env = {e["name"]: e.get("value") for e in store_env(eventual, eventual.store("carts"), eventual.primary_region)}
    assert env["CARTS_CONSISTENT_READS"] == "false"
    assert eventual.availability.journeys[0].reads.value == "eventual"
