"""One image on both targets: where AWS serves a store over TLS (RDS with rds.force_ssl, ElastiCache
with in-transit encryption and AUTH), kind's stand-in serves TLS only, with a CA and a server
certificate per stand-in generated once and kept as the credentials are, and every service gets the
same variables on AWS and on kind, transport and CA included; the `stand-in-tls` check refuses a
stand-in without TLS."""

from __future__ import annotations

import copy
import datetime
import functools
from typing import Any

import pytest
from cryptography import x509

from blueprints import load, plan
from blueprints.names import KIND_ONLY_SUFFIXES, env_var
from generators.contract import CA_FILE, KIND_ONLY, SSLMODE, TLS_SUFFIXES, variables
from generators.kubernetes import kind_cluster, objects, tree
from generators.kubernetes.render import parse_env, secret_values
from generators.kubernetes.standins import PG_HBA, VALKEY_CONF
from generators.kubernetes.tls import (
    CA_CERT,
    CA_KEY,
    TLS_DIR,
    TLS_SECRET,
    VALIDITY_DAYS,
    cert_key,
    decoded,
    dns_names,
    key_key,
    sans,
    tls_stand_ins,
)
from hld.checks.edges import _containers
from hld.checks.kubernetes import cross_checks, stand_in_tls
from hld.graph import prefixed
from tests.helpers import EXAMPLE_FILES, EXAMPLES

STEMS = [p.stem for p in EXAMPLE_FILES]


@functools.cache
def planned(stem: str):
    return plan(load(EXAMPLES / f"{stem}.yaml"))


@functools.cache
def aws_env(stem: str) -> dict[tuple[str, str], dict[str, str]]:
    """(service, region) -> the task's environment and secrets (secrets by name, value "<secret>")
    in the offline AWS run of the blueprint's production stack."""
    from tests.aws.mocks.conftest import synthesized

    run = synthesized(f"{stem}-prod")
    out: dict[tuple[str, str], dict[str, str]] = {}
    for svc in run.plan.services:
        for task in prefixed(run.graph, "aws:ecs/taskDefinition:TaskDefinition", f"{run.plan.name}-{svc.name}"):
            env = {e["name"]: str(e["value"]) for c in _containers(task) for e in c.get("environment") or []}
            env |= {s["name"]: "<secret>" for c in _containers(task) for s in c.get("secrets") or []}
            out[(svc.name, str(task.region))] = env
    return out


def kind_env(objs: list[dict[str, Any]], service: str) -> dict[str, str]:
    [d] = [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == service]
    [c] = [c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == service]
    return {e["name"]: e.get("value", "<secret>") for e in c.get("env", [])}


def _differs(p, name: str) -> bool:
    """Variables whose values must differ between targets: where a thing is (hosts, ports, URLs; the
    physical names of tables and buckets, which AWS suffixes), secrets (AWS: a Secrets Manager
    reference; kind: a Secret key), and the region on kind (the primary). Every other value, the
    transport and CA variables among them, is the same."""
    where = ("_HOST", "_READ_HOST", "_PORT", "_URL", "_QUEUE_URL", "_TABLE", "_BUCKET")
    if name in ("HLD_REGION",) or name.endswith(where):
        return True
    return name.endswith("_AUTH_TOKEN")


@pytest.mark.parametrize("stem", STEMS)
def test_every_service_gets_the_same_keys_on_aws_and_on_kind(stem):
    p = planned(stem)
    objs = objects(p)
    tasks = aws_env(stem)
    kind_only = set(KIND_ONLY) | {
        env_var(s.name, suffix) for s in p.datastores for suffix in KIND_ONLY_SUFFIXES.get(s.kind, ())
    }
    for svc in p.services:
        aws = tasks[(svc.name, p.primary_region)]
        kind = kind_env(objs, svc.name)
        assert set(aws) == set(variables(p, svc, p.primary_region))
        assert set(kind) - kind_only == set(aws), (svc.name, sorted(set(kind) ^ set(aws)))
        for name in sorted(aws):
            if not _differs(p, name):
                assert kind[name] == aws[name], (svc.name, name)
        for store in [p.store(s) for s in svc.stores]:
            transport = [env_var(store.name, suffix) for suffix in TLS_SUFFIXES.get(store.kind, ())]
            for name in transport:  # present exactly where AWS requires TLS, identical on both targets
                assert (name in aws) == (name in kind) == bool(p.edge.tls), (svc.name, name)
            if p.edge.tls and store.kind == "relational":
                assert aws[env_var(store.name, "SSLMODE")] == kind[env_var(store.name, "SSLMODE")] == SSLMODE
            if p.edge.tls and store.kind == "cache":
                assert aws[env_var(store.name, "TLS")] == kind[env_var(store.name, "TLS")] == "true"
                assert env_var(store.name, "AUTH_TOKEN") in aws and env_var(store.name, "AUTH_TOKEN") in kind
            if p.edge.tls and store.kind in TLS_SUFFIXES:
                assert aws[env_var(store.name, "CA_FILE")] == kind[env_var(store.name, "CA_FILE")] == CA_FILE


def test_the_reference_blueprints_have_tls_stand_ins_of_both_kinds():
    kinds = {planned(s).store(n).kind for s in STEMS for n, _ in tls_stand_ins(planned(s))}
    assert kinds == {"relational", "cache"}


def _pod(objs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [o] = [o for o in objs if o["metadata"]["name"] == name and o["kind"] in ("Deployment", "StatefulSet")]
    return o["spec"]["template"]["spec"]


def _config_maps(objs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {o["metadata"]["name"]: o["data"] for o in objs if o["kind"] == "ConfigMap"}


@pytest.mark.parametrize("stem", STEMS)
def test_the_stand_ins_serve_tls_only_from_the_mounted_files(stem):
    p = planned(stem)
    objs = objects(p)
    maps = _config_maps(objs)
    secure = dict(tls_stand_ins(p))
    for store in [s for s in p.datastores if s.kind in ("relational", "cache")]:
        pod = _pod(objs, store.name)
        [c] = pod["containers"]
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        if store.name not in secure:
            assert "initContainers" not in pod and TLS_DIR not in mounts and not p.edge.tls
            continue
        [init] = pod["initContainers"]
        assert mounts[TLS_DIR]["name"] == "tls" and mounts[TLS_DIR]["readOnly"]
        script = init["command"][-1]
        for f in ("ca.crt", "tls.crt", "tls.key"):
            assert f"> {TLS_DIR}/{f}" in script
        assert f"chmod 0600 {TLS_DIR}/tls.key" in script  # PostgreSQL refuses a key others may read
        assert init["securityContext"]["runAsUser"] == c["securityContext"]["runAsUser"]  # the key's owner
        [source] = [v for v in pod["volumes"] if v["name"] == "tls-source"]
        [items] = [s["secret"]["items"] for s in source["projected"]["sources"]]
        assert {i["key"] for i in items} == {CA_CERT, cert_key(store.name), key_key(store.name)}  # never the CA key
        assert next(v for v in pod["volumes"] if v["name"] == "tls")["emptyDir"]["medium"] == "Memory"
        if store.kind == "relational":
            args = c["args"]
            assert "ssl=on" in args
            assert f"ssl_cert_file={TLS_DIR}/tls.crt" in args and f"ssl_key_file={TLS_DIR}/tls.key" in args
            hba = maps[f"{store.name}-config"][PG_HBA]
            assert "hostssl all all all scram-sha-256" in hba
            assert not any(line.split()[0] in ("host", "hostnossl") for line in hba.splitlines())
            probe = c["readinessProbe"]["exec"]["command"]
            assert probe == ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "hld_admin"]
        else:
            assert c["args"] == ["valkey-server", f"/etc/valkey/{VALKEY_CONF}"]
            assert mounts[f"/etc/valkey/{VALKEY_CONF}"]["subPath"] == VALKEY_CONF
            conf = maps[f"{store.name}-config"][VALKEY_CONF].splitlines()
            for line in (
                "port 0",
                "tls-port 6379",
                f"tls-cert-file {TLS_DIR}/tls.crt",
                f"tls-key-file {TLS_DIR}/tls.key",
                f"tls-ca-cert-file {TLS_DIR}/ca.crt",
                "tls-auth-clients no",
                f"include /etc/valkey/auth/{VALKEY_CONF}",
            ):
                assert line in conf
            assert mounts["/etc/valkey/auth"]["name"] == "config"  # the AUTH Secret's file
    for svc in p.services:
        pod = _pod(objs, svc.name)
        mounts = {m["mountPath"]: m["name"] for c in pod["containers"] for m in c["volumeMounts"]}
        wants = any(s in secure for s in svc.stores)
        assert (mounts.get("/etc/hld/tls") == "tls") == wants, svc.name
        if wants:
            [init] = pod["initContainers"]
            assert f"> {CA_FILE}" in init["command"][-1]


def _certificate(value: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(decoded(value))


@pytest.mark.parametrize("stem", [s for s in STEMS if tls_stand_ins(planned(s))])
def test_certificates_name_the_services_and_are_kept_across_renders(stem):
    p = planned(stem)
    values = secret_values(p)[TLS_SECRET]
    ca = _certificate(values[CA_CERT])
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for name, stateful in tls_stand_ins(p):
        cert = _certificate(values[cert_key(name)])
        cert.verify_directly_issued_by(ca)
        assert sans(cert) == dns_names(p, name, stateful)
        assert f"{name}.{p.name}.svc.cluster.local" in sans(cert)  # the host the contract gives
        days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
        assert VALIDITY_DAYS - 1 <= days <= VALIDITY_DAYS
    # a re-render reads the previous secrets back and keeps every one of them
    files, private = tree(p)
    assert f"secrets/{TLS_SECRET}.env" in private
    previous = {rel.removeprefix("secrets/").removesuffix(".env"): parse_env(files[rel]) for rel in private}
    again, _ = tree(p, previous=previous)
    assert {rel: again[rel] for rel in private} == {rel: files[rel] for rel in private}
    assert "BEGIN" not in files[f"secrets/{TLS_SECRET}.env"]  # one line a value: base64 PEMs
    # public files are deterministic: nothing of the certificates is in them
    public = {rel: text for rel, text in files.items() if rel not in private}
    assert public == {rel: text for rel, text in again.items() if rel not in private}
    assert not any(values[CA_CERT][:40] in text for text in public.values())


def test_a_certificate_is_issued_anew_when_its_names_change_and_the_ca_is_kept():
    p = planned(next(s for s in STEMS if tls_stand_ins(planned(s))))
    values = secret_values(p)[TLS_SECRET]
    name, _ = tls_stand_ins(p)[0]
    other = secret_values(p)[TLS_SECRET]  # another CA: its server certificate does not chain to the kept CA
    stale = {**values, cert_key(name): other[cert_key(name)], key_key(name): other[key_key(name)]}
    renewed = secret_values(p, {TLS_SECRET: stale})[TLS_SECRET]
    assert renewed[CA_CERT] == values[CA_CERT] and renewed[CA_KEY] == values[CA_KEY]
    assert renewed[key_key(name)] == other[key_key(name)]  # the kept key, certified anew
    assert renewed[cert_key(name)] != other[cert_key(name)]
    _certificate(renewed[cert_key(name)]).verify_directly_issued_by(_certificate(values[CA_CERT]))
    broken = secret_values(p, {TLS_SECRET: {**values, CA_KEY: "not-a-key"}})[TLS_SECRET]
    assert broken[CA_CERT] != values[CA_CERT]  # an unusable CA is replaced, and every certificate with it
    assert _certificate(broken[CA_CERT]).not_valid_after_utc > datetime.datetime.now(datetime.UTC)


def _checks(p, objs) -> dict[str, list[str]]:
    return {name: problems for name, _, problems in cross_checks(p, objs, kind_cluster(p))}


@pytest.mark.parametrize("stem", STEMS)
def test_stand_in_tls_holds_on_every_reference_render(stem):
    p = planned(stem)
    assert _checks(p, objects(p))["stand-in-tls"] == []


def _tls_stem() -> str:
    return next(s for s in STEMS if {planned(s).store(n).kind for n, _ in tls_stand_ins(planned(s))} >= {"cache"})


def _breaks(change) -> list[str]:
    stem = next(
        s for s in STEMS if {planned(s).store(n).kind for n, _ in tls_stand_ins(planned(s))} >= {"relational", "cache"}
    )
    p = planned(stem)
    objs = copy.deepcopy(objects(p))
    change(p, objs)
    return _checks(p, objs)["stand-in-tls"]


def _stand_in(p, objs, kind: str) -> dict[str, Any]:
    name = next(n for n, _ in tls_stand_ins(p) if p.store(n).kind == kind)
    return next(o for o in objs if o["metadata"]["name"] == name and o["kind"] in ("Deployment", "StatefulSet"))


def test_valkey_with_a_plaintext_port_fails_stand_in_tls():
    def plaintext(p, objs):
        name = _stand_in(p, objs, "cache")["metadata"]["name"]
        [cm] = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == f"{name}-config"]
        cm["data"][VALKEY_CONF] = cm["data"][VALKEY_CONF].replace("port 0\n", "port 6380\n")

    assert any("plaintext port" in problem for problem in _breaks(plaintext))


def test_valkey_back_on_the_auth_file_alone_fails_stand_in_tls():
    def untls(p, objs):  # the AUTH Secret's file as the server's configuration, as before TLS
        pod = _stand_in(p, objs, "cache")["spec"]["template"]["spec"]
        [c] = pod["containers"]
        c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] not in ("tls-config", "tls")]
        for m in c["volumeMounts"]:
            if m["name"] == "config":
                m["mountPath"] = "/etc/valkey"

    problems = _breaks(untls)
    assert any("serves plaintext" in problem for problem in problems), problems


def test_postgresql_without_ssl_or_with_plaintext_access_fails_stand_in_tls():
    def no_ssl(p, objs):
        [c] = _stand_in(p, objs, "relational")["spec"]["template"]["spec"]["containers"]
        c["args"] = [a for a in c["args"] if a != "ssl=on"]

    def plaintext_hba(p, objs):
        name = _stand_in(p, objs, "relational")["metadata"]["name"]
        [cm] = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == f"{name}-config"]
        cm["data"][PG_HBA] += "host all all all scram-sha-256\n"

    def no_key(p, objs):
        pod = _stand_in(p, objs, "relational")["spec"]["template"]["spec"]
        pod["initContainers"][0]["command"][-1] = pod["initContainers"][0]["command"][-1].replace(
            "tls.key.b64 > ", "tls.key.b64 >> /tmp/x; : "
        )

    assert any("ssl=on" in problem for problem in _breaks(no_ssl))
    assert any("pg_hba admits TCP connections without TLS" in problem for problem in _breaks(plaintext_hba))
    assert any("ssl_key_file" in problem for problem in _breaks(no_key))


def test_a_service_without_the_ca_fails_stand_in_tls():
    def no_ca(p, objs):
        svc = next(s for s in p.services if any(n in dict(tls_stand_ins(p)) for n in s.stores))
        [d] = [o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == svc.name]
        for c in d["spec"]["template"]["spec"]["containers"]:
            c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] != "tls"]

    assert any(CA_FILE in problem for problem in _breaks(no_ca))


def test_stand_in_tls_names_a_certificate_key_the_render_does_not_generate():
    p = planned(_tls_stem())
    objs = objects(p)
    assert stand_in_tls(p, objs, {TLS_SECRET: (CA_CERT,)})  # the stand-ins' own certificates are missing
    assert stand_in_tls(p, objs, None) == []
