"""The AWS target: Pulumi ComponentResources over pulumi-aws, one provider per region."""

from generators.aws.program import AwsSettings, System, build

__all__ = ["AwsSettings", "System", "build"]
