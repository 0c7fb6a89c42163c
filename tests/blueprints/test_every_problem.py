"""Every problem at once: the YAML's, the schema's and the coherence rules' over every part that is
itself valid, reported in one run (a user fixes the file once, not stage by stage)."""

from __future__ import annotations

import pytest

from blueprints import BlueprintError, parse

ONE_OF_EACH = """\
name: shop
availability: 99.9
redundancy: {level: multi-region}
regions: [us-east-1]
services:
  - name: api
    image: ghcr.io/x/api:1
    public: true
    routes: ["GET /"]
    uses: [db, ordrs]
    peak_rps: 100
    peak_rps: 200
  - name: worker
    image: ghcr.io/x/worker:1
    cpu: 99
    uses: [queue]
datastores:
  - name: db
    kind: relational
  - name: queue
    kind: queue
    retention: 1s
security: {tls: disabled}
"""


def problems(text):
    with pytest.raises(BlueprintError) as caught:
        parse(text, "shop.yaml")
    return {(p.rule, ".".join(map(str, p.path))) for p in caught.value.problems}


def test_one_error_of_each_stage_is_reported_in_one_run():
    found = problems(ONE_OF_EACH)
    assert ("yaml", "services.0.peak_rps") in found  # a duplicate key
    assert ("schema", "services.1.cpu") in found  # a value out of range
    assert ("schema", "datastores.1.retention") in found
    assert ("data-flow", "services.0.uses.1") in found  # an undeclared name, next to a schema error
    assert ("redundancy", "regions") in found  # multi-region with one region


def test_a_name_declared_by_an_invalid_item_is_not_reported_as_missing():
    text = ONE_OF_EACH.replace("uses: [db, ordrs]", "uses: [db]")
    found = problems(text)
    # `queue` failed the schema (retention), yet `worker` uses it: no "not declared" for it
    assert not any(rule == "data-flow" for rule, _ in found)


def test_rules_that_read_an_invalid_field_are_skipped():
    text = ONE_OF_EACH.replace("availability: 99.9", "availability: high")
    found = problems(text)
    assert ("schema", "availability") in found
    assert ("redundancy", "regions") not in found  # read through the availability: not judged
    assert ("data-flow", "services.0.uses.1") in found


def _descriptions():
    from pydantic import BaseModel

    import blueprints.model as model

    found = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            found |= {(f.description or "").strip() for f in value.model_fields.values()}
    return found - {""}


def test_every_schema_fix_says_what_to_do_not_only_what_the_field_means():
    import yaml

    from tests.helpers import BASE, make

    descriptions = _descriptions()
    wrong = ("zzz", -1, 10**9, 0.5, ["x"], {"x": 1}, True)
    docs = []
    for key in BASE:
        if key in ("services", "datastores"):
            continue
        docs += [make(**{key: value}) for value in wrong]
    for key in BASE["services"][0]:
        for value in wrong:
            doc = make()
            doc["services"][0][key] = value
            docs.append(doc)
    for key in ("engine", "ttl", "retention", "consistency", "instance_class"):
        for value in wrong:
            doc = make()
            doc["datastores"][0][key] = value
            docs.append(doc)
    seen = 0
    for doc in docs:
        try:
            parse(yaml.safe_dump(doc), "x.yaml")
        except BlueprintError as exc:
            for p in exc.problems:
                if p.rule != "schema":
                    continue
                seen += 1
                assert p.fix.strip() not in descriptions and p.fix.strip().rstrip(".") + "." not in descriptions, (
                    p.render()
                )
    assert seen > 30


def test_every_bad_route_of_one_list_is_reported_at_once():
    text = ONE_OF_EACH.replace('routes: ["GET /"]', 'routes: ["GET /a?b", "FETCH /x", "GET /ok", "GET /c$"]')
    found = problems(text)
    assert {("schema", f"services.0.routes.{i}") for i in (0, 1, 3)} <= found
    assert ("schema", "services.0.routes.2") not in found


CAP_CONFLICT = """\
name: shop
availability: 99.9
consistency: strong
rpo: 0s
redundancy: {level: multi-region, replication: active}
bogus: 1
services:
  - name: api
    image: ghcr.io/x/api:1
    public: true
    routes: ["GET /"]
    uses: [db, nothere]
datastores:
  - name: db
    kind: relational
"""


def test_a_cap_conflict_is_reported_beside_an_unknown_field_and_an_undeclared_use():
    found = problems(CAP_CONFLICT)
    assert ("schema", "bogus") in found
    assert ("data-flow", "services.0.uses.1") in found
    assert ("CAP/RPO", "rpo") in found  # the coherence rule over the parts that are valid
