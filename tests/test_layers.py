"""The layering that keeps hld simple: arrows only point down, and no module imports itself
back through another (module-level imports; imports inside functions are the deliberate lazy
ones that keep `validate` and `plan` fast)."""

from __future__ import annotations

import ast

from tests.helpers import ROOT

PACKAGES = ("blueprints", "generators", "hld")
BELOW = {"blueprints": set(), "generators": {"blueprints"}, "hld": {"blueprints", "generators"}}
"""What each layer may import: only the layers below it."""


def modules() -> dict[str, set[str]]:
    """Every project module -> the project modules it imports at module level."""
    out: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            imported = set()
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module)
                    imported |= {f"{node.module}.{a.name}" for a in node.names}
                elif isinstance(node, ast.Import):
                    imported |= {a.name for a in node.names}
            out[name] = imported
    return {m: {i for i in deps if i in out and i != m} for m, deps in out.items()}


def test_layers_only_import_downwards():
    for module, deps in modules().items():
        layer = module.split(".")[0]
        for dep in deps:
            assert dep.split(".")[0] in BELOW[layer] | {layer}, f"{module} imports {dep}"


def test_no_import_cycles():
    graph = modules()
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for dep in sorted(graph[module]):
            if state.get(dep) == 1 and not module.startswith(dep + "."):
                raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(dep) :], dep]))
            if dep not in state:
                visit(dep, [*trail, dep])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_command_line_reaches_targets_and_checks_only_through_the_pipeline():
    source = (ROOT / "hld" / "cli.py").read_text()
    for name in ("generators", "hld.checks", "hld.offline", "hld.failures", "blueprints.whatif"):
        assert f"from {name}" not in source and f"import {name}" not in source, name


ADAPTERS = ("hld.offline", "hld.state", "hld.policy_resources")
"""What turns a run, a state file or the policy SDK's resources into the graph the checks read."""


def test_the_adapters_sit_below_the_checks_and_the_checks_read_only_the_graph():
    graph = modules()
    for module, deps in graph.items():
        if module.startswith(ADAPTERS):
            assert not any(d.startswith("hld.checks") for d in deps), f"{module} imports the checks"
        if module.startswith("hld.checks"):
            above = [d for d in deps if d.startswith((*ADAPTERS, "hld.audit", "hld.policy", "hld.pipeline", "hld.cli"))]
            assert not above, f"{module} imports {above}"
    # one implementation of each check, two more callers: the audit and the policy pack run hld.checks
    assert "hld.checks" in graph["hld.audit"] and "hld.checks" in graph["hld.policy"]
    assert "hld.policy_resources" in graph["hld.policy"] and "hld.graph" in graph["hld.state"]
