"""Benchmark: a 1,000-sample Bench run against the scripted stub at 50 ms latency, 50 connections.

Three ways to make the same 1,000 requests to the same stub on 127.0.0.1:

- `alignlab bench run` (library call `run_suite`): system file, XSTest-format suite of
  1,000 items, refusal scorer, Inspect log, resumable;
- plain Inspect AI: a bare 1,000-sample `Task` with `generate()` and `includes()`;
- a bare httpx loop: 1,000 POSTs, 50 at a time, nothing else.

The concurrency bound is 1,000 x 50 ms / 50 = 1.0 s. Each is repeated and the median
wall time is reported, with our overhead against plain Inspect and against httpx.
Optionally (`--demo`) it also times `alignlab bench demo` end to end.

`--cli` is the speed target's measurement (at most 1.05x): `alignlab bench run` against a
plain `inspect eval` of the *same* task (`_suites.py@xstest` with the same items, system
file, detector, retries, timeouts and 50 connections), each a fresh process so start-up
imports count, alternating which goes first, with the load average noted.

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
import subprocess
import sys
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


def _system_file(base_url: str, work: Path) -> Path:
    system = work / "system.toml"
    system.write_text(
        f'name = "bench"\n[model]\nname = "openai-api/scripted/{MODEL}"\nbase_url = "{base_url}"\n'
        'api_key_env = "BENCH_KEY"\n'
        "[generation]\nmax_retries = 2\ntimeout = 60\nattempt_timeout = 30\n"
        f'[scoring]\nrefusal_detector = "{DETECTOR}"\n',
        encoding="utf-8",
    )
    return system


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:4]} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {**os.environ, "PYTHONPATH": src, "BENCH_KEY": "unused", "SCRIPTED_API_KEY": "unused"}


def cli_alignlab(base_url: str, work: Path) -> float:
    """`alignlab bench run` as a user types it: a fresh process, start-up included."""
    argv = [sys.executable, "-m", "alignlab", "bench", "run", str(_system_file(base_url, work))]
    argv += ["--suite", "xstest", "--xstest", str(_xstest_csv(work / "items.csv"))]
    argv += ["--max-connections", str(CONNECTIONS), "--log-dir", str(work / "logs"), "--fresh"]
    return _timed(argv, _env())


def cli_inspect(base_url: str, work: Path) -> float:
    """Plain `inspect eval` of the same task (same items, system file, scorer, limits)."""
    system = _system_file(base_url, work)
    argv = [sys.executable, "-m", "inspect_ai", "eval", f"{SUITES_FILE}@xstest"]
    argv += ["-T", f"path={_xstest_csv(work / 'items.csv')}", "-T", f"system={system}"]
    argv += ["-T", f"detector={DETECTOR}", "--model", f"openai-api/scripted/{MODEL}"]
    argv += ["--model-base-url", base_url, "--max-connections", str(CONNECTIONS)]
    argv += ["--max-retries", "2", "--timeout", "60", "--attempt-timeout", "30"]
    argv += ["--log-dir", str(work / "logs"), "--display", INSPECT_DISPLAY]
    return _timed(argv, _env())


SUITES_FILE = Path(__file__).resolve().parents[1] / "src" / "alignlab" / "bench" / "_suites.py"
INSPECT_DISPLAY = "none"
"""`inspect eval --display` in the CLI comparison (`--inspect-display`)."""


def _load() -> float:
    return os.getloadavg()[0]


def main_cli(repeats: int, out: str | None) -> None:
    """The two commands side by side, alternating which goes first, with the load noted."""
    runners = {"alignlab bench run": cli_alignlab, "inspect eval": cli_inspect}
    times: dict[str, list[float]] = {name: [] for name in runners}
    loads: list[float] = []
    print(f"uptime at start: {_uptime()}", flush=True)
    with ScriptedServer({MODEL: scripted_policy("calibrated")}, latency=LATENCY) as server:
        for repeat in range(repeats):
            order = list(runners) if repeat % 2 == 0 else list(reversed(runners))
            for name in order:
                loads.append(_load())
                with tempfile.TemporaryDirectory() as work:
                    times[name].append(runners[name](server.base_url, Path(work)))
                print(f"repeat {repeat + 1}: {name}: {times[name][-1]:.2f} s", flush=True)
                if out:  # kept after every run, so an interrupted benchmark keeps its data
                    partial = {"partial": True, "wall_s": times, "load_average_1min": loads}
                    Path(out).write_text(json.dumps(partial, indent=2), encoding="utf-8")
    print(f"uptime at end: {_uptime()}", flush=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["alignlab bench run"] / medians["inspect eval"]
    ratios = [
        a / b for a, b in zip(times["alignlab bench run"], times["inspect eval"], strict=True)
    ]
    print()
    print("| command (1,000 samples, 50 ms latency, 50 connections) | median wall (s) | runs (s) |")
    print("|---|---:|---|")
    for name, median in medians.items():
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        print(f"| {name} | {median:.1f} | {runs} |")
    print()
    print(
        f"alignlab bench run / inspect eval: {ratio:.3f}x (medians); paired ratios "
        f"{', '.join(f'{r:.3f}' for r in ratios)}; load average {min(loads):.1f}-{max(loads):.1f}"
    )
    if out:
        Path(out).write_text(
            json.dumps(
                {
                    "samples": SAMPLES,
                    "latency_s": LATENCY,
                    "connections": CONNECTIONS,
                    "detector": DETECTOR,
                    "inspect_display": INSPECT_DISPLAY,
                    "repeats": repeats,
                    "wall_s": times,
                    "median_s": medians,
                    "ratio_of_medians": ratio,
                    "paired_ratios": ratios,
                    "load_average_1min": loads,
                },
                indent=2,
            ),
            encoding="utf-8",
        )


def _uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return f"load average {os.getloadavg()}"


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
    parser.add_argument(
        "--cli",
        action="store_true",
        help="time `alignlab bench run` against plain `inspect eval` of the same task, both "
        "as fresh processes (the speed target: at most 1.05x)",
    )
    parser.add_argument(
        "--inspect-display",
        default="none",
        choices=["none", "plain", "rich", "log"],
        help="--display of the `inspect eval` side with --cli (default none, its cheapest)",
    )
    args = parser.parse_args()
    global DETECTOR, INSPECT_DISPLAY
    DETECTOR = args.detector
    INSPECT_DISPLAY = args.inspect_display
    if args.cli:
        main_cli(args.repeats, args.json)
        return
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
