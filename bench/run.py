"""Benchmarks (not timed tests): print a table of figures and write them as JSON.

python -m bench.run            # everything
python -m bench.run fast       # validate / plan only
"""

from __future__ import annotations

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


SUITES = {"fast": fast_paths}


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
