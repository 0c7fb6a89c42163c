"""pulumi-aws's service packages loaded a module at a time (generators.aws.lean): every name
resolves to what the package pulumi-aws makes holds, and the program declares the same stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import EXAMPLES, ROOT

PROBE = r"""
import json, sys
import generators.aws  # installs the lean packages (unless HLD_EAGER_PULUMI_AWS=1)
import pulumi_aws as aws
from generators.aws.lean import LeanPackage

def name(value):
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', getattr(value, '__name__', repr(value)))}"

names = {
    "resource": name(aws.ec2.Vpc),
    "args": name(aws.sqs.QueueArgs),
    "function": name(aws.ec2.get_vpc),
    "function-output": name(aws.ec2.get_vpc_output),
    "result": name(aws.ec2.GetVpcResult),
    "awaitable": name(aws.ec2.AwaitableGetVpcResult),
    "input-type": name(aws.ec2.SecurityGroupIngressArgs),
    "enum": name(aws.ec2.InstanceType),
    "digits": name(aws.s3.BucketV2),
}
from pulumi_aws.ec2 import outputs
names["submodule"] = outputs.__name__
loaded_before_star = len([m for m in sys.modules if m.startswith("pulumi_aws.sqs.")])
star = {}
exec("from pulumi_aws.sqs import *", star)
names["star"] = sorted(k for k in star if not k.startswith("__"))
names["dir"] = sorted(k for k in dir(aws.sqs) if not k.startswith("_"))
try:
    aws.ec2.NoSuchThing
    names["missing"] = "found"
except AttributeError as exc:
    names["missing"] = str(exc)
names["lean"] = isinstance(sys.modules["pulumi_aws.ec2"], LeanPackage)
names["sqs-before-star"] = loaded_before_star
print(json.dumps(names))
"""


def _probe(eager: bool) -> dict[str, object]:
    env = {**os.environ, "HLD_EAGER_PULUMI_AWS": "1" if eager else "0"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def test_every_kind_of_name_is_what_the_package_pulumi_aws_makes_holds():
    lean, eager = _probe(eager=False), _probe(eager=True)
    assert lean.pop("lean") is True and eager.pop("lean") is False
    # a lean package loads only the modules asked for: sqs's Args, not its other modules
    assert lean.pop("sqs-before-star") < eager.pop("sqs-before-star")
    assert lean == eager
    assert lean["function"] == "pulumi_aws.ec2.get_vpc.get_vpc"  # the function, not its module


def test_the_program_declares_the_same_stack_and_loads_far_fewer_modules(tmp_path):
    """The same Terraform plan (every resource with its inputs) either way; under half of
    pulumi-aws's modules loaded."""
    count = (
        "import sys; sys.argv = ['hld', *sys.argv[1:]]\n"
        "from hld.cli import app\n"
        "try:\n    app()\n"
        "except SystemExit: pass\n"
        "print(len([m for m in sys.modules if m.startswith('pulumi_aws')]), file=sys.stderr)\n"
    )
    plans, modules = {}, {}
    for eager in ("0", "1"):
        plan = tmp_path / f"plan-{eager}.json"
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                count,
                "synth",
                str(EXAMPLES / "url-shortener.yaml"),
                "--stack",
                "url-shortener-prod",
                "--terraform-plan",
                str(plan),
            ],
            cwd=ROOT,
            env={**os.environ, "HLD_EAGER_PULUMI_AWS": eager},
            capture_output=True,
            text=True,
        )
        assert plan.exists(), done.stderr[-2000:]
        plans[eager] = plan.read_text()
        modules[eager] = int(done.stderr.strip().splitlines()[-1])
    assert plans["0"] == plans["1"]
    assert modules["0"] < modules["1"] / 2, modules
