"""Compare experiment results between two source trees: bit-identical, or by how much not.

A speed-up should change no result, or only by rounding. This runs the same random
settings (sliders, choice options, seeds 0-4, every 7th at fidelity 1 and every 5th at
oversight 0) through `alignlab.run` in each tree, in a subprocess with that tree on
PYTHONPATH, and prints how many results differ, the largest change of any number
(relative to max(1, |value|)), and any difference that is not a number (text, counts).

Usage:
    git archive HEAD~3 src | tar -x -C /tmp/before
    python benchmarks/compare_results.py --before /tmp/before/src --only goodhart --runs 40
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def dump(ids: list[str], runs: int, out: Path) -> None:
    """Run every experiment in `ids` at `runs` seeded random settings; write JSON lines."""
    import numpy as np

    import alignlab

    with out.open("w") as sink:
        for spec in alignlab.experiments():
            if spec.id not in ids:
                continue
            rng = np.random.default_rng(123)
            for i in range(runs):
                pressure, fidelity, oversight = rng.random(3).tolist()
                fidelity = 1.0 if i % 7 == 0 else fidelity
                oversight = 0.0 if i % 5 == 0 else oversight
                options = {
                    opt.name: str(rng.choice(list(opt.choices)))
                    for opt in spec.schema.options
                    if opt.kind == "choice"
                }
                result = alignlab.run(
                    spec.id,
                    pressure=pressure,
                    fidelity=fidelity,
                    oversight=oversight,
                    seed=int(rng.integers(0, 5)),
                    **options,
                ).to_dict()
                result.pop("version", None)
                sink.write(json.dumps({"id": spec.id, "i": i, "result": result}) + "\n")


def differences(before: Any, after: Any, path: str = "") -> tuple[float, list[str]]:
    """Largest relative change of any number, and the paths of non-numeric differences."""
    if isinstance(before, dict) and isinstance(after, dict):
        worst, other = 0.0, []
        for key in before.keys() | after.keys():
            if key not in before or key not in after:
                other.append(f"{path}.{key} (missing)")
                continue
            w, o = differences(before[key], after[key], f"{path}.{key}")
            worst, other = max(worst, w), other + o
        return worst, other
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        worst, other = 0.0, []
        for k, (b, a) in enumerate(zip(before, after, strict=True)):
            w, o = differences(b, a, f"{path}[{k}]")
            worst, other = max(worst, w), other + o
        return worst, other
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after)):
        return abs(float(after) - float(before)) / max(1.0, abs(float(before))), []
    return 0.0, ([] if before == after else [path])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="src folder of the code before")
    parser.add_argument("--after", type=Path, default=Path("src"), help="src folder after")
    parser.add_argument("--only", nargs="+", required=True, metavar="ID")
    parser.add_argument("--runs", type=int, default=40, help="random settings per experiment")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump is not None:
        dump(args.only, args.runs, args.dump)
        return
    if args.before is None:
        parser.error("--before is required")
    rows: dict[str, dict[tuple[str, int], Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, tree in (("before", args.before), ("after", args.after)):
            out = Path(tmp) / f"{name}.jsonl"
            env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
            command = [sys.executable, __file__, "--dump", str(out), "--runs", str(args.runs)]
            subprocess.run([*command, "--only", *args.only], env=env, check=True)
            lines = [json.loads(line) for line in out.read_text().splitlines()]
            rows[name] = {(r["id"], r["i"]): r["result"] for r in lines}
    for experiment in args.only:
        keys = sorted(k for k in rows["before"] if k[0] == experiment)
        differ, worst = 0, 0.0
        other: list[str] = []
        for key in keys:
            b, a = rows["before"][key], rows["after"].get(key)
            if a == b:
                continue
            differ += 1
            w, o = differences(b, a)
            worst, other = max(worst, w), other + [f"run {key[1]}: {p}" for p in o]
        print(
            f"{experiment}: {differ} of {len(keys)} results differ; largest change of a "
            f"number {worst:.1e} (relative to max(1, |value|)); other differences: {len(other)}"
        )
        for line in other[:10]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
