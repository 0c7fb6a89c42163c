"""TLS for the stand-ins AWS serves over TLS (PostgreSQL for RDS with rds.force_ssl, Valkey for
ElastiCache with in-transit encryption): one CA per render and a server certificate per stand-in
whose names are the stand-in's Service DNS names, generated once and kept across renders as the
credentials are (`secrets/stand-in-tls.env`, private).

A `secrets/*.env` value is one line, so each PEM is kept there base64-encoded; an init container
of the pod decodes the files it needs into a memory volume (the server's key mode 0600, owned by
the server's user, as PostgreSQL requires). The services get the CA at the contract's CA path
(generators.contract.CA_FILE): the same path the image holds AWS's bundle at on AWS."""

from __future__ import annotations

import base64
import datetime
import posixpath
from typing import Any

from blueprints import names
from blueprints.plan_model import AnyStorePlan, CachePlan, Plan, RelationalPlan
from generators.contract import CA_FILE

TLS_SECRET = names.TLS_SECRET
"""The Secret with the CA and every TLS stand-in's certificate and key (base64 PEM)."""
CA_CERT, CA_KEY = "ca.crt", "ca.key"
"""The CA's certificate (mounted into pods) and key (kept only in `secrets/`, never mounted: it
signs a new server certificate when a stand-in's names change)."""
VALIDITY_DAYS = 825
"""How long a certificate is valid: long enough for a laptop's cluster."""
RENEW_DAYS = 30
"""A kept certificate closer than this to its end is issued anew."""
TLS_DIR = "/etc/hld/tls"
"""Where a stand-in reads its decoded certificate, key and CA (a memory volume)."""
SOURCE_DIR = "/run/hld/tls-source"
"""Where the init container reads the Secret's base64 files."""
FILES = ("ca.crt", "tls.crt", "tls.key")
"""What a stand-in's TLS folder holds."""


def enabled(plan: Plan) -> bool:
    """The stand-ins serve TLS where AWS requires it: with the blueprint's TLS on (rds.force_ssl,
    ElastiCache's transit encryption and AUTH)."""
    return bool(plan.edge.tls)


def uses_tls(plan: Plan, store: AnyStorePlan) -> bool:
    return enabled(plan) and isinstance(store, (RelationalPlan, CachePlan))


def tls_stand_ins(plan: Plan) -> list[tuple[str, bool]]:
    """(stand-in name, whether it is a StatefulSet) of every stand-in that serves TLS, in the plan's order."""
    out: dict[str, bool] = {}
    for store in plan.datastores:
        if uses_tls(plan, store):
            out.setdefault(store.name, store.kind in names.STATEFUL_STAND_INS)
    return list(out.items())


COMMON_NAME_MAX = 64
"""X.509's upper bound on a common name (RFC 5280, ub-common-name); clients match the SANs."""


def ca_name(plan: Plan) -> str:
    """The CA's common name: the system's, within X.509's bound."""
    return f"{plan.name} stand-ins CA (hld)"[:COMMON_NAME_MAX]


def common_name(dns: list[str]) -> str:
    """A server certificate's common name: its first name that fits X.509's bound (the Service's
    short name always does); the SANs carry every name."""
    return next((d for d in dns if len(d) <= COMMON_NAME_MAX), dns[0][:COMMON_NAME_MAX])


def cert_key(name: str) -> str:
    return f"{name}.crt"


def key_key(name: str) -> str:
    return f"{name}.key"


def secret_keys(plan: Plan) -> tuple[str, ...]:
    """The keys of TLS_SECRET (none without a TLS stand-in)."""
    stand_ins = tls_stand_ins(plan)
    if not stand_ins:
        return ()
    return (CA_CERT, CA_KEY, *(k for name, _ in stand_ins for k in (cert_key(name), key_key(name))))


def dns_names(plan: Plan, name: str, stateful: bool) -> list[str]:
    """The names a client reaches the stand-in by: its Service (short, namespaced, full) and, for a
    StatefulSet, its governing Service and its pod's own name there."""
    ns = plan.name
    out = [name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"]
    if stateful:
        pods = names.governing_service(name)
        out += [f"{pods}.{ns}.svc.cluster.local", f"{name}-0.{pods}.{ns}.svc.cluster.local"]
    return out


# --- generation -------------------------------------------------------------------------------------


def _pem(data: bytes) -> str:
    """A PEM as one `secrets/*.env` line."""
    return base64.b64encode(data).decode()


def _unpem(value: str) -> bytes:
    return base64.b64decode(value.encode(), validate=True)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _new_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    data: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return data


def _cert_pem(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    data: bytes = cert.public_bytes(serialization.Encoding.PEM)
    return data


def _load(cert_value: str | None, key_value: str | None) -> tuple[Any, Any] | None:
    """A kept certificate and its key, when both parse, belong together and stay valid long enough."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if not cert_value or not key_value:
        return None
    try:
        cert = x509.load_pem_x509_certificate(_unpem(cert_value))
        key = serialization.load_pem_private_key(_unpem(key_value), password=None)
    except ValueError:
        return None
    if cert.public_key() != key.public_key():
        return None
    if cert.not_valid_after_utc - _now() < datetime.timedelta(days=RENEW_DAYS):
        return None
    return cert, key


def _issue_ca(plan: Plan, key: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name(plan))])
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _issue_server(ca: tuple[Any, Any], dns: list[str], key: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_cert, ca_key = ca
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name(dns))]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALIDITY_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def sans(cert: Any) -> list[str]:
    from cryptography import x509

    return list(
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    )


def _signed_by(cert: Any, ca_cert: Any) -> bool:
    try:
        cert.verify_directly_issued_by(ca_cert)
    except Exception:  # a wrong issuer (ValueError), signature (InvalidSignature) or key type (TypeError)
        return False
    return True


def material(plan: Plan, kept: dict[str, str] | None = None) -> dict[str, str]:
    """TLS_SECRET's values: the kept CA and certificates where they are still good (parse, match
    their keys, valid for RENEW_DAYS more; a server certificate also signed by the CA and naming
    exactly the stand-in's DNS names), new ones otherwise. A server's kept key is reused when its
    certificate is issued anew."""
    from cryptography.hazmat.primitives import serialization

    kept = kept or {}
    stand_ins = tls_stand_ins(plan)
    if not stand_ins:
        return {}
    ca = _load(kept.get(CA_CERT), kept.get(CA_KEY))
    fresh_ca = ca is None
    if ca is None:
        key = _new_key()
        ca = (_issue_ca(plan, key), key)
    values = {CA_CERT: _pem(_cert_pem(ca[0])), CA_KEY: _pem(_key_pem(ca[1]))}
    if not fresh_ca:
        values = {CA_CERT: kept[CA_CERT], CA_KEY: kept[CA_KEY]}
    for name, stateful in stand_ins:
        wanted = dns_names(plan, name, stateful)
        server = _load(kept.get(cert_key(name)), kept.get(key_key(name)))
        if server is not None and not fresh_ca and _signed_by(server[0], ca[0]) and sans(server[0]) == wanted:
            values[cert_key(name)], values[key_key(name)] = kept[cert_key(name)], kept[key_key(name)]
            continue
        key = None
        try:
            if kept.get(key_key(name)):
                key = serialization.load_pem_private_key(_unpem(kept[key_key(name)]), password=None)
        except ValueError:
            key = None
        key = key or _new_key()
        values[cert_key(name)] = _pem(_cert_pem(_issue_server(ca, wanted, key)))
        values[key_key(name)] = _pem(_key_pem(key))
    return values


def decoded(value: str) -> bytes:
    """A TLS_SECRET value as the PEM the init container writes."""
    return _unpem(value)


# --- pods -------------------------------------------------------------------------------------------


def source_volume(items: list[tuple[str, str]]) -> dict[str, Any]:
    """TLS_SECRET's `items` (key, file) as a projected volume, read-only to the pod's group."""
    return {
        "name": "tls-source",
        "projected": {
            "defaultMode": 0o440,
            "sources": [{"secret": {"name": TLS_SECRET, "items": [{"key": k, "path": f"{p}.b64"} for k, p in items]}}],
        },
    }


def decode_script(files: list[str], private: tuple[str, ...] = ()) -> str:
    """Shell lines that decode the base64 files into the TLS folder (`private` mode 0600, the rest 0444)."""
    lines = [f"base64 -d {SOURCE_DIR}/{f}.b64 > {TLS_DIR}/{f}" for f in files]
    public = [f for f in files if f not in private]
    if public:
        lines.append("chmod 0444 " + " ".join(f"{TLS_DIR}/{f}" for f in public))
    if private:
        lines.append("chmod 0600 " + " ".join(f"{TLS_DIR}/{f}" for f in private))
    return "\n".join(lines)


def init_container(
    image: str, pull: str, security: dict[str, Any], script: str, extra_mounts: list[dict[str, Any]]
) -> dict[str, Any]:
    """The init container that writes the decoded files (the pod's own or a stand-in's image: a shell
    and base64)."""
    return {
        "name": "tls",
        "image": image,
        "imagePullPolicy": pull,
        "command": ["/bin/sh", "-ec", script],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
        "securityContext": security,
        "volumeMounts": [
            {"name": "tls-source", "mountPath": SOURCE_DIR, "readOnly": True},
            {"name": "tls", "mountPath": TLS_DIR},
            *extra_mounts,
        ],
    }


def tls_volume() -> dict[str, Any]:
    return {"name": "tls", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}


def service_ca_mount() -> dict[str, Any]:
    """Where a service reads the CA: the folder of the contract's CA_FILE."""
    return {"name": "tls", "mountPath": posixpath.dirname(CA_FILE), "readOnly": True}


def ca_file_name() -> str:
    return posixpath.basename(CA_FILE)
