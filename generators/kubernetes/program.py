"""The Kubernetes target as a Pulumi program (pulumi-kubernetes): the same objects the
render writes, each its own resource, against the kind cluster's context, so `pulumi up`
deploys what `kubectl apply -k` would. Credentials are pulumi-random values: generated once,
kept in the stack's state (encrypted) across every later `pulumi up`, and a hash of them on
each pod template rolls the pods when they change."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from blueprints.plan_model import Plan
from generators.kubernetes import tls
from generators.kubernetes.cluster import objects
from generators.kubernetes.common import KindOptions
from generators.kubernetes.standins import (
    CREDENTIALS_SUFFIX,
    PASSWORD_SUFFIX,
    VALKEY_CONF,
    credentials_json,
    is_derived,
    secret_keys,
    valkey_config,
)

GROUPS = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "autoscaling": "autoscaling",
    "policy": "policy",
    "networking.k8s.io": "networking",
}
CREDENTIALS_HASH = "hld.dev/credentials-sha256"
SKIP_AWAIT = {"Ingress"}
"""Kinds whose readiness Pulumi does not wait for on kind: an Ingress is ready when the
controller (installed from addons/, outside this program) publishes its address. Deployments,
StatefulSets and Jobs keep Pulumi's await: `pulumi up` fails when a pod never becomes ready (an
image not loaded, a budget overrun), which is the signal a user needs."""


def resource_class(api_version: str, kind: str) -> Any:
    """apps/v1 Deployment -> pulumi_kubernetes.apps.v1.Deployment"""
    group, _, version = api_version.rpartition("/")
    module = importlib.import_module(f"pulumi_kubernetes.{GROUPS[group]}.{version}")
    return getattr(module, kind)


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def credentials(plan: Plan, opts: pulumi.ResourceOptions) -> dict[str, dict[str, pulumi.Output[str]]]:
    """Secret name -> key -> value, each a pulumi-random value kept in state."""
    out: dict[str, dict[str, pulumi.Output[str]]] = {}
    for secret, keys in sorted(secret_keys(plan).items()):
        if secret == tls.TLS_SECRET:  # certificates, not random values
            out[secret] = tls_material(plan, opts)
            continue
        values: dict[str, pulumi.Output[str]] = {}
        for key in keys:
            if key == "POSTGRES_USER":
                values[key] = pulumi.Output.from_input("hld_admin")
            elif key == "AWS_ACCESS_KEY_ID":
                rid = random.RandomId(f"{plan.name}-{secret}-{key.lower()}", byte_length=8, opts=opts)
                values[key] = rid.hex.apply(lambda h: f"hld{h}")
            elif not is_derived(key):
                values[key] = random.RandomPassword(
                    f"{plan.name}-{secret}-{key.lower()}", length=32, special=False, opts=opts
                ).result
        for key in keys:
            if key.endswith(CREDENTIALS_SUFFIX):  # a service's own database user: JSON username/password
                user = key.removesuffix(CREDENTIALS_SUFFIX)
                values[key] = pulumi.Output.all(
                    pulumi.Output.from_input(user), values[f"{user}{PASSWORD_SUFFIX}"]
                ).apply(lambda up: credentials_json(up[0], up[1]))
        if VALKEY_CONF in keys:
            values[VALKEY_CONF] = values["AUTH_TOKEN"].apply(valkey_config)
        out[secret] = values
    return out


def tls_material(plan: Plan, opts: pulumi.ResourceOptions) -> dict[str, pulumi.Output[str]]:
    """The stand-ins' CA and server certificates as pulumi-tls resources, kept in the stack's state
    (the render keeps them in secrets/ instead): the same names, validity and uses as
    generators.kubernetes.tls issues, each PEM base64-encoded as the Secret's keys hold it."""
    import base64

    import pulumi_tls

    def encoded(pem: pulumi.Output[str]) -> pulumi.Output[str]:
        return pem.apply(lambda text: base64.b64encode((text or "").encode()).decode())  # None under mocks

    hours = tls.VALIDITY_DAYS * 24
    renew = tls.RENEW_DAYS * 24
    ca_key = pulumi_tls.PrivateKey(f"{plan.name}-tls-ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    ca = pulumi_tls.SelfSignedCert(
        f"{plan.name}-tls-ca",
        private_key_pem=ca_key.private_key_pem,
        subject={"common_name": tls.ca_name(plan)},
        is_ca_certificate=True,
        max_path_length=0,
        validity_period_hours=hours,
        early_renewal_hours=renew,
        allowed_uses=["cert_signing", "crl_signing"],
        set_subject_key_id=True,
        opts=opts,
    )
    values = {tls.CA_CERT: encoded(ca.cert_pem), tls.CA_KEY: encoded(ca_key.private_key_pem)}
    for name, stateful in tls.tls_stand_ins(plan):
        dns = tls.dns_names(plan, name, stateful)
        key = pulumi_tls.PrivateKey(f"{plan.name}-tls-{name}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
        request = pulumi_tls.CertRequest(
            f"{plan.name}-tls-{name}-request",
            private_key_pem=key.private_key_pem,
            subject={"common_name": tls.common_name(dns)},
            dns_names=dns,
            opts=opts,
        )
        cert = pulumi_tls.LocallySignedCert(
            f"{plan.name}-tls-{name}",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=ca_key.private_key_pem,
            ca_cert_pem=ca.cert_pem,
            validity_period_hours=hours,
            early_renewal_hours=renew,
            allowed_uses=["digital_signature", "key_encipherment", "server_auth"],
            opts=opts,
        )
        values[tls.cert_key(name)] = encoded(cert.cert_pem)
        values[tls.key_key(name)] = encoded(key.private_key_pem)
    return values


def _digest(values: dict[str, dict[str, pulumi.Output[str]]]) -> pulumi.Output[str]:
    flat = [(s, k, v) for s, kv in sorted(values.items()) for k, v in sorted(kv.items())]
    return pulumi.Output.all(*[v for _, _, v in flat]).apply(
        lambda vs: hashlib.sha256(
            json.dumps([[s, k, v] for (s, k, _), v in zip(flat, vs, strict=True)]).encode()
        ).hexdigest()
    )


def build(plan: Plan, context: str | None = None, kind: KindOptions | None = None) -> dict[str, Any]:
    provider = k8s.Provider(f"{plan.name}-kind", context=context or f"kind-{plan.name}")
    opts = pulumi.ResourceOptions(provider=provider)
    values = credentials(plan, pulumi.ResourceOptions())
    digest = _digest(values) if values else None
    created: dict[tuple[str, str], pulumi.Resource] = {}
    namespace: pulumi.Resource | None = None
    secrets: list[pulumi.Resource] = []
    for obj in objects(plan, kind):
        kind_name, name = obj["kind"], obj["metadata"]["name"]
        fields = {snake(k): v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        if kind_name in SKIP_AWAIT:
            fields["metadata"] = {
                **fields["metadata"],
                "annotations": {**fields["metadata"].get("annotations", {}), "pulumi.com/skipAwait": "true"},
            }
        spec = fields.get("spec")
        if isinstance(spec, dict) and "template" in spec and digest is not None:
            template = spec["template"]
            annotated = {**template["metadata"], "annotations": {CREDENTIALS_HASH: digest}}
            fields["spec"] = {**spec, "template": {**template, "metadata": annotated}}
        depends: list[pulumi.Resource] = [namespace, *secrets] if namespace is not None else []
        created[(kind_name, name)] = resource_class(obj["apiVersion"], kind_name)(
            f"{plan.name}-{kind_name.lower()}-{name}",
            **fields,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=depends)),
        )
        if kind_name == "Namespace":
            namespace = created[(kind_name, name)]
            secrets = [
                k8s.core.v1.Secret(
                    f"{plan.name}-secret-{secret}",
                    metadata={"name": secret, "namespace": plan.name},
                    string_data=pulumi.Output.secret(data),
                    opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[namespace])),
                )
                for secret, data in sorted(values.items())
            ]
    return {"namespace": plan.name, "objects": len(created), "kind_context": context or f"kind-{plan.name}"}
