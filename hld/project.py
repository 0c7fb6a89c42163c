"""The Pulumi project hld works in: the folder of the nearest `Pulumi.yaml` above the working
directory (a team's own repository, or hld's checkout), its stack files (`stackConfigDir`, else
beside Pulumi.yaml) and its program (`main`, else the project folder). Every command resolves
stacks and relative `hld:blueprint` paths here, never from where hld is installed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_FILE = "Pulumi.yaml"


@dataclass(frozen=True)
class Project:
    root: Path
    """The folder of Pulumi.yaml (the working directory when there is none)."""
    found: bool
    """A Pulumi.yaml was found (else the project is the working directory, with no stacks)."""
    settings: dict[str, Any]

    @property
    def stacks(self) -> Path:
        """Where the Pulumi.<stack>.yaml files are (`stackConfigDir`)."""
        return self.root / str(self.settings.get("stackConfigDir") or ".")

    @property
    def program(self) -> Path | None:
        """The file `pulumi up` runs: `main` (a folder's __main__.py), None without a project."""
        if not self.found:
            return None
        main = self.root / str(self.settings.get("main") or ".")
        return main / "__main__.py" if main.is_dir() else main

    def stack_file(self, stack: str) -> Path:
        return self.stacks / f"Pulumi.{stack}.yaml"

    def stack_names(self) -> list[str]:
        return sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in self.stacks.glob("Pulumi.*.yaml"))

    def resolve(self, path: str | Path) -> Path:
        """A path as a stack's config names it: relative paths are the project's."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p

    def relative(self, path: str | Path) -> str:
        """`path` as a stack's config would name it: relative to the project when inside it."""
        absolute = Path(path).resolve()
        root = self.root.resolve()
        return str(absolute.relative_to(root)) if absolute.is_relative_to(root) else str(absolute)


def current(start: Path | None = None) -> Project:
    """The project of the working directory (or `start`): the nearest Pulumi.yaml above it."""
    import yaml

    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            try:
                settings = yaml.safe_load(candidate.read_text()) or {}
            except (OSError, yaml.YAMLError):
                settings = {}
            return Project(folder, True, settings if isinstance(settings, dict) else {})
    return Project(here, False, {})
