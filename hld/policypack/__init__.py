"""hld's checks as a Pulumi policy pack (CrossGuard): this folder is the pack.

    pulumi preview --policy-pack hld/policypack      # in the Pulumi project of the stack
    pulumi up --policy-pack hld/policypack

One stack validation policy per check of hld.checks (hld.policy), mandatory unless the pack's
config says otherwise (`--policy-pack-config FILE`: `{"all": "advisory"}`, `{"tls": "disabled"}`).
Each reads the plan of the stack's blueprint (`hld:blueprint`, see hld.policy.stack_plan) and the
engine's resources. To carry the pack in another repository, write `SCAFFOLD`'s files to a folder
of it and install `REQUIREMENTS` in the pack's virtual environment.
"""

from __future__ import annotations

from typing import Any

NAME = "hld"
DESCRIPTION = "hld's checks over the stack's resources: the plan's promises, security defaults, what AWS needs"
REQUIREMENTS = "hld\npulumi-policy>=1.21,<2\n"
"""The pack's requirements.txt (hld from wherever the team installs it: a wheel, a path, an index)."""
SCAFFOLD = {
    "PulumiPolicy.yaml": (
        f"description: {DESCRIPTION}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
    ),
    "__main__.py": "from hld.policypack import main\n\nmain()\n",
    "requirements.txt": REQUIREMENTS,
}
"""The files of a pack folder in a team's repository: `pulumi preview --policy-pack FOLDER`."""


def policies() -> list[Any]:
    """One StackValidationPolicy per check of the pack, each mandatory."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy

    from hld.checks import CHECKS
    from hld.policy import stack_plan, validations

    return [
        StackValidationPolicy(
            name=key,
            description=f"{CHECKS[key].title}: {CHECKS[key].doc}",
            validate=validate,
            enforcement_level=EnforcementLevel.MANDATORY,
        )
        for key, validate in validations(stack_plan)
    ]


def arguments() -> dict[str, Any]:
    """What `main` gives the SDK's PolicyPack."""
    from pulumi_policy import EnforcementLevel

    return {
        "name": NAME,
        "policies": policies(),
        "enforcement_level": EnforcementLevel.MANDATORY,
        "description": DESCRIPTION,
    }


def main() -> None:
    """Serve the pack to the Pulumi engine (what the pack folder's __main__.py runs)."""
    from pulumi_policy import PolicyPack

    PolicyPack(**arguments())
