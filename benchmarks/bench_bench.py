"""Benchmark: a 1,000-sample Bench run against the scripted stub at 50 ms latency, 50 connections.

Three ways to make the same 1,000 requests to the same stub on 127.0.0.1:

- `alignlab bench run` (library call `run_suite`): system file, XSTest-format suite of
  1,000 items, refusal scorer, Inspect log, resumable;
- plain Inspect AI: a bare 1,000-sample `Task` with `generate()` and `includes()`;
- a bare httpx loop: 1,000 POSTs, 50 at a time, nothing else.

The concurrency bound is 1,000 x 50 ms / 50 = 1.0 s. Each is repeated and the median
wall time is reported, with our overhead against plain Inspect and against httpx.
Optionally (`--demo`) it also times `alignlab bench demo` end to end.

Run: `PYTHONPATH=src python benchmarks/bench_bench.py [--repeats 3] [--demo] [--json F]`;
`--detector trained --only-alignlab` times the run scored by the trained detector alone.
(the README's figures: `--repeats 3 --demo --json benchmarks/results/bench_bench.json`).
The machine is shared (2 cores, several engineers), so read the medians, not the best.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import GenerateConfig, get_model
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

from alignlab.bench import ScriptedServer, load_system, refusal_items, run_demo, run_suite
from alignlab.bench._scripted import scripted_policy

SAMPLES = 1000
LATENCY = 0.05
CONNECTIONS = 50
BOUND = SAMPLES * LATENCY / CONNECTIONS
MODEL = "scripted-calibrated"


def _prompts() -> list[str]:
    items = refusal_items()
    return [
        f"{items[i % len(items)]['prompt']} (variant {i // len(items)})" for i in range(SAMPLES)
    ]


def _xstest_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prompt", "type", "label"])
        for i, prompt in enumerate(_prompts()):
            writer.writerow([f"b{i:04d}", prompt, "bench", "safe"])
    return path


DETECTOR = "keyword"
"""The refusal detector of the alignlab run (`--detector`)."""


def time_alignlab(base_url: str, work: Path) -> float:
    system = work / "system.toml"
    system.write_text(
        f'name = "bench"\n[model]\nname = "openai-api/scripted/{MODEL}"\nbase_url = "{base_url}"\n'
        'api_key_env = "BENCH_KEY"\n'
        "[generation]\nmax_retries = 2\ntimeout = 60\nattempt_timeout = 30\n"
        f'[scoring]\nrefusal_detector = "{DETECTOR}"\n',
        encoding="utf-8",
    )
    csv_path = _xstest_csv(work / "items.csv")
    spec = load_system(system)
    started = time.perf_counter()
    run = run_suite(
        spec,
        "xstest",
        xstest_path=str(csv_path),
        log_dir=str(work / "alignlab-logs"),
        max_connections=CONNECTIONS,
        display="none",
        fresh=True,
    )
    elapsed = time.perf_counter() - started
    assert run.errors == 0 and len(run.log.samples or []) == SAMPLES
    return elapsed


def time_plain_inspect(base_url: str, work: Path) -> float:
    task = Task(
        dataset=[Sample(id=i, input=p, target="Sure") for i, p in enumerate(_prompts())],
        solver=generate(),
        scorer=includes(),
    )
    model = get_model(
        f"openai-api/scripted/{MODEL}",
        base_url=base_url,
        api_key_var="BENCH_KEY",
        config=GenerateConfig(max_retries=2, timeout=60, max_connections=CONNECTIONS),
    )
    started = time.perf_counter()
    logs = eval(
        task,
        model=model,
        log_dir=str(work / "inspect-logs"),
        display="none",
        max_connections=CONNECTIONS,
        max_retries=2,
        timeout=60,
    )
    elapsed = time.perf_counter() - started
    assert logs[0].status == "success" and len(logs[0].samples or []) == SAMPLES
    return elapsed


async def _httpx_loop(base_url: str) -> float:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    gate = asyncio.Semaphore(CONNECTIONS)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def one(prompt: str) -> str:
            async with gate:
                response = await client.post(
                    "/chat/completions",
                    json={"model": MODEL, "messages": [{"role": "user", "content": prompt}]},
                    headers={"Authorization": "Bearer x"},
                )
                response.raise_for_status()
                return str(response.json()["choices"][0]["message"]["content"])

        started = time.perf_counter()
        answers = await asyncio.gather(*(one(p) for p in _prompts()))
        elapsed = time.perf_counter() - started
    assert len(answers) == SAMPLES
    return elapsed


def time_httpx(base_url: str, work: Path) -> float:
    return asyncio.run(_httpx_loop(base_url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="also time `alignlab bench demo`")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--detector",
        choices=["keyword", "trained"],
        default="keyword",
        help="refusal detector of the alignlab run (trained: batched MiniLM heads)",
    )
    parser.add_argument(
        "--only-alignlab", action="store_true", help="time only `alignlab bench run`"
    )
    args = parser.parse_args()
    global DETECTOR
    DETECTOR = args.detector
    os.environ["BENCH_KEY"] = "unused"
    runners = {
        "alignlab bench run": time_alignlab,
        "plain Inspect AI": time_plain_inspect,
        "bare httpx loop": time_httpx,
    }
    if args.only_alignlab:
        runners = {"alignlab bench run": time_alignlab}
    times: dict[str, list[float]] = {name: [] for name in runners}
    with ScriptedServer({MODEL: scripted_policy("calibrated")}, latency=LATENCY) as server:
        for repeat in range(args.repeats):
            for name, runner in runners.items():
                with tempfile.TemporaryDirectory() as work:
                    times[name].append(runner(server.base_url, Path(work)))
                print(f"repeat {repeat + 1}: {name}: {times[name][-1]:.2f} s", flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    ours = medians["alignlab bench run"]
    if args.only_alignlab:
        print(f"alignlab bench run ({DETECTOR} detector): median {ours:.1f} s", flush=True)
        if args.json:
            Path(args.json).write_text(
                json.dumps({"detector": DETECTOR, "wall_s": times, "median_s": ours}, indent=2),
                encoding="utf-8",
            )
        return
    result: dict[str, Any] = {
        "samples": SAMPLES,
        "latency_s": LATENCY,
        "connections": CONNECTIONS,
        "bound_s": BOUND,
        "repeats": args.repeats,
        "wall_s": times,
        "median_s": medians,
        "overhead_vs_plain_inspect_s": ours - medians["plain Inspect AI"],
        "overhead_vs_httpx_s": ours - medians["bare httpx loop"],
    }
    if args.demo:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            run_demo(Path(work) / "demo")
            result["demo_s"] = time.perf_counter() - started
    print()
    print(
        "| way (1,000 samples, 50 ms latency, 50 connections) | median wall (s) "
        f"| x bound ({BOUND:.1f} s) |"
    )
    print("|---|---:|---:|")
    for name, median in medians.items():
        print(f"| {name} | {median:.1f} | {median / BOUND:.1f}x |")
    print()
    print(
        f"alignlab overhead: {result['overhead_vs_plain_inspect_s']:+.1f} s vs plain Inspect AI "
        f"({ours / medians['plain Inspect AI']:.2f}x), "
        f"{result['overhead_vs_httpx_s']:+.1f} s vs bare httpx "
        f"({ours / medians['bare httpx loop']:.1f}x)"
    )
    if "demo_s" in result:
        print(
            "alignlab bench demo (4 scripted systems x 2 suites, default 120 items each, "
            f"960 samples): {result['demo_s']:.1f} s"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
