"""Benchmark: what the red-team attacks add to a run's time against the loopback stub.

Two runs of the same Inspect red-team task (same solver chain, same scorer, the keyword
refusal detector, the same number of requests) against the scripted stub on 127.0.0.1
at 50 ms latency and 50 connections:

- plain: every behaviour and benign contrast sent as is (the `plain` attack);
- attacked: the same items, each rendered by one of the single-turn attacks in turn
  (every encoding, framing and injection, and the default compositions), so the run
  pays for rendering, for decoding the answers and for the on-topic check.

Multi-turn attacks (crescendo, many-shot, pair) are left out of the timed comparison:
they send more or longer requests by design, which is the attack, not overhead.
It also times the attack layer alone (render + decode + on-topic for every sample,
no model), as a share of the plain run. Runs alternate; medians of wall time and of
this process's CPU time (Inspect, scoring and the in-process stub; less disturbed by
other users of a shared machine than wall time) are reported.

Run: `PYTHONPATH=src python benchmarks/bench_redteam.py [--repeats 3] [--json F]`
(the docs' figures: `--repeats 3 --json benchmarks/results/bench_redteam.json`).
The machine is shared (2 cores, several engineers), so read the medians, not the best.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval
from inspect_ai.dataset import MemoryDataset, Sample

from alignlab.bench import ScriptedServer, build_model, load_system
from alignlab.bench.redteam import parse_attacks, scripted_targets, select
from alignlab.bench.redteam._score import on_topic, readings
from alignlab.bench.redteam._scripted import _conversations
from alignlab.bench.redteam._task import (
    attack_samples,
    redteam_scorer,
    redteam_turns,
    system_chain,
)

LATENCY = 0.05
CONNECTIONS = 50


def single_turn_attacks() -> list[Any]:
    return [
        a
        for a in parse_attacks("all")
        if a.name != "plain" and len(a.render("x")) == 1 and a.family != "adaptive"
    ]


def samples(attacked: bool) -> list[Sample]:
    items = select(None)
    if not attacked:
        return attack_samples(items, parse_attacks("plain"), 1)
    attacks = single_turn_attacks()
    return [
        attack_samples((item,), (attacks[i % len(attacks)],), 1)[0] for i, item in enumerate(items)
    ]


def run(spec: Any, dataset: list[Sample], log_dir: str) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of this process: Inspect, scoring and the stub)."""
    head, guarded = system_chain(spec)
    task = Task(
        name="redteam",
        dataset=MemoryDataset(dataset),
        solver=[*head, redteam_turns(guarded, None, 1, "keyword", spec), *guarded],
        scorer=redteam_scorer("keyword"),
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    logs = eval(
        task,
        model=build_model(spec, CONNECTIONS),
        log_dir=log_dir,
        display="none",
        max_connections=CONNECTIONS,
        max_retries=2,
        timeout=30,
        score_display=False,
        log_buffer=100,
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert logs[0].status == "success", logs[0].status
    return elapsed, cpu


def attack_layer_seconds() -> float:
    """Render, decode and on-topic check for every attacked sample, without a model."""
    attacks = single_turn_attacks()
    items = select(None)
    started = time.perf_counter()
    for i, item in enumerate(items):
        attack = attacks[i % len(attacks)]
        turns = attack.render(item.request, 0)
        answers = readings(turns[-1].content, attack)
        on_topic(answers, item.request, item.success)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    os.environ.setdefault("ALIGNLAB_BENCH_KEY", "scripted")
    _conversations()  # the scripted target's lookup table, built once before timing
    plain, attacked = samples(False), samples(True)
    times: dict[str, list[float]] = {"plain": [], "attacked": []}
    cpu: dict[str, list[float]] = {"plain": [], "attacked": []}
    with (
        ScriptedServer(scripted_targets(), latency=LATENCY) as server,
        tempfile.TemporaryDirectory() as work,
    ):
        system = Path(work) / "weak.toml"
        system.write_text(
            'name = "scripted-weak"\n[model]\nname = "openai-api/scripted/scripted-weak"\n'
            f'base_url = "{server.base_url}"\napi_key_env = "ALIGNLAB_BENCH_KEY"\n'
            '[scoring]\nrefusal_detector = "keyword"\n',
            encoding="utf-8",
        )
        spec = load_system(system)
        run(spec, plain[:20], str(Path(work) / "warm"))  # imports and connections
        for repeat in range(args.repeats):
            for name, dataset in (("plain", plain), ("attacked", attacked)):
                seconds, cpu_seconds = run(spec, dataset, str(Path(work) / f"{name}-{repeat}"))
                times[name].append(seconds)
                cpu[name].append(cpu_seconds)
                print(
                    f"{name:<9} run {repeat + 1}: {seconds:6.2f} s wall, {cpu_seconds:6.2f} s CPU "
                    f"({len(dataset)} samples)",
                    flush=True,
                )
    layer = statistics.median(attack_layer_seconds() for _ in range(5))
    plain_s, attacked_s = statistics.median(times["plain"]), statistics.median(times["attacked"])
    plain_cpu, attacked_cpu = statistics.median(cpu["plain"]), statistics.median(cpu["attacked"])
    result = {
        "samples": len(plain),
        "latency_s": LATENCY,
        "connections": CONNECTIONS,
        "attacks": [a.name for a in single_turn_attacks()],
        "plain_median_s": plain_s,
        "attacked_median_s": attacked_s,
        "added_pct": 100 * (attacked_s - plain_s) / plain_s,
        "plain_cpu_median_s": plain_cpu,
        "attacked_cpu_median_s": attacked_cpu,
        "added_cpu_pct": 100 * (attacked_cpu - plain_cpu) / plain_cpu,
        "attack_layer_s": layer,
        "attack_layer_pct_of_plain": 100 * layer / plain_s,
        "runs": times,
        "cpu_runs": cpu,
    }
    print(
        f"median wall: plain {plain_s:.2f} s, attacked {attacked_s:.2f} s "
        f"({result['added_pct']:+.1f}%); median CPU: plain {plain_cpu:.2f} s, attacked "
        f"{attacked_cpu:.2f} s ({result['added_cpu_pct']:+.1f}%); attack layer alone "
        f"{1000 * layer:.1f} ms ({result['attack_layer_pct_of_plain']:.2f}% of the plain run)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
