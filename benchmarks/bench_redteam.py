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
no model), as a share of the plain run. Runs alternate; medians are reported.

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


def run(spec: Any, dataset: list[Sample], log_dir: str) -> float:
    head, guarded = system_chain(spec)
    task = Task(
        name="redteam",
        dataset=MemoryDataset(dataset),
        solver=[*head, redteam_turns(guarded, None, 1, "keyword", spec), *guarded],
        scorer=redteam_scorer("keyword"),
    )
    started = time.perf_counter()
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
    elapsed = time.perf_counter() - started
    assert logs[0].status == "success", logs[0].status
    return elapsed


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
                seconds = run(spec, dataset, str(Path(work) / f"{name}-{repeat}"))
                times[name].append(seconds)
                print(f"{name:<9} run {repeat + 1}: {seconds:6.2f} s ({len(dataset)} samples)")
    layer = statistics.median(attack_layer_seconds() for _ in range(5))
    plain_s, attacked_s = statistics.median(times["plain"]), statistics.median(times["attacked"])
    result = {
        "samples": len(plain),
        "latency_s": LATENCY,
        "connections": CONNECTIONS,
        "attacks": [a.name for a in single_turn_attacks()],
        "plain_median_s": plain_s,
        "attacked_median_s": attacked_s,
        "added_pct": 100 * (attacked_s - plain_s) / plain_s,
        "attack_layer_s": layer,
        "attack_layer_pct_of_plain": 100 * layer / plain_s,
        "runs": times,
    }
    print(
        f"median plain {plain_s:.2f} s, attacked {attacked_s:.2f} s: "
        f"{result['added_pct']:+.1f}% ; attack layer alone {1000 * layer:.1f} ms "
        f"({result['attack_layer_pct_of_plain']:.2f}% of the plain run)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
