"""The AWS target: Pulumi ComponentResources over pulumi-aws, one provider per region."""

from generators.aws.lean import install

install()  # pulumi-aws's service packages load a module at a time (generators.aws.lean)

from generators.aws.program import AwsSettings, System, build  # noqa: E402 (after the install)

__all__ = ["AwsSettings", "System", "build"]
