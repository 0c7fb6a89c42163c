"""hld installed as a team installs it: a wheel built from this repository, in a fresh virtual
environment, run outside the checkout. `hld new` makes the team's own Pulumi project; every
command then works there, --stack resolves the project's own stack files, and the project's
tests (hld.testing) pass. The fresh environment takes hld's dependencies from this one's
site-packages by a path entry (a .pth line adds the folder, never its own .pth hooks, so the
checkout's editable install stays out of it), and hld itself only from the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the source, so the build leaves nothing in the checkout (and no earlier
    build's files can slip into it)."""
    import shutil

    source = tmp_path_factory.mktemp("source") / "hld"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "out", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "results"
        ),
    )
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    [built] = out.glob("hld-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A new virtual environment holding the wheel: its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "hld-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def run(bin_: Path, cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def test_the_wheel_holds_every_package_and_the_files_beside_the_code(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for layer in ("blueprints", "generators", "hld")
        for p in (ROOT / layer).rglob("__init__.py")
    }
    assert on_disk <= set(declared), on_disk - set(declared)
    for needed in (
        "generators/templates/HLD.md.j2",
        "generators/templates/project/__main__.py.j2",
        "blueprints/examples/url-shortener.yaml",
        "blueprints/schema/blueprint.schema.json",
        "blueprints/cost/regional.json",
        "hld/policypack/PulumiPolicy.yaml",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "stacks/", "bench/")) for n in names)


@pytest.fixture(scope="module")
def project(fresh, tmp_path_factory) -> Path:
    """`hld new` run outside the checkout, from the installed wheel."""
    where = tmp_path_factory.mktemp("team")
    done = run(fresh, where, "hld", "new", "shop", "--json")
    assert json.loads(done.stdout)["system"] == "shop"
    return where / "shop"


def test_hld_is_the_wheels_not_the_checkouts(fresh, project):
    done = run(fresh, project, "python", "-c", "import hld, generators; print(hld.__file__, generators.__file__)")
    assert str(ROOT) not in done.stdout and "site-packages" in done.stdout


def test_new_writes_a_pulumi_project_of_the_teams_own(project):
    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    for name in (
        "Pulumi.yaml",
        "__main__.py",
        "requirements.txt",
        ".gitignore",
        "blueprints/shop.yaml",
        "Pulumi.dev.yaml",
        "Pulumi.prod.yaml",
        "Pulumi.kind.yaml",
        "tests/test_blueprint.py",
        "policy/PulumiPolicy.yaml",
        "policy/__main__.py",
    ):
        assert name in files, name
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert settings["runtime"]["name"] == "python" and settings["runtime"]["options"]["virtualenv"] == "venv"
    assert "main" not in settings  # the program is the project's own __main__.py
    assert (project / "__main__.py").read_text().count("\n") <= 6
    assert "from hld.stack import main" in (project / "__main__.py").read_text()
    stack = yaml.safe_load((project / "Pulumi.prod.yaml").read_text())["config"]
    assert stack["hld:blueprint"] == "blueprints/shop.yaml" and stack["hld:environment"] == "production"
    from hld import __version__

    assert f"hld=={__version__}" in (project / "requirements.txt").read_text()
    assert "venv/" in (project / ".gitignore").read_text()


def test_every_command_works_in_the_teams_project(fresh, project):
    bp = "blueprints/shop.yaml"
    run(fresh, project, "hld", "validate", bp)
    run(fresh, project, "hld", "plan", bp)
    verified = json.loads(run(fresh, project, "hld", "verify", bp, "--stack", "prod", "--json").stdout)
    assert verified["ok"] and verified["stack"] == "prod"
    run(fresh, project, "hld", "render", bp, "--target", "docs", "--out", "out/docs")
    assert (project / "out/docs/HLD.md").is_file()
    run(fresh, project, "hld", "render", bp, "--target", "kubernetes", "--out", "out/kind")
    assert (project / "out/kind/kustomization.yaml").is_file()
    run(fresh, project, "hld", "build", bp, "--out", "out/build")
    # --stack names the project's own stack files; an unknown one lists them
    missing = run(fresh, project, "hld", "verify", bp, "--stack", "staging", check=False)
    assert missing.returncode == 2 and "dev, kind, prod" in missing.stderr


def test_the_projects_own_tests_pass_with_hld_testing(fresh, project):
    done = run(fresh, project, "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout


def test_new_refuses_a_folder_it_did_not_write(fresh, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    refused = run(fresh, tmp_path, "hld", "new", "mine", check=False)
    assert refused.returncode == 2 and "notes.txt" in refused.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "mine" / "Pulumi.yaml").exists()
