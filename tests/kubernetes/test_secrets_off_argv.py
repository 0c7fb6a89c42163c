"""No secret on a command line (issue 23): a container's argv is readable by every process of
the node (/proc/<pid>/cmdline, `ps`), so the render passes secrets in the environment or in files
mounted from a Secret, and `hld render`'s `secrets-off-argv` check refuses the whole class."""

from __future__ import annotations

import copy
import functools
from typing import Any

from blueprints import load, plan
from generators.kubernetes import kind_cluster, objects
from generators.kubernetes.render import secret_values, tree
from generators.kubernetes.standins import VALKEY_CONF, secret_keys
from hld.checks.kubernetes import argv_secrets, cross_checks
from tests.helpers import EXAMPLE_FILES, EXAMPLES


@functools.cache
def planned(stem: str):
    return plan(load(EXAMPLES / f"{stem}.yaml"))


def _containers(objs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    [obj] = [o for o in objs if o["metadata"]["name"] == name and "spec" in o and "template" in o["spec"]]
    return obj["spec"]["template"]["spec"]["containers"]


def test_valkey_reads_its_auth_token_from_a_file_the_secret_holds():
    p = planned("e-commerce")  # TLS on: the cache has AUTH, as ElastiCache does
    objs = objects(p)
    [cache] = [s for s in p.datastores if s.kind == "cache"]
    [container] = _containers(objs, cache.name)
    assert container["args"] == ["valkey-server", f"/etc/valkey/{VALKEY_CONF}"]
    assert not any("AUTH" in e["name"] for e in container.get("env", []))
    [pod] = [
        o["spec"]["template"]["spec"] for o in objs if o["metadata"]["name"] == cache.name and o["kind"] != "Service"
    ]
    [volume] = [v for v in pod["volumes"] if "secret" in v]
    assert volume["secret"]["secretName"] == f"{cache.name}-auth"
    assert volume["secret"]["items"] == [{"key": VALKEY_CONF, "path": VALKEY_CONF}]
    values = secret_values(p)[f"{cache.name}-auth"]
    assert values[VALKEY_CONF] == f"requirepass {values['AUTH_TOKEN']}"
    kept = secret_values(p, {f"{cache.name}-auth": {"AUTH_TOKEN": "kept-token-1234"}})[f"{cache.name}-auth"]
    assert kept == {"AUTH_TOKEN": "kept-token-1234", VALKEY_CONF: "requirepass kept-token-1234"}


def test_every_render_keeps_its_secrets_off_argv_and_out_of_the_public_files():
    for path in EXAMPLE_FILES:
        p = planned(path.stem)
        objs = objects(p)
        checks = {name: problems for name, _, problems in cross_checks(p, objs, kind_cluster(p))}
        assert checks["secrets-off-argv"] == [] and checks["credentials"] == []
        files, private = tree(p)
        values = {rel.removeprefix("secrets/").removesuffix(".env"): {} for rel in private}
        for rel in private:
            for line in files[rel].splitlines():
                key, _, value = line.partition("=")
                values[rel.removeprefix("secrets/").removesuffix(".env")][key] = value
        assert argv_secrets(objs, secret_keys(p), values) == []
        secret_texts = [v for kv in values.values() for k, v in kv.items() if k not in ("POSTGRES_USER",)]
        for rel, text in files.items():
            if rel not in private:
                assert not any(s in text for s in secret_texts), rel


def test_minio_keys_reach_mc_through_its_environment_not_its_arguments():
    p = planned("social-feed")
    [container] = _containers(objects(p), "minio-bootstrap")
    script = container["command"][-1]
    assert "alias set" not in script and "AWS_SECRET_ACCESS_KEY" not in script
    env = {e["name"]: e for e in container["env"]}
    assert env["MC_HOST_local"]["value"] == "http://$(AWS_ACCESS_KEY_ID):$(AWS_SECRET_ACCESS_KEY)@minio:9000"
    names = list(env)
    assert names.index("MC_HOST_local") > names.index("AWS_SECRET_ACCESS_KEY")  # the kubelet expands earlier ones


def test_the_check_refuses_a_secret_on_a_command_line_in_every_form():
    p = planned("e-commerce")
    objs = copy.deepcopy(objects(p))
    keys = secret_keys(p)
    [cache] = [s for s in p.datastores if s.kind == "cache"]
    [container] = _containers(objs, cache.name)
    container["env"] = [
        {"name": "AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": f"{cache.name}-auth", "key": "AUTH_TOKEN"}}}
    ]
    container["args"] = ["valkey-server", "--requirepass", "$(AUTH_TOKEN)"]  # what the render used to write
    [job] = _containers(objs, "dynamodb-local-bootstrap")
    job["command"][-1] += '\nmc alias set local http://m:9000 "$AWS_ACCESS_KEY_ID" "${AWS_SECRET_ACCESS_KEY}"'
    problems = argv_secrets(objs, keys, {"x": {"k": "a-literal-secret"}})
    assert any(f"{cache.name}" in p and "AUTH_TOKEN" in p for p in problems)
    assert any("bootstrap" in p and "AWS_ACCESS_KEY_ID" in p for p in problems)
    assert any("bootstrap" in p and "AWS_SECRET_ACCESS_KEY" in p for p in problems)
    container["args"] = ["valkey-server", "--requirepass", "a-literal-secret"]
    assert any("x/k's value" in p for p in argv_secrets(objs, keys, {"x": {"k": "a-literal-secret"}}))
    checks = {name: found for name, _, found in cross_checks(p, objs, kind_cluster(p))}
    assert checks["secrets-off-argv"], "hld render's named checks include it"


def test_the_credentials_check_reads_secret_volumes_too():
    p = planned("e-commerce")
    objs = copy.deepcopy(objects(p))
    [cache] = [s for s in p.datastores if s.kind == "cache"]
    [pod] = [
        o["spec"]["template"]["spec"] for o in objs if o["metadata"]["name"] == cache.name and o["kind"] != "Service"
    ]
    [volume] = [v for v in pod["volumes"] if "secret" in v]
    volume["secret"]["items"][0]["key"] = "nope.conf"
    checks = {name: found for name, _, found in cross_checks(p, objs, kind_cluster(p))}
    assert any("nope.conf" in x for x in checks["credentials"])
