"""Systems Manager: Automation documents (generators.aws.runbooks), checked, then made in moto.

moto's CreateDocument checks a document's name, type and format and parses its content, but reads
no step: an Automation document calling an API that does not exist, or passing a parameter the API
does not take, is stored, and fails only when an operator runs it in the middle of a recovery. This
handler refuses, before moto is called, each Automation document whose content would not run:

- a schema version other than 0.3, no step, a step without a unique name of letters, digits and
  underscores, or with an action the table below does not hold;
- an `aws:executeAwsApi` or `aws:waitForAwsResourceProperty` step whose Service and Api are not in
  APIS (the APIs hld's runbooks call, each with its API reference), a parameter the API does not
  take, a required one missing, a wait without a `$`-selector or desired values;
- a value still a placeholder (`<...>`: an id the target did not resolve);
- an RDS instance, a global cluster or a scalable target the step names that the document's region
  does not hold (the step would fail: it runs where the document lives).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles

TYPE = "aws:ssm/document:Document"
SCHEMA = "0.3"
_SSM = "https://docs.aws.amazon.com/systems-manager/latest/userguide/"


@dataclass(frozen=True)
class Api:
    service: str
    """The Automation `Service` input: the boto3 client name."""
    api: str
    parameters: frozenset[str]
    required: frozenset[str]
    source: str


def _api(service: str, api: str, parameters: str, required: str, source: str) -> tuple[tuple[str, str], Api]:
    return (service, api), Api(service, api, frozenset(parameters.split()), frozenset(required.split()), source)


APIS: dict[tuple[str, str], Api] = dict(
    [
        _api(
            "rds",
            "PromoteReadReplica",
            "DBInstanceIdentifier BackupRetentionPeriod PreferredBackupWindow TagSpecifications",
            "DBInstanceIdentifier",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html",
        ),
        _api(
            "rds",
            "FailoverGlobalCluster",
            "GlobalClusterIdentifier TargetDbClusterIdentifier AllowDataLoss Switchover",
            "GlobalClusterIdentifier TargetDbClusterIdentifier",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html",
        ),
        _api(
            "rds",
            "DescribeDBInstances",
            "DBInstanceIdentifier Filters MaxRecords Marker",
            "",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html",
        ),
        _api(
            "rds",
            "DescribeGlobalClusters",
            "GlobalClusterIdentifier Filters MaxRecords Marker",
            "",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html",
        ),
        _api(
            "application-autoscaling",
            "RegisterScalableTarget",
            "ServiceNamespace ResourceId ScalableDimension MinCapacity MaxCapacity RoleARN SuspendedState Tags",
            "ServiceNamespace ResourceId ScalableDimension",
            "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html",
        ),
    ]
)
"""The AWS APIs hld's Automation documents call, with the parameters each takes (read 2026-12 from
the API references; tests/aws/moto/test_runbooks.py holds them to botocore's service models)."""

ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "aws:executeAwsApi": (frozenset({"Service", "Api"}), _SSM + "automation-action-executeAwsApi.html"),
    "aws:waitForAwsResourceProperty": (
        frozenset({"Service", "Api", "PropertySelector", "DesiredValues"}),
        _SSM + "automation-action-waitForAwsResourceProperty.html",
    ),
}
"""The Automation actions hld's documents use, and the inputs each takes besides the API's own."""

STEP_NAME = r"[A-Za-z0-9_]+"
"""What a step's name may hold (_SSM automation-actions.html, "name")."""
PLACEHOLDER = re.compile(r"<[^<>]+>")


def _content(inputs: dict[str, Any]) -> Any:
    text = str(inputs.get("content") or "")
    if str(inputs.get("documentFormat") or "JSON") == "YAML":
        return yaml.safe_load(text)
    return json.loads(text)


def problems(inputs: dict[str, Any]) -> list[str]:
    """Why this Automation document would not run (as the pulumi-aws inputs give it), [] if it would;
    a document of another type is not read."""
    if inputs.get("documentType") != "Automation":
        return []
    try:
        doc = _content(inputs)
    except (ValueError, yaml.YAMLError) as exc:
        return [f"content does not parse: {exc}"]
    if not isinstance(doc, dict):
        return ["content is not a document (a map with schemaVersion and mainSteps)"]
    out: list[str] = []
    if str(doc.get("schemaVersion")) != SCHEMA:
        out.append(f"schemaVersion {doc.get('schemaVersion')!r}: an Automation document takes {SCHEMA!r}")
    steps = doc.get("mainSteps")
    if not isinstance(steps, list) or not steps:
        return [*out, "no mainSteps: an Automation document needs at least one step"]
    names: set[str] = set()
    for i, step in enumerate(steps):
        label = f"mainSteps[{i}]"
        if not isinstance(step, dict):
            out.append(f"{label} is not a step")
            continue
        step_name = str(step.get("name") or "")
        if not re.fullmatch(STEP_NAME, step_name):
            out.append(f"{label}: name {step_name!r} is not letters, digits and underscores")
        elif step_name in names:
            out.append(f"{label}: name {step_name!r} is taken by an earlier step")
        names.add(step_name)
        out += [f"{label} ({step_name}): {p}" for p in _step_problems(step)]
    return out


def _step_problems(step: dict[str, Any]) -> list[str]:
    action = str(step.get("action"))
    if action not in ACTIONS:
        return [f"action {action!r} is not one hld's documents use ({', '.join(ACTIONS)})"]
    own, _ = ACTIONS[action]
    inputs = step.get("inputs") or {}
    row = APIS.get((str(inputs.get("Service")), str(inputs.get("Api"))))
    if row is None:
        known = ", ".join(f"{s} {a}" for s, a in APIS)
        return [
            f"Service {inputs.get('Service')!r} Api {inputs.get('Api')!r} is not an API hld's runbooks call ({known})"
        ]
    given = set(inputs) - own
    out = [f"{row.api} takes no parameter {p!r} ({row.source})" for p in sorted(given - row.parameters)]
    out += [f"{row.api} needs {p!r} ({row.source})" for p in sorted(row.required - given)]
    if action == "aws:waitForAwsResourceProperty":
        if not str(inputs.get("PropertySelector") or "").startswith("$"):
            out.append("a wait needs a PropertySelector, a JSONPath from `$`")
        desired = inputs.get("DesiredValues")
        if not isinstance(desired, list) or not desired:
            out.append("a wait needs DesiredValues, a list of the values it waits for")
    for key in sorted(given):
        if PLACEHOLDER.search(json.dumps(inputs[key])):
            out.append(f"{key} is still a placeholder ({inputs[key]!r}): the target resolves every id")
    return out


def missing(m: MotoMocks, inputs: dict[str, Any], region: str) -> list[str]:
    """What the document's steps name that `region` does not hold: the step would fail there."""
    from botocore.exceptions import ClientError

    out: list[str] = []
    for step in _content(inputs).get("mainSteps") or []:
        given = step.get("inputs") or {}
        try:
            if "DBInstanceIdentifier" in given:
                m.client("rds", region).describe_db_instances(DBInstanceIdentifier=given["DBInstanceIdentifier"])
            if "GlobalClusterIdentifier" in given:
                found = m.client("rds", region).describe_global_clusters(
                    GlobalClusterIdentifier=given["GlobalClusterIdentifier"]
                )["GlobalClusters"]
                if not found:
                    raise LookupError(f"no global cluster {given['GlobalClusterIdentifier']!r}")
            target = str(given.get("TargetDbClusterIdentifier") or "")
            if target.startswith("arn:") and target.split(":")[3] != region:
                raise LookupError(f"the target cluster {target} is not in {region}")
            if given.get("Api") == "RegisterScalableTarget":
                found = m.client("application-autoscaling", region).describe_scalable_targets(
                    ServiceNamespace=given["ServiceNamespace"], ResourceIds=[given["ResourceId"]]
                )["ScalableTargets"]
                if not found:
                    raise LookupError(f"no scalable target {given['ResourceId']!r}")
        except (ClientError, LookupError) as exc:
            out.append(f"step {step.get('name')!r} would fail in {region}: {exc}")
    return out


@handles(TYPE)
def _document(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    found = problems(i)
    if not found and i.get("documentType") == "Automation":
        found = missing(m, i, r)
    if found:
        raise m.reject(f"AWS rejected {TYPE} {name!r} in {r}: InvalidDocumentContent: " + "; ".join(found))
    doc_name = str(i.get("name") or m.physical(name))
    described = m.client("ssm", r).create_document(
        Content=i["content"],
        Name=doc_name,
        DocumentType=i["documentType"],
        DocumentFormat=i.get("documentFormat") or "JSON",
        Tags=[{"Key": k, "Value": v} for k, v in sorted((i.get("tags") or {}).items())],
    )["DocumentDescription"]
    return doc_name, {
        "arn": f"arn:aws:ssm:{r}:{ACCOUNT}:document/{doc_name}",
        "name": doc_name,
        "documentVersion": described.get("DocumentVersion"),
        "defaultVersion": described.get("DefaultVersion"),
        "latestVersion": described.get("LatestVersion"),
        "schemaVersion": described.get("SchemaVersion"),
        "status": described.get("Status"),
        "hash": described.get("Hash"),
        "hashType": described.get("HashType"),
        "owner": described.get("Owner"),
        "description": described.get("Description"),
    }
