"""Benchmarks (not timed tests): print a table of figures and write them as JSON.

python -m bench.run            # everything
python -m bench.run fast       # validate / plan only
python -m bench.run synth      # hld synth vs the same resources registered directly (ratio target <= 1.3)
python -m bench.run scale      # generated blueprints, 1..100 services x 1..3 regions: s per resource; 100x3 verified
python -m bench.run render     # Kubernetes render of every reference blueprint (target < 1 s each)
python -m bench.run verify     # hld verify of every stack: moto vs plain mocks (ratio target <= 3), peak memory
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EXAMPLE = ROOT / "blueprints" / "examples" / "url-shortener.yaml"
HLD = [sys.executable, "-m", "hld.cli"]


def wall(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def fast_paths(runs: int = 20) -> list[dict[str, object]]:
    """`hld validate` and `hld plan` of url-shortener as a user runs them (new process each)."""
    rows = []
    for name, args in (("validate", ["validate", str(EXAMPLE)]), ("plan", ["plan", str(EXAMPLE)])):
        times = wall([*HLD, *args], runs)
        rows.append(
            {
                "benchmark": f"hld {name} url-shortener",
                "runs": runs,
                "median_s": round(statistics.median(times), 4),
                "min_s": round(min(times), 4),
                "max_s": round(max(times), 4),
                "target_s": 0.5,
            }
        )
    return rows


def synth_floor(runs: int = 15) -> list[dict[str, object]]:
    """`synth` of url-shortener-prod under mocks (the real entry point: config, blueprint, plan,
    components) against the floor: the same resources registered directly with pulumi-aws.
    In one warm process, alternating, so both see the same machine state."""
    from bench.floor import direct_program
    from hld.offline import run, synth_stack

    stack = "url-shortener-prod"
    reference = synth_stack(stack)  # warm-up, and the resources the floor registers
    program = direct_program(reference.graph)
    run({}, "floor", program=program)  # warm-up
    hld_times, floor_times = [], []
    for _ in range(runs):
        gc.collect()  # each run starts from the same heap: the other's garbage is not charged to it
        start = time.perf_counter()
        synth_stack(stack)
        hld_times.append(time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        run({}, "floor", program=program)
        floor_times.append(time.perf_counter() - start)
    custom = sum(1 for r in reference.graph.resources if r.custom)
    hld_s, floor_s = statistics.median(hld_times), statistics.median(floor_times)
    return [
        {
            "benchmark": f"synth {stack} ({custom} resources)",
            "runs": runs,
            "median_s": round(hld_s, 4),
            "min_s": round(min(hld_times), 4),
            "max_s": round(max(hld_times), 4),
            "ratio": round(hld_s / floor_s, 3),
        },
        {
            "benchmark": "floor: direct pulumi-aws",
            "runs": runs,
            "median_s": round(floor_s, 4),
            "min_s": round(min(floor_times), 4),
            "max_s": round(max(floor_times), 4),
            "ratio": 1.0,
        },
    ]


PEAK = (
    "import resource, sys\n"
    "sys.argv = ['hld', *sys.argv[1:]]\n"
    "from hld.cli import app\n"
    "try:\n    app(standalone_mode=False)\n"
    "except SystemExit:\n    pass\n"
    "finally:\n    print(f'maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
)
"""Runs the CLI in a new process and reports that process's peak memory (max RSS)."""


def verify(runs: int = 3) -> list[dict[str, object]]:
    """`hld verify` of every reference stack. In one warm process (alternating, gc between):
    program + checks under moto vs under plain mocks, and their ratio. Then once as a user
    runs it (`hld verify --json`, a new process): wall time and peak memory (max RSS)."""
    from hld.offline import synth_stack
    from tests.target.conftest import STACKS as stacks  # the AWS stacks

    synth_stack(stacks[0], cloud="moto").checks()  # warm-up: imports, moto's first backends
    rows: list[dict[str, object]] = []
    for stack in stacks:
        blueprint = _blueprint_of(stack)
        times: dict[str, list[float]] = {"moto": [], "mocks": []}
        for _ in range(runs):
            for cloud in ("moto", "mocks"):
                gc.collect()
                start = time.perf_counter()
                synth_stack(stack, cloud=cloud).checks()
                times[cloud].append(time.perf_counter() - start)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PEAK, "verify", blueprint, "--stack", stack, "--json"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        cli = time.perf_counter() - start
        peak = int(done.stderr.strip().splitlines()[-1].removeprefix("maxrss_kb="))
        moto_s, mocks_s = statistics.median(times["moto"]), statistics.median(times["mocks"])
        rows.append(
            {
                "benchmark": f"verify {stack}",
                "runs": runs,
                "moto_s": round(moto_s, 3),
                "mocks_s": round(mocks_s, 3),
                "ratio": round(moto_s / mocks_s, 2),
                "cli_s": round(cli, 2),
                "peak_mb": round(peak / 1024, 1),
            }
        )
    return rows


def _blueprint_of(stack: str) -> str:
    import yaml

    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return str(ROOT / data["config"]["hld:blueprint"])


def render(runs: int = 20) -> list[dict[str, object]]:
    """Kubernetes render of every reference blueprint in a warm process (load, plan, objects,
    strict schema validation, cross-object checks, files): target < 1 s each."""
    from blueprints import load, plan
    from generators.kubernetes import K8S_VERSION, files, kind_cluster, objects
    from hld.kube_checks import cross_problems, schema_problems

    rows: list[dict[str, object]] = []
    for path in sorted((ROOT / "blueprints" / "examples").glob("*.yaml")):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            p = plan(load(path))
            objs = objects(p)
            schema_problems(objs, K8S_VERSION)
            cross_problems(p, objs, kind_cluster(p))
            files(p)
            times.append(time.perf_counter() - start)
        rows.append(
            {
                "benchmark": f"render {path.stem} ({len(objs)} objects)",
                "runs": runs,
                "median_s": round(statistics.median(times), 4),
                "max_s": round(max(times), 4),
                "target_s": 1.0,
            }
        )
    return rows


REGIONS = ("us-east-1", "us-west-2", "us-east-2")


def generated(services: int, regions: int) -> dict[str, object]:
    """A blueprint with `services` services (the first public) over `regions` regions."""
    doc: dict[str, object] = {
        "name": f"gen-{services}x{regions}",
        "availability": 99.0,
        "consistency": "eventual",
        "redundancy": {"level": "multi-region" if regions > 1 else "multi-zone"}
        | ({"replication": "active"} if regions > 1 else {}),
        "regions": list(REGIONS[:regions]),
        "edge": {"domain": f"gen{services}x{regions}.example.com"},
        "services": [
            {
                "name": f"svc{i}",
                "image": "ghcr.io/example/svc:1",
                "public": i == 0,
                "routes": ["GET /"] if i == 0 else [],
                "uses": ["table", {"name": "jobs", "async": True}],
                "peak_rps": 200,
                "rps_per_replica": 100,
            }
            for i in range(services)
        ],
        "datastores": [{"name": "table", "kind": "key-value"}, {"name": "jobs", "kind": "queue"}],
    }
    return doc


def scale(sizes: tuple[int, ...] = (1, 10, 50, 100), regions: tuple[int, ...] = (1, 2, 3)) -> list[dict[str, object]]:
    """Scale curve on generated blueprints: resources emitted, seconds and seconds per resource for
    synth (plain mocks), then verify (moto) of the largest: target < 120 s for 100 services x 3 regions."""
    import tempfile

    import yaml

    from hld.offline import synth_blueprint

    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        synth_blueprint(_write(tmp, generated(1, 1), yaml))  # warm-up
        for r in regions:
            for n in sizes:
                path = _write(tmp, generated(n, r), yaml)
                gc.collect()
                start = time.perf_counter()
                result = synth_blueprint(path, stack=f"gen-{n}x{r}")
                seconds = time.perf_counter() - start
                count = sum(1 for x in result.graph.resources if x.custom)
                rows.append(
                    {
                        "benchmark": f"synth {n} services x {r} regions",
                        "resources": count,
                        "seconds": round(seconds, 2),
                        "ms_per_resource": round(1000 * seconds / count, 3),
                    }
                )
        n, r = sizes[-1], regions[-1]
        path = _write(tmp, generated(n, r), yaml)
        gc.collect()
        start = time.perf_counter()
        result = synth_blueprint(path, stack=f"gen-{n}x{r}", cloud="moto")
        failed = [o.check for o in result.checks() if o.status == "fail"]
        seconds = time.perf_counter() - start
        count = sum(1 for x in result.graph.resources if x.custom)
        rows.append(
            {
                "benchmark": f"verify (moto) {n} services x {r} regions" + (f" failed: {failed}" if failed else ""),
                "resources": count,
                "seconds": round(seconds, 2),
                "ms_per_resource": round(1000 * seconds / count, 3),
            }
        )
    return rows


def _write(tmp: str, doc: dict[str, object], yaml: object) -> Path:
    path = Path(tmp) / f"{doc['name']}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))  # type: ignore[attr-defined]
    return path


SUITES = {"fast": fast_paths, "synth": synth_floor, "verify": verify, "render": render, "scale": scale}


def main(argv: list[str]) -> None:
    chosen = argv or list(SUITES)
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    for name in chosen:
        rows = SUITES[name]()
        print(f"\n== {name} ==")
        keys = list(rows[0])
        print("  ".join(f"{k:>12}" if k != "benchmark" else f"{k:<34}" for k in keys))
        for row in rows:
            print("  ".join(f"{row[k]!s:>12}" if k != "benchmark" else f"{row[k]!s:<34}" for k in keys))
        (RESULTS / f"{name}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main(sys.argv[1:])
