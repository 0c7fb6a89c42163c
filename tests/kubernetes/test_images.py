"""Every image a render writes comes from one table (generators.kubernetes.images), by digest
where the table has one; the `images` check refuses any other; the preload script and the README
list every image of the render."""

from __future__ import annotations

import copy
import functools

import pytest

from blueprints import load, plan
from generators.kubernetes import files, kind_cluster, objects
from generators.kubernetes.images import TABLE, UNVERIFIED, by_ref, ref, rendered
from hld.checks.kubernetes import cross_checks
from tests.helpers import EXAMPLE_FILES, EXAMPLES

STEMS = [p.stem for p in EXAMPLE_FILES]


@functools.cache
def planned(stem: str):
    return plan(load(EXAMPLES / f"{stem}.yaml"))


def _containers(objs):
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            spec = o["spec"]["template"]["spec"]
            for c in [*spec.get("initContainers", []), *spec["containers"]]:
                yield o, c


def _images_check(p, objs, cluster=None):
    checks = {name: problems for name, _, problems in cross_checks(p, objs, cluster or kind_cluster(p))}
    return checks["images"]


@pytest.mark.parametrize("stem", STEMS)
def test_every_image_is_a_table_ref(stem):
    p = planned(stem)
    own = {s.image for s in p.services}
    for _, c in _containers(objects(p)):
        if c["image"] in own:
            continue
        row = by_ref(c["image"])
        assert row is not None, c["image"]
        if row.digest:
            assert c["image"].endswith(f"@sha256:{row.digest}")
    for node in kind_cluster(p)["nodes"]:
        assert node["image"] == ref("kind-node")
        assert "@sha256:" in node["image"]
    assert _images_check(p, objects(p)) == []


def test_minio_images_come_from_quay():
    assert TABLE["minio"].registry == "quay.io" and TABLE["mc"].registry == "quay.io"
    for stem in STEMS:
        for _, c in _containers(objects(planned(stem))):
            if "minio" in c["image"]:
                assert c["image"].startswith("quay.io/minio/"), c["image"]


def test_an_image_outside_the_table_fails_the_check():
    stem = next(s for s in STEMS if any("minio" in c["image"] for _, c in _containers(objects(planned(s)))))
    p = planned(stem)
    objs = copy.deepcopy(objects(p))
    obj, container = next((o, c) for o, c in _containers(objs) if c["image"] == ref("minio"))
    container["image"] = "minio/minio:latest"
    problems = _images_check(p, objs)
    assert any("minio/minio:latest" in x and obj["metadata"]["name"] in x for x in problems), problems


def test_a_tag_where_the_table_has_a_digest_fails_the_check():
    p = planned(STEMS[0])
    cluster = copy.deepcopy(kind_cluster(p))
    row = TABLE["kind-node"]
    cluster["nodes"][0]["image"] = f"{row.name}:{row.tag}"
    assert any("not pinned by the table's digest" in x for x in _images_check(p, objects(p), cluster))


@pytest.mark.parametrize("stem", STEMS)
def test_preload_script_and_readme_list_every_image(stem):
    p = planned(stem)
    out = files(p)
    script, readme = out["preload-images.sh"], out["README.md"]
    assert script.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in script
    used = rendered(objects(p), {s.image for s in p.services})
    assert {i.ref() for i in TABLE.values() if i.addon} <= set(used)
    for image in used:
        assert f"docker pull {image}" in script
        assert f"kind load docker-image {image} --name {p.name}" in script
    assert f"docker pull {ref('kind-node')}" in script
    steps = readme.split("```sh", 1)[1].split("```", 1)[0].splitlines()
    assert steps.index("bash preload-images.sh") < steps.index("kubectl apply -k addons")
    assert "Preload the images" in readme and TABLE["postgres"].checked in readme
    for image in used:
        row = by_ref(image)
        assert row is not None
        assert row.registry in readme
        if row.digest is None:
            assert f"`{image}`" in readme  # named as not pinned by digest


def test_every_row_has_a_source_and_a_date():
    for key, row in TABLE.items():
        assert row.source.startswith("https://"), key
        assert len(row.checked) == 10 and row.checked[4] == "-", key
        assert row.limit, key
        if row.digest is not None:
            assert len(row.digest) == 64 and all(ch in "0123456789abcdef" for ch in row.digest), key
            assert ref(key) == f"{row.registry}/{row.repository}:{row.tag}@sha256:{row.digest}"
        else:
            assert ref(key) == f"{row.registry}/{row.repository}:{row.tag}"
    assert set(UNVERIFIED) == {k for k, r in TABLE.items() if r.digest is None}
