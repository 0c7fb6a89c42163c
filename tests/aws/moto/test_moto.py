"""The moto-backed offline cloud: every stack is accepted by AWS as moto models it, its
state reads back, every check passes, and what AWS rejects fails the run by name."""

from __future__ import annotations

import pulumi
import pytest

from hld.checks import CHECKS
from hld.offline import SynthError, entry_point, run, stack_config
from hld.testing import synth
from tests.aws.moto.conftest import in_moto
from tests.helpers import EXAMPLES


def test_every_stack_is_accepted_and_passes_every_check(moto_stack):
    assert moto_stack.cloud == "moto"
    failed = {o.check: o.problems for o in moto_stack.checks() if not o.ok}
    assert not failed
    assert [o.check for o in moto_stack.checks()] == list(CHECKS)


def test_coverage_is_at_least_90_percent_of_every_stack(moto_stack):
    coverage = moto_stack.coverage()
    assert coverage.percent >= 90, coverage.rows()
    # what is recorded only is named, with the reason
    for row in coverage.rows():
        if row["recorded"]:
            assert row["note"].startswith("recorded only"), row


def test_state_comes_from_aws_not_from_the_inputs():
    graph = in_moto("url-shortener-prod").graph
    subnet = graph.has("aws.ec2.Subnet", _region="us-west-2")
    assert subnet.id.startswith("subnet-") and subnet.state["availabilityZoneId"]
    alb = graph.has("aws.lb.LoadBalancer", _region="us-east-1")
    assert alb.state["dnsName"].endswith(".elb.amazonaws.com") and alb.id.startswith("arn:aws:elasticloadbalancing:")
    assert alb.state["availabilityZones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    writer = graph.has("aws.rds.Instance", _region="us-east-1")
    assert writer.state["endpoint"].endswith(".us-east-1.rds.amazonaws.com:5432")
    secret = graph.has("aws.secretsmanager.Secret", _region="us-east-1")  # the writer's, replicated
    assert secret.state["arn"].startswith("arn:aws:secretsmanager:us-east-1:")
    # downstream references carry AWS's values: the replica names the writer by its real ARN
    replica = graph.has("aws.rds.Instance", _region="us-west-2")
    assert replica.inputs["replicateSourceDb"] == writer.state["arn"]


def test_client_reads_the_moto_state_of_the_run_and_runs_are_isolated(tmp_path):
    first = synth(EXAMPLES / "e-commerce.yaml", stack="e-commerce-prod")
    rds = first.client("rds", "us-east-1")
    clusters = rds.describe_db_clusters()["DBClusters"]
    assert {c["Engine"] for c in clusters} == {"aurora-postgresql"}
    assert all(c["StorageEncrypted"] and c["DeletionProtection"] for c in clusters)
    vpcs = first.client("ec2", "us-east-1").describe_vpcs()["Vpcs"]
    second = synth(EXAMPLES / "e-commerce.yaml", stack="e-commerce-prod")
    assert len(second.client("ec2", "us-east-1").describe_vpcs()["Vpcs"]) == len(vpcs)  # fresh state, not doubled
    with pytest.raises(RuntimeError, match="moto state is gone"):
        first.client("rds", "us-east-1")


def test_mocks_results_have_no_client():
    result = synth(EXAMPLES / "e-commerce.yaml", stack="e-commerce-prod", cloud="mocks")
    with pytest.raises(ValueError, match="cloud='moto'"):
        result.client("rds", "us-east-1")


def test_synth_takes_a_dict_blueprint():
    import yaml

    doc = yaml.safe_load((EXAMPLES / "e-commerce.yaml").read_text())
    doc["name"] = "shop"
    result = synth(doc, stack="shop", cloud="mocks")
    assert result.graph.count("hld:aws:System") == 1
    assert result.graph.named("shop").type == "hld:aws:System"


def _bad_instance_class(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    if args.type_ == "aws:rds/clusterInstance:ClusterInstance" and args.name.endswith("us-east-1a"):
        args.props["publicly_accessible"] = False
        args.props["cluster_identifier"] = "no-such-cluster"
        return pulumi.ResourceTransformationResult(args.props, args.opts)
    return None


def test_a_resource_aws_rejects_fails_the_run_with_the_aws_error_and_the_resource_name():
    def program() -> None:
        pulumi.runtime.register_stack_transformation(_bad_instance_class)
        entry_point()

    from hld.offline.moto.mocks import MotoMocks

    config = stack_config("e-commerce-prod")
    with pytest.raises(
        SynthError,
        match=r"AWS rejected aws:rds/clusterInstance:ClusterInstance 'e-commerce-\w+-instance-us-east-1a'.*DBClusterNotFound",
    ):
        run(config, "e-commerce-prod", MotoMocks("e-commerce-prod"), program=program)


def test_pytest_plugin_provides_hld_synth(hld_synth):
    result = hld_synth(EXAMPLES / "e-commerce.yaml", stack="e-commerce-prod")
    tables = result.client("dynamodb", "us-east-1").list_tables()["TableNames"]
    assert len(tables) == 1 and tables[0].startswith("e-commerce-users-")


def test_secret_inputs_reach_aws_unwrapped_and_never_appear_in_errors():
    from hld.offline.moto.mocks import SECRET_SIG, SIG_KEY, MotoMocks

    mocks = MotoMocks("s")
    wrapped = {"secretStringWo": {SIG_KEY: SECRET_SIG, "value": "hunter2-very-secret"}, "n": [1]}
    assert mocks._unwrap(wrapped) == {"secretStringWo": "hunter2-very-secret", "n": [1]}
    assert mocks._redact("value: hunter2-very-secret, type dict") == "value: [secret], type dict"


def test_reused_key_material_stays_inside_moto():
    """The offline cloud reuses moto's generated RSA keys (for speed); the rest of the process
    still gets fresh keys from cryptography, and moto still issues real certificates."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    result = synth(EXAMPLES / "url-shortener.yaml", stack="url-shortener-prod")
    first = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert first.private_numbers() != second.private_numbers()
    cert = result.graph.has("aws.acm.Certificate", _region="us-east-1")
    pem = result.client("acm", "us-east-1").get_certificate(CertificateArn=cert.id)["Certificate"]
    assert x509.load_pem_x509_certificate(pem.encode()).public_key().key_size == 2048
