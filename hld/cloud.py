"""The offline cloud: Pulumi mocks backed by moto.

For every AWS resource type the aws target emits, `new_resource` makes the call the
real provider makes (boto3 inside `moto.mock_aws`, in the resource's region), with the
inputs mapped to the API's shape, and returns the state AWS reports (ids, ARNs,
endpoints, zone names), so downstream references carry realistic values. An input AWS
rejects fails the run with the AWS error and the Pulumi resource name.

Where moto lacks an API the nearest faithful equivalent is made, or the resource is
recorded only (inputs echoed, as plain mocks do); `COVERAGE_NOTES` says which, and
`Coverage` counts exercised vs recorded resources by type.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi

from hld.offline import ACCOUNT, EchoMocks

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""How Pulumi marks a secret value on the wire (pulumi.runtime.rpc)."""
Handler = Callable[["MotoMocks", str, dict[str, Any], str], tuple[str, dict[str, Any]]]
HANDLERS: dict[str, Handler] = {}

COVERAGE_NOTES: dict[str, str] = {
    "aws:dynamodb/table:Table": "global table replicas: moto lacks UpdateTable replica updates "
    "(version 2019.11.21); each replica is created as a table in its region, with its KMS key, PITR and "
    "deletion protection",
    "aws:cloudfront/distribution:Distribution": "moto accepts only an origin as a behavior's target: a "
    "behavior aimed at an origin group is created aimed at the group's primary member",
    "aws:cloudfront/cachePolicy:CachePolicy": "recorded only: moto has no CloudFront CreateCachePolicy",
    "aws:backup/selection:Selection": "recorded only: moto has no AWS Backup CreateBackupSelection",
    "aws:acm/certificateValidation:CertificateValidation": "DescribeCertificate only: validation itself "
    "needs DNS resolution, which moto does not do (the certificate stays PENDING_VALIDATION)",
    "aws:elasticache/replicationGroup:ReplicationGroup": "moto sizes a cluster-mode-disabled group from "
    "ReplicasPerNodeGroup, not NumCacheClusters: both are sent (replicas = clusters - 1)",
    "aws:rds/instance:Instance": "cross-region read replicas: the subnet group is set by ModifyDBInstance "
    "after creation (moto looks a replica's subnet group up in the source's region)",
    "aws:route53/record:Record": "the domain's public hosted zone is assumed to exist; moto gets one "
    "created for it on lookup",
}

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "hld-offline",
    "AWS_SECRET_ACCESS_KEY": "hld-offline",
    "AWS_SESSION_TOKEN": "hld-offline",
    "AWS_DEFAULT_REGION": "us-east-1",
    # the aws target launches no EC2 instances: skip moto's ~1,300 default AMIs (0.7 s a run)
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


@dataclass
class Coverage:
    exercised: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.exercised.values()) + sum(self.recorded.values())

    @property
    def percent(self) -> float:
        return 100.0 * sum(self.exercised.values()) / self.total if self.total else 100.0

    def rows(self) -> list[dict[str, Any]]:
        types = sorted(set(self.exercised) | set(self.recorded))
        return [
            {
                "type": t,
                "exercised": self.exercised.get(t, 0),
                "recorded": self.recorded.get(t, 0),
                "note": COVERAGE_NOTES.get(t, ""),
            }
            for t in types
        ]


_CLIENTS: dict[tuple[str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()
_MOTO_LOCK = threading.RLock()
_SESSION: list[Any] = []  # one botocore session: its loader caches the service models


def _client(service: str, region: str) -> Any:
    """One boto3 client per service and region for the process: creating clients is slow, and
    not thread-safe (the mock monitor registers resources from a thread pool). moto intercepts
    every client's requests while a session is up, whenever the client was made."""
    key = (service, region)
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            import boto3
            import botocore
            import botocore.config

            if not _SESSION:
                _SESSION.append(
                    boto3.session.Session(
                        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                        aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
                    )
                )
            # unsigned: moto checks no signature, and SigV4 signing was a tenth of each request's
            # time; moto reads the region from the endpoint, as AWS routes it
            unsigned = botocore.config.Config(signature_version=botocore.UNSIGNED)
            _CLIENTS[key] = _SESSION[0].client(service, region_name=region, config=unsigned)
        return _CLIENTS[key]


class MotoMocks(EchoMocks):
    """Pulumi mocks whose resources are created in moto's AWS."""

    cloud = "moto"

    def __init__(self, stack: str = "stack") -> None:
        super().__init__(stack)
        self.zones: dict[str, str] = {}  # domain -> moto hosted zone id
        self.secrets: set[str] = set()

    def start(self) -> int:
        """A fresh moto AWS for this run."""
        return Session.start()

    # --- plumbing -------------------------------------------------------------------------

    def client(self, service: str, region: str) -> Any:
        return _client(service, region)

    def physical(self, name: str) -> str:
        """A stable token for a resource of this stack (caller references, not names)."""
        return f"{name}-{hashlib.sha1(f'{self.stack}/{name}'.encode()).hexdigest()[:7]}"

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:providers:aws":
            return super().new_resource(args)
        region = self.region_of(args.provider)
        inputs = self.named(typ, name, self._unwrap(inputs), region)
        handler = HANDLERS.get(typ)
        if handler is None:
            rid, state = self.computed(typ, name, inputs, region)
            return rid, {**inputs, **state}
        from botocore.exceptions import ClientError, ParamValidationError

        try:
            with _MOTO_LOCK:  # moto's backends are not thread-safe; the monitor registers from a pool
                rid, state = handler(self, name, inputs, region)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise self.reject(
                f"AWS rejected {typ} {name!r} in {region}: {error.get('Code')}: {error.get('Message')}"
            ) from None
        except (ParamValidationError, KeyError, ValueError) as exc:
            raise self.reject(
                self._redact(f"AWS rejected {typ} {name!r} in {region}: {type(exc).__name__}: {exc}")
            ) from None
        self.exercised[f"{typ}::{name}"] = True
        return rid, {**inputs, **state, "region": region}

    def _unwrap(self, value: Any) -> Any:
        """Secret inputs arrive wrapped ({sig: secret, value: ...}): pass the value to AWS, and
        remember it so no error message repeats it."""
        if isinstance(value, dict):
            if value.get(SIG_KEY) == SECRET_SIG:
                inner = self._unwrap(value.get("value"))
                if isinstance(inner, str) and inner:
                    self.secrets.add(inner)
                return inner
            return {k: self._unwrap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._unwrap(v) for v in value]
        return value

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        with _MOTO_LOCK:
            return self._call(args)

    def _call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "aws:route53/getZone:getZone":
            domain = str(args.args.get("name")).rstrip(".")
            return {"zoneId": self.zone_for(domain), "name": domain}, []
        if args.token == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            sm = self.client("secretsmanager", "us-east-1")
            password = sm.get_random_password(
                PasswordLength=int(args.args.get("passwordLength", 32)),
                ExcludePunctuation=bool(args.args.get("excludePunctuation", False)),
            )["RandomPassword"]
            return {"randomPassword": password}, []
        return super().call(args)

    def zone_for(self, domain: str) -> str:
        """The public hosted zone for `domain` (created in moto: in a real account it exists)."""
        if domain not in self.zones:
            r53 = self.client("route53", "us-east-1")
            found = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == domain]
            zone = found[0] if found else r53.create_hosted_zone(Name=domain, CallerReference=domain)["HostedZone"]
            self.zones[domain] = zone["Id"].split("/")[-1]
        return self.zones[domain]


class _Module:
    """A module seen through a few replaced attributes (the rest are the module's own)."""

    def __init__(self, module: Any, **replaced: Any) -> None:
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


@functools.cache
def _rsa_key(public_exponent: int, key_size: int, backend: Any = None) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=public_exponent, key_size=key_size)


@functools.cache
def _pem_key(data: bytes, password: bytes | None = None, backend: Any = None) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(data, password=password)


@functools.cache
def _method_names(cls: type) -> frozenset[str]:
    import inspect

    return frozenset(name for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction))


@functools.cache
def _quicken_moto() -> None:
    """Three costs moto pays on every request or resource that no check can tell apart, removed
    for moto's own modules only (nothing else in the process sees a change):

    - every KMS key and every ACM certificate gets a fresh 2,048-bit RSA key (about 40 ms
      each, even for symmetric KMS keys), and each certificate's PEM key is parsed and checked
      again (about 35 ms): within this process the key material is generated once and reused;
    - every request lists the response class's methods with `inspect.getmembers` (about 0.7 ms):
      the list is computed once per class.

    Key material never reaches a resource's state or a check; ids, ARNs and every API's
    validation stay moto's own."""
    import cryptography
    import moto.acm.models as acm
    import moto.core.responses as responses
    import moto.kms.utils as kms
    from cryptography.hazmat.primitives import asymmetric, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    fast_rsa = _Module(rsa, generate_private_key=_rsa_key)
    kms.rsa = fast_rsa  # type: ignore[assignment,attr-defined]
    primitives = _Module(cryptography.hazmat.primitives, asymmetric=_Module(asymmetric, rsa=fast_rsa))
    acm.cryptography = _Module(cryptography, hazmat=_Module(cryptography.hazmat, primitives=primitives))  # type: ignore[assignment,attr-defined]
    acm.serialization = _Module(serialization, load_pem_private_key=_pem_key)  # type: ignore[assignment,attr-defined]
    responses.method_names_from_class = _method_names  # type: ignore[assignment,attr-defined]


class Session:
    """The moto AWS of the latest moto-backed run. It stays up after the run, so a test can
    read the state back (`Result.client`), until the next run starts a fresh one or `stop()`.
    While it is up, boto3 in this process talks to moto, with throwaway credentials."""

    mock: Any = None
    generation = 0
    saved: dict[str, str | None] = {}  # noqa: RUF012 (class-level session state)

    @classmethod
    def start(cls) -> int:
        from moto import mock_aws

        cls.stop()
        _quicken_moto()
        cls.saved = {k: os.environ.get(k) for k in CREDENTIALS}
        os.environ.update(CREDENTIALS)
        cls.mock = mock_aws()
        cls.mock.start(reset=True)
        cls.generation += 1
        return cls.generation

    @classmethod
    def stop(cls) -> None:
        if cls.mock is None:
            return
        cls.mock.stop()
        cls.mock = None
        for k, v in cls.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    @classmethod
    def client(cls, generation: int, service: str, region: str) -> Any:
        import boto3

        if cls.mock is None or generation != cls.generation:
            raise RuntimeError(
                "this run's moto state is gone: a newer moto-backed run (or hld.cloud.Session.stop) replaced it; "
                "read the state back before starting the next run"
            )
        return boto3.client(service, region_name=region)


# --- shapes ---------------------------------------------------------------------------------


def tag_list(tags: dict[str, str] | None, key: str = "Key", val: str = "Value") -> list[dict[str, str]]:
    return [{key: k, val: str(v)} for k, v in sorted((tags or {}).items())]


def tag_spec(kind: str, tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": tag_list(tags)}] if tags else []


def pascal(value: Any) -> Any:
    """camelCase keys (Pulumi) -> PascalCase keys (most AWS APIs), recursively."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def num(value: Any) -> int | None:
    return None if value is None else int(value)


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}


def first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


# --- EC2 / VPC ------------------------------------------------------------------------------


@handles("aws:ec2/vpc:Vpc")
def _vpc(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    vpc = ec2.create_vpc(CidrBlock=i["cidrBlock"], TagSpecifications=tag_spec("vpc", i.get("tags")))["Vpc"]
    vid = vpc["VpcId"]
    for attr in ("enableDnsSupport", "enableDnsHostnames"):
        if attr in i:
            ec2.modify_vpc_attribute(VpcId=vid, **{attr[:1].upper() + attr[1:]: {"Value": bool(i[attr])}})
    return vid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:vpc/{vid}", "cidrBlock": vpc["CidrBlock"]}


@handles("aws:ec2/subnet:Subnet")
def _subnet(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    subnet = ec2.create_subnet(
        VpcId=i["vpcId"],
        CidrBlock=i["cidrBlock"],
        **({"AvailabilityZone": i["availabilityZone"]} if i.get("availabilityZone") else {}),
        TagSpecifications=tag_spec("subnet", i.get("tags")),
    )["Subnet"]
    sid = subnet["SubnetId"]
    read = dict(subnet)  # what AWS placed: the zone comes from the response, not the inputs
    if i.get("mapPublicIpOnLaunch"):
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
        read["MapPublicIpOnLaunch"] = True
    return sid, {
        "arn": read.get("SubnetArn", f"arn:aws:ec2:{r}:{ACCOUNT}:subnet/{sid}"),
        "availabilityZone": read["AvailabilityZone"],
        "availabilityZoneId": read.get("AvailabilityZoneId", ""),
        "cidrBlock": read["CidrBlock"],
        "mapPublicIpOnLaunch": read.get("MapPublicIpOnLaunch", False),
    }


@handles("aws:ec2/internetGateway:InternetGateway")
def _igw(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    gid = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", i.get("tags")))["InternetGateway"][
        "InternetGatewayId"
    ]
    if i.get("vpcId"):
        ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=i["vpcId"])
    return gid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:internet-gateway/{gid}"}


@handles("aws:ec2/eip:Eip")
def _eip(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).allocate_address(Domain=i.get("domain", "vpc"))
    return out["AllocationId"], {"allocationId": out["AllocationId"], "publicIp": out["PublicIp"]}


@handles("aws:ec2/natGateway:NatGateway")
def _nat(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    nat = m.client("ec2", r).create_nat_gateway(SubnetId=i["subnetId"], AllocationId=i["allocationId"])["NatGateway"]
    return nat["NatGatewayId"], {"subnetId": nat["SubnetId"]}


@handles("aws:ec2/routeTable:RouteTable")
def _route_table(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    tid = ec2.create_route_table(VpcId=i["vpcId"], TagSpecifications=tag_spec("route-table", i.get("tags")))[
        "RouteTable"
    ]["RouteTableId"]
    for route in i.get("routes") or []:
        ec2.create_route(RouteTableId=tid, **_route_target(route))
    return tid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:route-table/{tid}"}


def _route_target(route: dict[str, Any]) -> dict[str, Any]:
    keys = {
        "cidrBlock": "DestinationCidrBlock",
        "destinationCidrBlock": "DestinationCidrBlock",
        "gatewayId": "GatewayId",
        "natGatewayId": "NatGatewayId",
        "vpcPeeringConnectionId": "VpcPeeringConnectionId",
    }
    return {api: route[k] for k, api in keys.items() if route.get(k)}


@handles("aws:ec2/route:Route")
def _route(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("ec2", r).create_route(RouteTableId=i["routeTableId"], **_route_target(i))
    return f"r-{i['routeTableId']}{abs(hash(i.get('destinationCidrBlock'))) % 10**9}", {}


@handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).associate_route_table(SubnetId=i["subnetId"], RouteTableId=i["routeTableId"])
    return out["AssociationId"], {}


@handles("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
def _peering(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    pcx = m.client("ec2", r).create_vpc_peering_connection(
        VpcId=i["vpcId"],
        PeerVpcId=i["peerVpcId"],
        **({"PeerRegion": i["peerRegion"]} if i.get("peerRegion") else {}),
        TagSpecifications=tag_spec("vpc-peering-connection", i.get("tags")),
    )["VpcPeeringConnection"]
    return pcx["VpcPeeringConnectionId"], {"acceptStatus": pcx["Status"]["Code"]}


@handles("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
def _peering_accept(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    pcx = m.client("ec2", r).accept_vpc_peering_connection(VpcPeeringConnectionId=i["vpcPeeringConnectionId"])[
        "VpcPeeringConnection"
    ]
    return pcx["VpcPeeringConnectionId"], {"acceptStatus": pcx["Status"]["Code"]}


@handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    gid = ec2.create_security_group(
        GroupName=i["name"],
        Description=i.get("description") or "Managed by Pulumi",
        VpcId=i["vpcId"],
        TagSpecifications=tag_spec("security-group", i.get("tags")),
    )["GroupId"]
    # as the provider does: a group declared without egress rules keeps none of AWS's default one
    ec2.revoke_security_group_egress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return gid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group/{gid}", "name": i.get("name") or gid}


def _permission(i: dict[str, Any]) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": i["ipProtocol"]}
    if i.get("fromPort") is not None:
        perm |= {"FromPort": int(i["fromPort"]), "ToPort": int(i["toPort"])}
    if i.get("referencedSecurityGroupId"):
        perm["UserIdGroupPairs"] = [
            {"GroupId": i["referencedSecurityGroupId"], "Description": i.get("description", "")}
        ]
    if i.get("cidrIpv4"):
        perm["IpRanges"] = [{"CidrIp": i["cidrIpv4"], "Description": i.get("description", "")}]
    return perm


@handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _ingress(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).authorize_security_group_ingress(
        GroupId=i["securityGroupId"], IpPermissions=[_permission(i)]
    )
    rule = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule, {"securityGroupRuleId": rule, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group-rule/{rule}"}


@handles("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _egress(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).authorize_security_group_egress(
        GroupId=i["securityGroupId"], IpPermissions=[_permission(i)]
    )
    rule = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule, {"securityGroupRuleId": rule, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group-rule/{rule}"}


# --- KMS, IAM, Secrets Manager, logs ---------------------------------------------------------


@handles("aws:kms/key:Key")
def _key(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    kms = m.client("kms", r)
    meta = kms.create_key(
        Description=i.get("description", ""), **drop_none({"Tags": tag_list(i.get("tags"), "TagKey", "TagValue")})
    )["KeyMetadata"]
    if i.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    rotation = kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"]
    return meta["KeyId"], {"arn": meta["Arn"], "keyId": meta["KeyId"], "enableKeyRotation": rotation}


@handles("aws:kms/alias:Alias")
def _alias(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    alias = i["name"] if i["name"].startswith("alias/") else f"alias/{i['name']}"
    m.client("kms", r).create_alias(AliasName=alias, TargetKeyId=i["targetKeyId"])
    return alias, {"arn": f"arn:aws:kms:{r}:{ACCOUNT}:{alias}", "name": alias}


@handles("aws:iam/role:Role")
def _role(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    role_name = i["name"]
    role = m.client("iam", "us-east-1").create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=i["assumeRolePolicy"],
        **drop_none({"Tags": tag_list(i.get("tags"))}),
    )["Role"]
    return role_name, {"arn": role["Arn"], "name": role_name, "uniqueId": role["RoleId"]}


@handles("aws:iam/rolePolicy:RolePolicy")
def _role_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    policy = i["name"]
    m.client("iam", "us-east-1").put_role_policy(RoleName=i["role"], PolicyName=policy, PolicyDocument=i["policy"])
    return f"{i['role']}:{policy}", {"name": policy}


@handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _attachment(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    iam = m.client("iam", "us-east-1")
    if i["policyArn"].startswith("arn:aws:iam::aws:policy/"):
        _aws_managed_policy(i["policyArn"])
    iam.attach_role_policy(RoleName=i["role"], PolicyArn=i["policyArn"])
    return f"{i['role']}-{m.physical(name)}", {}


def _aws_managed_policy(arn: str) -> None:
    """Load one AWS managed policy into moto (loading all of them costs ~1.5 s per run)."""
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[ACCOUNT]["global"]
    if arn in backend.managed_policies:
        return
    data = _managed_policies().get(arn.rsplit("/", 1)[-1])
    if data is not None:
        policy = AWSManagedPolicy.from_data(arn.rsplit("/", 1)[-1], ACCOUNT, "us-east-1", data)
        backend.managed_policies[policy.arn] = policy


@functools.cache
def _managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return dict(json.loads(aws_managed_policies_data))


@handles("aws:secretsmanager/secret:Secret")
def _secret(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("secretsmanager", r).create_secret(
        Name=i["name"],
        **drop_none({"Description": i.get("description"), "KmsKeyId": i.get("kmsKeyId")}),
    )
    return out["ARN"], {"arn": out["ARN"], "name": out["Name"]}


@handles("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    value = i.get("secretStringWo") or i.get("secretString") or ""
    out = m.client("secretsmanager", r).put_secret_value(SecretId=i["secretId"], SecretString=value)
    state = {"arn": out["ARN"], "versionId": out["VersionId"]}
    return f"{out['ARN']}|{out['VersionId']}", state | {"secretStringWo": None}  # write-only: never in state


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    logs = m.client("logs", r)
    group = i["name"]
    logs.create_log_group(logGroupName=group, **drop_none({"kmsKeyId": i.get("kmsKeyId")}))
    if i.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=group, retentionInDays=int(i["retentionInDays"]))
    read = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    return group, {"arn": read["arn"].removesuffix(":*"), "name": group, "kmsKeyId": read.get("kmsKeyId")}


# --- load balancing, ECS, service discovery, autoscaling -------------------------------------


def _actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, a in enumerate(actions):
        action: dict[str, Any] = {"Type": a["type"], "Order": n + 1}
        if a.get("targetGroupArn"):
            action["TargetGroupArn"] = a["targetGroupArn"]
        if a.get("redirect"):
            action["RedirectConfig"] = pascal(first(a["redirect"]))
        if a.get("fixedResponse"):
            action["FixedResponseConfig"] = pascal(first(a["fixedResponse"]))
        out.append(action)
    return out


@handles("aws:lb/loadBalancer:LoadBalancer")
def _alb(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    elb = m.client("elbv2", r)
    lb = elb.create_load_balancer(
        Name=i["name"],
        Subnets=i["subnets"],
        SecurityGroups=i.get("securityGroups") or [],
        Scheme="internal" if i.get("internal") else "internet-facing",
        Type=i.get("loadBalancerType", "application"),
        **drop_none({"Tags": tag_list(i.get("tags"))}),
    )["LoadBalancers"][0]
    attributes = {
        "deletion_protection.enabled": i.get("enableDeletionProtection"),
        "routing.http.drop_invalid_header_fields.enabled": i.get("dropInvalidHeaderFields"),
        "idle_timeout.timeout_seconds": num(i.get("idleTimeout")),
    }
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": k, "Value": str(v).lower()} for k, v in attributes.items() if v is not None],
    )
    read = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    arn = lb["LoadBalancerArn"]
    return arn, {
        "arn": arn,
        "arnSuffix": arn.split(":loadbalancer/", 1)[-1],
        "dnsName": lb["DNSName"],
        "zoneId": lb["CanonicalHostedZoneId"],
        "name": lb["LoadBalancerName"],
        "enableDeletionProtection": read.get("deletion_protection.enabled") == "true",
        "availabilityZones": sorted(z["ZoneName"] for z in lb.get("AvailabilityZones", [])),
    }


@handles("aws:lb/targetGroup:TargetGroup")
def _target_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    hc = first(i.get("healthCheck")) or {}
    tg = m.client("elbv2", r).create_target_group(
        Name=i["name"],
        Protocol=i.get("protocol", "HTTP"),
        Port=int(i["port"]),
        VpcId=i["vpcId"],
        TargetType=i.get("targetType", "instance"),
        **drop_none(
            {
                "HealthCheckPath": hc.get("path"),
                "HealthCheckIntervalSeconds": num(hc.get("interval")),
                "HealthyThresholdCount": num(hc.get("healthyThreshold")),
                "UnhealthyThresholdCount": num(hc.get("unhealthyThreshold")),
                "Matcher": {"HttpCode": hc["matcher"]} if hc.get("matcher") else None,
            }
        ),
    )["TargetGroups"][0]
    arn = tg["TargetGroupArn"]
    return arn, {"arn": arn, "arnSuffix": arn.split(":", 5)[-1], "name": tg["TargetGroupName"]}


@handles("aws:lb/listener:Listener")
def _listener(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    lst = m.client("elbv2", r).create_listener(
        LoadBalancerArn=i["loadBalancerArn"],
        Protocol=i.get("protocol", "HTTP"),
        Port=int(i["port"]),
        DefaultActions=_actions(i.get("defaultActions") or []),
        **drop_none(
            {
                "SslPolicy": i.get("sslPolicy"),
                "Certificates": [{"CertificateArn": i["certificateArn"]}] if i.get("certificateArn") else None,
            }
        ),
    )["Listeners"][0]
    return lst["ListenerArn"], {"arn": lst["ListenerArn"], "sslPolicy": lst.get("SslPolicy")}


@handles("aws:lb/listenerRule:ListenerRule")
def _listener_rule(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    conditions = []
    for c in i.get("conditions") or []:
        if c.get("pathPattern"):
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": c["pathPattern"]["values"]}})
        if c.get("hostHeader"):
            conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": c["hostHeader"]["values"]}})
    rule = m.client("elbv2", r).create_rule(
        ListenerArn=i["listenerArn"],
        Priority=int(i["priority"]),
        Conditions=conditions,
        Actions=_actions(i.get("actions") or []),
    )["Rules"][0]
    return rule["RuleArn"], {"arn": rule["RuleArn"]}


@handles("aws:acm/certificate:Certificate")
def _certificate(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    acm = m.client("acm", r)
    arn = acm.request_certificate(
        DomainName=i["domainName"],
        ValidationMethod=i.get("validationMethod", "DNS"),
        **drop_none({"SubjectAlternativeNames": i.get("subjectAlternativeNames")}),
    )["CertificateArn"]
    cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    options = [
        {
            "domainName": o["DomainName"],
            "resourceRecordName": o["ResourceRecord"]["Name"],
            "resourceRecordType": o["ResourceRecord"]["Type"],
            "resourceRecordValue": o["ResourceRecord"]["Value"],
        }
        for o in cert.get("DomainValidationOptions", [])
        if o.get("ResourceRecord")
    ]
    return arn, {"arn": arn, "domainValidationOptions": options, "status": cert["Status"]}


@handles("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cert = m.client("acm", r).describe_certificate(CertificateArn=i["certificateArn"])["Certificate"]
    return f"{cert['CertificateArn']}-validation", {"certificateArn": cert["CertificateArn"]}


@handles("aws:ecs/cluster:Cluster")
def _ecs_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cluster = m.client("ecs", r).create_cluster(
        clusterName=i["name"],
        settings=[{"name": s["name"], "value": s["value"]} for s in i.get("settings") or []],
    )["cluster"]
    return cluster["clusterArn"], {"arn": cluster["clusterArn"], "name": cluster["clusterName"]}


@handles("aws:ecs/taskDefinition:TaskDefinition")
def _task_definition(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    task = m.client("ecs", r).register_task_definition(
        family=i["family"],
        containerDefinitions=json.loads(i["containerDefinitions"]),
        **drop_none(
            {
                "cpu": i.get("cpu"),
                "memory": i.get("memory"),
                "networkMode": i.get("networkMode"),
                "requiresCompatibilities": i.get("requiresCompatibilities"),
                "executionRoleArn": i.get("executionRoleArn"),
                "taskRoleArn": i.get("taskRoleArn"),
                "volumes": [{"name": v["name"]} for v in i.get("volumes") or []],
                "runtimePlatform": pascal_lower(i.get("runtimePlatform")),
            }
        ),
    )["taskDefinition"]
    arn = task["taskDefinitionArn"]
    return arn, {"arn": arn, "revision": task["revision"], "arnWithoutRevision": arn.rsplit(":", 1)[0]}


def pascal_lower(value: Any) -> Any:
    """ECS speaks camelCase like Pulumi: nested blocks pass through (floats -> ints)."""
    if isinstance(value, dict):
        return {k: pascal_lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_lower(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@handles("aws:ecs/service:Service")
def _ecs_service(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    net = first(i.get("networkConfiguration")) or {}
    service = m.client("ecs", r).create_service(
        cluster=i["cluster"],
        serviceName=i["name"],
        taskDefinition=i["taskDefinition"],
        desiredCount=int(i.get("desiredCount", 1)),
        **drop_none(
            {
                "launchType": i.get("launchType"),
                "platformVersion": i.get("platformVersion"),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": net.get("subnets", []),
                        "securityGroups": net.get("securityGroups", []),
                        "assignPublicIp": "ENABLED" if net.get("assignPublicIp") else "DISABLED",
                    }
                }
                if net
                else None,
                "loadBalancers": pascal_lower(i.get("loadBalancers")),
                "serviceRegistries": pascal_lower([first(i["serviceRegistries"])])
                if i.get("serviceRegistries")
                else None,
                "deploymentConfiguration": drop_none(
                    {
                        "maximumPercent": num(i.get("deploymentMaximumPercent")),
                        "minimumHealthyPercent": num(i.get("deploymentMinimumHealthyPercent")),
                    }
                ),
            }
        ),
    )["service"]
    read = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    return service["serviceArn"], {
        "arn": service["serviceArn"],
        "name": service["serviceName"],
        "networkConfiguration": {
            "subnets": read.get("subnets", []),
            "securityGroups": read.get("securityGroups", []),
            "assignPublicIp": read.get("assignPublicIp") == "ENABLED",
        },
    }


@handles("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _namespace(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    sd = m.client("servicediscovery", r)
    sd.create_private_dns_namespace(Name=i["name"], Vpc=i["vpc"], Description=i.get("description", ""))
    found = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == i["name"]]
    ns = sorted(found, key=lambda n: n.get("CreateDate", 0))[-1]
    return ns["Id"], {
        "arn": ns["Arn"],
        "hostedZone": ns.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId", ""),
    }


@handles("aws:servicediscovery/service:Service")
def _discovery_service(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    dns = first(i.get("dnsConfig")) or {}
    svc = m.client("servicediscovery", r).create_service(
        Name=i["name"],
        DnsConfig={
            "NamespaceId": dns["namespaceId"],
            "RoutingPolicy": dns.get("routingPolicy", "MULTIVALUE"),
            "DnsRecords": [{"Type": d["type"], "TTL": int(d["ttl"])} for d in dns.get("dnsRecords", [])],
        },
        HealthCheckCustomConfig={"FailureThreshold": 1},
    )["Service"]
    return svc["Id"], {"arn": svc["Arn"]}


@handles("aws:appautoscaling/target:Target")
def _scaling_target(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("application-autoscaling", r).register_scalable_target(
        ServiceNamespace=i["serviceNamespace"],
        ResourceId=i["resourceId"],
        ScalableDimension=i["scalableDimension"],
        MinCapacity=int(i["minCapacity"]),
        MaxCapacity=int(i["maxCapacity"]),
    )
    return f"{i['serviceNamespace']}/{i['resourceId']}", {}


@handles("aws:appautoscaling/policy:Policy")
def _scaling_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    config = pascal(first(i.get("targetTrackingScalingPolicyConfiguration")) or {})
    spec = config.get("PredefinedMetricSpecification")
    if isinstance(spec, list):
        config["PredefinedMetricSpecification"] = first(spec)
    policy_name = i.get("name") or name
    out = m.client("application-autoscaling", r).put_scaling_policy(
        PolicyName=policy_name,
        ServiceNamespace=i["serviceNamespace"],
        ResourceId=i["resourceId"],
        ScalableDimension=i["scalableDimension"],
        PolicyType=i.get("policyType", "TargetTrackingScaling"),
        TargetTrackingScalingPolicyConfiguration=config,
    )
    return policy_name, {"arn": out["PolicyARN"], "name": policy_name}


# --- data stores -----------------------------------------------------------------------------


@handles("aws:sqs/queue:Queue")
def _queue(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    sqs = m.client("sqs", r)
    fifo = bool(i.get("fifoQueue"))
    queue_name = i["name"] if i["name"].endswith(".fifo") or not fifo else f"{i['name']}.fifo"
    keys = {
        "delaySeconds": "DelaySeconds",
        "messageRetentionSeconds": "MessageRetentionPeriod",
        "visibilityTimeoutSeconds": "VisibilityTimeout",
        "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
        "maxMessageSize": "MaximumMessageSize",
        "kmsMasterKeyId": "KmsMasterKeyId",
        "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
        "redrivePolicy": "RedrivePolicy",
        "fifoQueue": "FifoQueue",
        "contentBasedDeduplication": "ContentBasedDeduplication",
    }
    attributes = {
        api: (str(v).lower() if isinstance(v, bool) else str(int(v)) if isinstance(v, float) else str(v))
        for k, api in keys.items()
        if (v := i.get(k)) not in (None, "")
    }
    url = sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
    read = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return url, {
        "arn": read["QueueArn"],
        "url": url,
        "name": queue_name,
        "kmsMasterKeyId": read.get("KmsMasterKeyId"),
        "redrivePolicy": read.get("RedrivePolicy"),
    }


@handles("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
def _redrive_allow(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("sqs", r).set_queue_attributes(
        QueueUrl=i["queueUrl"], Attributes={"RedriveAllowPolicy": i["redriveAllowPolicy"]}
    )
    return i["queueUrl"], {}


@handles("aws:s3/bucket:Bucket")
def _bucket(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    bucket = i["bucket"]
    extra = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
    m.client("s3", r).create_bucket(Bucket=bucket, **extra)
    return bucket, {
        "arn": f"arn:aws:s3:::{bucket}",
        "bucket": bucket,
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{r}.amazonaws.com",
        "region": r,
    }


@handles("aws:s3/bucketVersioning:BucketVersioning")
def _versioning(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    status = first(i["versioningConfiguration"])["status"]
    m.client("s3", r).put_bucket_versioning(Bucket=i["bucket"], VersioningConfiguration={"Status": status})
    return i["bucket"], {}


@handles("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
def _encryption(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        default = first(rule.get("applyServerSideEncryptionByDefault")) or {}
        rules.append(
            drop_none(
                {
                    "ApplyServerSideEncryptionByDefault": drop_none(
                        {"SSEAlgorithm": default.get("sseAlgorithm"), "KMSMasterKeyID": default.get("kmsMasterKeyId")}
                    ),
                    "BucketKeyEnabled": rule.get("bucketKeyEnabled"),
                }
            )
        )
    s3 = m.client("s3", r)
    s3.put_bucket_encryption(Bucket=i["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    read = s3.get_bucket_encryption(Bucket=i["bucket"])["ServerSideEncryptionConfiguration"]["Rules"]
    return i["bucket"], {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": x["ApplyServerSideEncryptionByDefault"].get("SSEAlgorithm"),
                    "kmsMasterKeyId": x["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID"),
                },
                "bucketKeyEnabled": x.get("BucketKeyEnabled", False),
            }
            for x in read
        ]
    }


@handles("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
def _public_access(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    s3 = m.client("s3", r)
    keys = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    s3.put_public_access_block(
        Bucket=i["bucket"],
        PublicAccessBlockConfiguration={
            ("BlockPublicAcls" if k == "blockPublicAcls" else k[:1].upper() + k[1:]): bool(i.get(k)) for k in keys
        },
    )
    read = s3.get_public_access_block(Bucket=i["bucket"])["PublicAccessBlockConfiguration"]
    return i["bucket"], {k: read[k[:1].upper() + k[1:]] for k in keys}


@handles("aws:s3/bucketPolicy:BucketPolicy")
def _bucket_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    s3 = m.client("s3", r)
    s3.put_bucket_policy(Bucket=i["bucket"], Policy=i["policy"])
    return i["bucket"], {"policy": s3.get_bucket_policy(Bucket=i["bucket"])["Policy"]}


@handles("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def _ownership(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rule = first(i["rule"])
    m.client("s3", r).put_bucket_ownership_controls(
        Bucket=i["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": rule["objectOwnership"]}]}
    )
    return i["bucket"], {}


@handles("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
def _replication(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        dest = first(rule["destination"])
        rules.append(
            drop_none(
                {
                    "ID": rule.get("id"),
                    "Priority": num(rule.get("priority")),
                    "Status": rule["status"],
                    "Filter": {"Prefix": (first(rule.get("filter")) or {}).get("prefix", "")},
                    "DeleteMarkerReplication": pascal(first(rule.get("deleteMarkerReplication"))),
                    "SourceSelectionCriteria": pascal(first(rule.get("sourceSelectionCriteria"))),
                    "Destination": drop_none(
                        {
                            "Bucket": dest["bucket"],
                            "EncryptionConfiguration": {
                                "ReplicaKmsKeyID": first(dest["encryptionConfiguration"])["replicaKmsKeyId"]
                            }
                            if dest.get("encryptionConfiguration")
                            else None,
                            "ReplicationTime": pascal(first(dest.get("replicationTime"))),
                            "Metrics": pascal(first(dest.get("metrics"))),
                        }
                    ),
                }
            )
        )
    m.client("s3", r).put_bucket_replication(
        Bucket=i["bucket"], ReplicationConfiguration={"Role": i["role"], "Rules": rules}
    )
    return i["bucket"], {}


@handles("aws:dynamodb/table:Table")
def _table(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    table_name = i["name"]
    key_schema = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
    if i.get("rangeKey"):
        key_schema.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
    sse = first(i.get("serverSideEncryption")) or {}

    def create(region: str, kms: str | None, pitr: bool, protect: bool) -> dict[str, Any]:
        ddb = m.client("dynamodb", region)
        desc = ddb.create_table(
            TableName=table_name,
            AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in i["attributes"]],
            KeySchema=key_schema,
            BillingMode=i.get("billingMode", "PAY_PER_REQUEST"),
            DeletionProtectionEnabled=protect,
            **drop_none(
                {
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": i["streamViewType"]}
                    if i.get("streamEnabled")
                    else None,
                    "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms} if kms else None,
                    "Tags": tag_list(i.get("tags")) or None,
                }
            ),
        )["TableDescription"]
        if pitr:
            ddb.update_continuous_backups(
                TableName=table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        ttl = first(i.get("ttl"))
        if ttl and ttl.get("enabled"):
            ddb.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]}
            )
        return dict(desc)

    desc = create(
        r,
        sse.get("kmsKeyArn") if sse.get("enabled") else None,
        bool((first(i.get("pointInTimeRecovery")) or {}).get("enabled")),
        bool(i.get("deletionProtectionEnabled")),
    )
    replicas = []
    for replica in i.get("replicas") or []:
        region = replica["regionName"]
        created = create(
            region,
            replica.get("kmsKeyArn"),
            bool(replica.get("pointInTimeRecovery")),
            bool(replica.get("deletionProtectionEnabled", i.get("deletionProtectionEnabled"))),
        )
        replicas.append({**replica, "arn": created["TableArn"]})
    ddb = m.client("dynamodb", r)
    read = ddb.describe_table(TableName=table_name)["Table"]
    backups = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    sse_read = read.get("SSEDescription", {})
    return table_name, {
        "arn": desc["TableArn"],
        "name": table_name,
        "streamArn": read.get("LatestStreamArn", ""),
        "replicas": replicas,
        "pointInTimeRecovery": {"enabled": pitr},
        "deletionProtectionEnabled": read.get("DeletionProtectionEnabled", False),
        "serverSideEncryption": {
            "enabled": sse_read.get("Status") == "ENABLED",
            "kmsKeyArn": sse_read.get("KMSMasterKeyArn"),
        },
    }


@handles("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnets(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    group = i["name"]
    m.client("elasticache", r).create_cache_subnet_group(
        CacheSubnetGroupName=group,
        CacheSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )
    return group, {"name": group, "arn": f"arn:aws:elasticache:{r}:{ACCOUNT}:subnetgroup:{group}"}


@handles("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec = m.client("elasticache", r)
    group_id = i["replicationGroupId"]
    group = ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription=i.get("description", ""),
        **drop_none(
            {
                "Engine": i.get("engine"),
                "EngineVersion": i.get("engineVersion"),
                "CacheNodeType": i.get("nodeType"),
                "NumCacheClusters": num(i.get("numCacheClusters")),
                # moto sizes a cluster-mode-disabled group from ReplicasPerNodeGroup only
                "ReplicasPerNodeGroup": int(i["numCacheClusters"]) - 1 if i.get("numCacheClusters") else None,
                "PreferredCacheClusterAZs": i.get("preferredCacheClusterAzs"),
                "AutomaticFailoverEnabled": i.get("automaticFailoverEnabled"),
                "MultiAZEnabled": i.get("multiAzEnabled"),
                "CacheSubnetGroupName": i.get("subnetGroupName"),
                "SecurityGroupIds": i.get("securityGroupIds"),
                "AtRestEncryptionEnabled": i.get("atRestEncryptionEnabled"),
                "TransitEncryptionEnabled": i.get("transitEncryptionEnabled"),
                "KmsKeyId": i.get("kmsKeyId"),
                "Port": num(i.get("port")),
                "SnapshotRetentionLimit": num(i.get("snapshotRetentionLimit")),
            }
        ),
    )["ReplicationGroup"]
    read = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    groups = read.get("NodeGroups") or [{}]
    primary = groups[0].get("PrimaryEndpoint", {}).get("Address") or f"master.{group_id}.cache.amazonaws.com"
    reader = groups[0].get("ReaderEndpoint", {}).get("Address") or f"replica.{group_id}.cache.amazonaws.com"
    zones = sorted(
        {
            mem.get("PreferredAvailabilityZone")
            for mem in groups[0].get("NodeGroupMembers", [])
            if mem.get("PreferredAvailabilityZone")
        }
    )
    return group_id, {
        "arn": group.get("ARN", f"arn:aws:elasticache:{r}:{ACCOUNT}:replicationgroup:{group_id}"),
        "primaryEndpointAddress": primary,
        "readerEndpointAddress": reader,
        "memberClusters": read.get("MemberClusters", []),
        "multiAzEnabled": read.get("MultiAZ") == "enabled",
        "automaticFailoverEnabled": read.get("AutomaticFailover") == "enabled",
        "atRestEncryptionEnabled": read.get("AtRestEncryptionEnabled", False),
        "transitEncryptionEnabled": read.get("TransitEncryptionEnabled", False),
        "memberZones": zones,
    }


@handles("aws:rds/subnetGroup:SubnetGroup")
def _db_subnets(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    group = i["name"]
    out = m.client("rds", r).create_db_subnet_group(
        DBSubnetGroupName=group,
        DBSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )["DBSubnetGroup"]
    return group, {"name": group, "arn": out["DBSubnetGroupArn"]}


@handles("aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup")
def _db_parameters(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    group = i["name"]
    params = [
        {"ParameterName": p["name"], "ParameterValue": p["value"], "ApplyMethod": p.get("applyMethod", "immediate")}
        for p in i.get("parameters") or []
    ]
    description = i.get("description", "Managed by Pulumi")
    if i.get("family", "").startswith("aurora"):
        arn = rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=group, DBParameterGroupFamily=i["family"], Description=description
        )["DBClusterParameterGroup"]["DBClusterParameterGroupArn"]
        if params:
            rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=params)
    else:
        arn = rds.create_db_parameter_group(
            DBParameterGroupName=group, DBParameterGroupFamily=i["family"], Description=description
        )["DBParameterGroup"]["DBParameterGroupArn"]
        if params:
            rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=params)
    return group, {"name": group, "arn": arn}


def _instance_state(d: dict[str, Any]) -> dict[str, Any]:
    secret = d.get("MasterUserSecret")
    return {
        "arn": d["DBInstanceArn"],
        "identifier": d["DBInstanceIdentifier"],
        "resourceId": d.get("DbiResourceId", ""),
        "address": d.get("Endpoint", {}).get("Address", ""),
        "endpoint": f"{d.get('Endpoint', {}).get('Address', '')}:{d.get('Endpoint', {}).get('Port', 5432)}",
        "availabilityZone": d.get("AvailabilityZone"),
        "multiAz": d.get("MultiAZ", False),
        "storageEncrypted": d.get("StorageEncrypted", False),
        "kmsKeyId": d.get("KmsKeyId"),
        "publiclyAccessible": d.get("PubliclyAccessible", False),
        "deletionProtection": d.get("DeletionProtection", False),
        "backupRetentionPeriod": d.get("BackupRetentionPeriod", 0),
        "replicateSourceDb": d.get("ReadReplicaSourceDBInstanceIdentifier"),
        "masterUserSecrets": [
            {
                "secretArn": secret["SecretArn"],
                "kmsKeyId": secret.get("KmsKeyId"),
                "secretStatus": secret.get("SecretStatus"),
            }
        ]
        if secret
        else [],
    }


@handles("aws:rds/instance:Instance")
def _db_instance(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    identifier = i["identifier"]
    common = drop_none(
        {
            "DBInstanceClass": i.get("instanceClass"),
            "AvailabilityZone": i.get("availabilityZone"),
            "MultiAZ": i.get("multiAz"),
            "KmsKeyId": i.get("kmsKeyId"),
            "PubliclyAccessible": i.get("publiclyAccessible"),
            "DeletionProtection": i.get("deletionProtection"),
            "DBParameterGroupName": i.get("parameterGroupName"),
            "VpcSecurityGroupIds": i.get("vpcSecurityGroupIds"),
            "CopyTagsToSnapshot": i.get("copyTagsToSnapshot"),
            "AutoMinorVersionUpgrade": i.get("autoMinorVersionUpgrade"),
            "EnablePerformanceInsights": i.get("performanceInsightsEnabled"),
            "Tags": tag_list(i.get("tags")) or None,
        }
    )
    source = i.get("replicateSourceDb")
    if source:
        cross_region = source.startswith("arn:") and f":{r}:" not in source
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=identifier, SourceDBInstanceIdentifier=source, **common
        )
        # moto resolves a replica's subnet group in the source's region: set it (and the
        # backups a replica keeps once promoted) with ModifyDBInstance, as a second call
        d = rds.modify_db_instance(
            DBInstanceIdentifier=identifier,
            ApplyImmediately=True,
            **drop_none(
                {
                    "DBSubnetGroupName": i.get("dbSubnetGroupName") if cross_region else None,
                    "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                }
            ),
        )["DBInstance"]
    else:
        d = rds.create_db_instance(
            DBInstanceIdentifier=identifier,
            Engine=i.get("engine", "postgres"),
            **common,
            **drop_none(
                {
                    "EngineVersion": i.get("engineVersion"),
                    "AllocatedStorage": num(i.get("allocatedStorage")),
                    "MaxAllocatedStorage": num(i.get("maxAllocatedStorage")),
                    "StorageType": i.get("storageType"),
                    "StorageEncrypted": i.get("storageEncrypted"),
                    "DBSubnetGroupName": i.get("dbSubnetGroupName"),
                    "MasterUsername": i.get("username"),
                    "MasterUserPassword": i.get("password"),
                    "ManageMasterUserPassword": i.get("manageMasterUserPassword"),
                    "MasterUserSecretKmsKeyId": i.get("masterUserSecretKmsKeyId"),
                    "DBName": i.get("dbName"),
                    "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                }
            ),
        )["DBInstance"]
    return identifier, _instance_state(d)


@handles("aws:rds/globalCluster:GlobalCluster")
def _global_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ident = i["globalClusterIdentifier"]
    out = m.client("rds", r).create_global_cluster(
        GlobalClusterIdentifier=ident,
        **drop_none(
            {
                "Engine": i.get("engine"),
                "EngineVersion": i.get("engineVersion"),
                "StorageEncrypted": i.get("storageEncrypted"),
                "DeletionProtection": i.get("deletionProtection"),
                "DatabaseName": i.get("databaseName"),
            }
        ),
    )["GlobalCluster"]
    return ident, {"arn": out["GlobalClusterArn"], "globalClusterIdentifier": ident}


@handles("aws:rds/cluster:Cluster")
def _db_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    ident = i["clusterIdentifier"]
    c = rds.create_db_cluster(
        DBClusterIdentifier=ident,
        Engine=i.get("engine", "aurora-postgresql"),
        **drop_none(
            {
                "EngineVersion": i.get("engineVersion"),
                "MasterUsername": i.get("masterUsername"),
                "ManageMasterUserPassword": i.get("manageMasterUserPassword"),
                "MasterUserPassword": i.get("masterPasswordWo") or i.get("masterPassword"),
                "DatabaseName": i.get("databaseName"),
                "DBSubnetGroupName": i.get("dbSubnetGroupName"),
                "VpcSecurityGroupIds": i.get("vpcSecurityGroupIds"),
                "DBClusterParameterGroupName": i.get("dbClusterParameterGroupName"),
                "StorageEncrypted": i.get("storageEncrypted"),
                "KmsKeyId": i.get("kmsKeyId"),
                "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                "DeletionProtection": i.get("deletionProtection"),
                "CopyTagsToSnapshot": i.get("copyTagsToSnapshot"),
                "EnableCloudwatchLogsExports": i.get("enabledCloudwatchLogsExports"),
                "GlobalClusterIdentifier": i.get("globalClusterIdentifier"),
            }
        ),
    )["DBCluster"]
    secret = c.get("MasterUserSecret")
    return ident, {
        "arn": c["DBClusterArn"],
        "clusterIdentifier": ident,
        "endpoint": c.get("Endpoint", ""),
        "readerEndpoint": c.get("ReaderEndpoint", ""),
        "storageEncrypted": c.get("StorageEncrypted", False),
        "kmsKeyId": c.get("KmsKeyId"),
        "deletionProtection": c.get("DeletionProtection", False),
        "backupRetentionPeriod": c.get("BackupRetentionPeriod", 0),
        "masterUserSecrets": [{"secretArn": secret["SecretArn"], "kmsKeyId": secret.get("KmsKeyId")}] if secret else [],
        "masterPasswordWo": None,  # write-only: never in state
    }


@handles("aws:rds/clusterInstance:ClusterInstance")
def _cluster_instance(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    identifier = i["identifier"]
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBClusterIdentifier=i["clusterIdentifier"],
        Engine=i.get("engine", "aurora-postgresql"),
        DBInstanceClass=i["instanceClass"],
        **drop_none(
            {
                "AvailabilityZone": i.get("availabilityZone"),
                "PubliclyAccessible": i.get("publiclyAccessible"),
                "AutoMinorVersionUpgrade": i.get("autoMinorVersionUpgrade"),
                "EnablePerformanceInsights": i.get("performanceInsightsEnabled"),
            }
        ),
    )
    d = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    state = _instance_state(d)
    return identifier, {k: state[k] for k in ("arn", "identifier", "availabilityZone", "publiclyAccessible")} | {
        "endpoint": state["address"]
    }


# --- edge, DNS, backups -----------------------------------------------------------------------


@handles("aws:wafv2/webAcl:WebAcl")
def _web_acl(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    region = "us-east-1" if i.get("scope") == "CLOUDFRONT" else r

    def visibility(v: Any) -> dict[str, Any]:
        v = first(v) or {}
        return {
            "SampledRequestsEnabled": bool(v.get("sampledRequestsEnabled")),
            "CloudWatchMetricsEnabled": bool(v.get("cloudwatchMetricsEnabled")),
            "MetricName": v.get("metricName", name),
        }

    rules = []
    for rule in i.get("rules") or []:
        statement = first(rule["statement"])
        managed = first(statement.get("managedRuleGroupStatement")) or {}
        rules.append(
            {
                "Name": rule["name"],
                "Priority": int(rule["priority"]),
                "Statement": {
                    "ManagedRuleGroupStatement": {"VendorName": managed["vendorName"], "Name": managed["name"]}
                },
                "OverrideAction": {"None": {}},
                "VisibilityConfig": visibility(rule.get("visibilityConfig")),
            }
        )
    default = first(i.get("defaultAction")) or {"allow": {}}
    acl = m.client("wafv2", region).create_web_acl(
        Name=i["name"],
        Scope=i["scope"],
        DefaultAction={"Allow": {}} if "allow" in default else {"Block": {}},
        Rules=rules,
        VisibilityConfig=visibility(i.get("visibilityConfig")),
    )["Summary"]
    return acl["Id"], {"arn": acl["ARN"], "name": acl["Name"]}


@handles("aws:wafv2/webAclAssociation:WebAclAssociation")
def _web_acl_association(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("wafv2", r).associate_web_acl(WebACLArn=i["webAclArn"], ResourceArn=i["resourceArn"])
    return f"{i['webAclArn']},{i['resourceArn']}", {}


@handles("aws:route53/healthCheck:HealthCheck")
def _health_check(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    hc = m.client("route53", "us-east-1").create_health_check(
        CallerReference=m.physical(name),
        HealthCheckConfig=drop_none(
            {
                "Type": i["type"],
                "FullyQualifiedDomainName": i.get("fqdn"),
                "Port": num(i.get("port")),
                "ResourcePath": i.get("resourcePath"),
                "RequestInterval": num(i.get("requestInterval")),
                "FailureThreshold": num(i.get("failureThreshold")),
            }
        ),
    )["HealthCheck"]
    return hc["Id"], {"arn": f"arn:aws:route53:::healthcheck/{hc['Id']}"}


@handles("aws:route53/record:Record")
def _record(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    record: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
    aliases = i.get("aliases") or []
    if aliases:
        alias = first(aliases)
        record["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth")),
        }
    else:
        record |= {"TTL": int(i.get("ttl", 300)), "ResourceRecords": [{"Value": v} for v in i.get("records") or []]}
    if i.get("setIdentifier"):
        record["SetIdentifier"] = i["setIdentifier"]
    if i.get("healthCheckId"):
        record["HealthCheckId"] = i["healthCheckId"]
    for policy in i.get("latencyRoutingPolicies") or []:
        record["Region"] = policy["region"]
    for policy in i.get("failoverRoutingPolicies") or []:
        record["Failover"] = policy["type"]
    m.client("route53", "us-east-1").change_resource_record_sets(
        HostedZoneId=i["zoneId"], ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
    )
    rid = "_".join(p for p in (i["zoneId"], i["name"], i["type"], i.get("setIdentifier", "")) if p)
    return rid, {"fqdn": i["name"].rstrip(".")}


@handles("aws:cloudfront/distribution:Distribution")
def _distribution(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    def items(values: list[Any]) -> dict[str, Any]:
        return {"Quantity": len(values), "Items": values}

    origins = []
    for o in i["origins"]:
        custom = first(o.get("customOriginConfig")) or {}
        origin: dict[str, Any] = {"Id": o["originId"], "DomainName": o["domainName"], "OriginPath": ""}
        if custom:
            origin["CustomOriginConfig"] = {
                "HTTPPort": int(custom.get("httpPort", 80)),
                "HTTPSPort": int(custom.get("httpsPort", 443)),
                "OriginProtocolPolicy": custom["originProtocolPolicy"],
                "OriginSslProtocols": items(custom.get("originSslProtocols", ["TLSv1.2"])),
            }
        shield = first(o.get("originShield"))
        if shield:
            origin["OriginShield"] = {
                "Enabled": bool(shield["enabled"]),
                "OriginShieldRegion": shield.get("originShieldRegion", r),
            }
        origins.append(origin)
    behavior = first(i["defaultCacheBehavior"])
    cert = first(i.get("viewerCertificate")) or {}
    config: dict[str, Any] = {
        "CallerReference": m.physical(name),
        "Comment": i.get("comment", ""),
        "Enabled": bool(i.get("enabled", True)),
        "Origins": items(origins),
        "DefaultCacheBehavior": drop_none(
            {
                "TargetOriginId": behavior["targetOriginId"],
                "ViewerProtocolPolicy": behavior["viewerProtocolPolicy"],
                "AllowedMethods": items(behavior.get("allowedMethods", ["GET", "HEAD"]))
                | {"CachedMethods": items(behavior.get("cachedMethods", ["GET", "HEAD"]))},
                "Compress": bool(behavior.get("compress")),
                "CachePolicyId": behavior.get("cachePolicyId"),
                "OriginRequestPolicyId": behavior.get("originRequestPolicyId"),
            }
        ),
        "PriceClass": i.get("priceClass", "PriceClass_All"),
        "IsIPV6Enabled": bool(i.get("isIpv6Enabled")),
        "HttpVersion": i.get("httpVersion", "http2"),
        "WebACLId": i.get("webAclId", ""),
    }
    groups = [
        {
            "Id": g["originId"],
            "FailoverCriteria": {"StatusCodes": items([int(c) for c in first(g["failoverCriteria"])["statusCodes"]])},
            "Members": items([{"OriginId": mem["originId"]} for mem in g["members"]]),
        }
        for g in i.get("originGroups") or []
    ]
    if groups:
        config["OriginGroups"] = items(groups)
        # moto accepts only an origin as a behavior's target: aim at the group's primary member
        primary = {g["Id"]: g["Members"]["Items"][0]["OriginId"] for g in groups}
        target = config["DefaultCacheBehavior"]["TargetOriginId"]
        config["DefaultCacheBehavior"]["TargetOriginId"] = primary.get(target, target)
    if i.get("aliases"):
        config["Aliases"] = items(i["aliases"])
    if cert.get("acmCertificateArn"):
        config["ViewerCertificate"] = {
            "ACMCertificateArn": cert["acmCertificateArn"],
            "SSLSupportMethod": cert.get("sslSupportMethod", "sni-only"),
            "MinimumProtocolVersion": cert.get("minimumProtocolVersion", "TLSv1.2_2021"),
        }
    dist = m.client("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    return dist["Id"], {
        "arn": dist["ARN"],
        "domainName": dist["DomainName"],
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": dist.get("Status", "Deployed"),
    }


@handles("aws:backup/vault:Vault")
def _vault(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    vault = i["name"]
    out = m.client("backup", r).create_backup_vault(
        BackupVaultName=vault, **drop_none({"EncryptionKeyArn": i.get("kmsKeyArn")})
    )
    return vault, {"arn": out["BackupVaultArn"], "name": vault}


@handles("aws:backup/plan:Plan")
def _backup_plan(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        life = first(rule.get("lifecycle")) or {}
        rules.append(
            drop_none(
                {
                    "RuleName": rule["ruleName"],
                    "TargetBackupVaultName": rule["targetVaultName"],
                    "ScheduleExpression": rule.get("schedule"),
                    "StartWindowMinutes": num(rule.get("startWindow")),
                    "CompletionWindowMinutes": num(rule.get("completionWindow")),
                    "Lifecycle": {"DeleteAfterDays": int(life["deleteAfter"])} if life.get("deleteAfter") else None,
                    "CopyActions": [
                        drop_none(
                            {
                                "DestinationBackupVaultArn": c["destinationVaultArn"],
                                "Lifecycle": {"DeleteAfterDays": int(first(c["lifecycle"])["deleteAfter"])}
                                if c.get("lifecycle")
                                else None,
                            }
                        )
                        for c in rule.get("copyActions") or []
                    ]
                    or None,
                }
            )
        )
    out = m.client("backup", r).create_backup_plan(BackupPlan={"BackupPlanName": i["name"], "Rules": rules})
    return out["BackupPlanId"], {"arn": out["BackupPlanArn"], "version": out["VersionId"]}
