"""`hld new`: a Pulumi project in a team's own folder that runs hld's program. Pulumi.yaml
(Python, a virtualenv), a two-line __main__.py calling hld.stack.main, requirements.txt pinning
hld, the blueprint under blueprints/, a stack file per environment naming it (hld:blueprint), a
test of the blueprint with hld.testing, the policy pack that runs hld's checks inside `pulumi
preview`, and a .gitignore for credentials. Written by hld.output's writer: a folder holding
files hld did not write is refused, and nothing is half-written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hld import __version__
from hld.output import Tree

STACKS = (
    ("dev", "aws", "development"),
    ("prod", "aws", "production"),
    ("kind", "kubernetes", "development"),
)
"""The stacks a new project gets: name, hld:target, hld:environment."""


@dataclass(frozen=True)
class NewProject:
    name: str
    region: str
    blueprint: str | None = None
    """The blueprint's text (an existing one, copied), else the starter."""
    zoned: bool = True
    """The design runs in a VPC's zones (its test checks the spread); a static site does not."""


def tree(new: NewProject) -> Tree:
    import jinja2

    from generators.resources import templates

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates() / "project"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )

    def render(template: str, **values: object) -> str:
        return env.get_template(template).render(name=new.name, region=new.region, version=__version__, **values)

    files = {
        "Pulumi.yaml": render("Pulumi.yaml.j2"),
        "__main__.py": render("__main__.py.j2"),
        "requirements.txt": render("requirements.txt.j2"),
        ".gitignore": render("gitignore.j2"),
        "README.md": render("README.md.j2", stacks=[s for s, _, _ in STACKS]),
        f"blueprints/{new.name}.yaml": new.blueprint
        if new.blueprint is not None
        else render("blueprints/starter.yaml.j2"),
        "tests/test_blueprint.py": render("tests/test_blueprint.py.j2", zoned=new.zoned),
    }
    for stack, target, environment in STACKS:
        files[f"Pulumi.{stack}.yaml"] = render("stack.yaml.j2", stack=stack, target=target, environment=environment)
    files |= policy_pack()
    return Tree(files)


def policy_pack() -> dict[str, str]:
    """The policy pack folder (policy/): hld's checks as CrossGuard policies (hld.policypack),
    run in the project's own virtual environment, which already holds hld and pulumi-policy."""
    from hld.policypack import SCAFFOLD

    files = {f"policy/{name}": text for name, text in SCAFFOLD.items()}
    files["policy/PulumiPolicy.yaml"] = files["policy/PulumiPolicy.yaml"].replace(
        "virtualenv: venv", "virtualenv: ../venv"
    )
    files["policy/requirements.txt"] = f"hld=={__version__}\n"
    return files


def starter_name(folder: Path) -> str:
    """A system name from the folder's: lower-case letters, digits and single dashes."""
    words = "".join(c if c.isalnum() else "-" for c in folder.resolve().name.lower()).split("-")
    name = "-".join(w for w in words if w)[:40].strip("-")
    return name if name[:1].isalpha() else f"system-{name}".strip("-")[:40]
