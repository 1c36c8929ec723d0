"""Benchmark `alignlab sweep`: speed-up over a sequential loop, engine overhead, paper size.

Run:  python benchmarks/bench_sweep.py [--skip-paper] [--repeats 3] [--paper-seeds 100]
      [--paper-budget SECONDS --paper-out FILE] [--figure PATH]

Prints a Markdown table (and the load average beside each figure, since the machine may
be shared):

1. a 500-run goodhart sweep (25 pressures x 2 fidelities x 10 seeds): a sequential loop
   of `alignlab.run` calls in this process, against the engine on this machine's cores
   (embedded Ray), and against the ceiling any engine has here: the same runs split over
   one plain process per CPU (no Ray, no Parquet). The three are interleaved `--repeats`
   times and the medians compared, so a change of load hits them alike. The engine's
   start (`ray.init`) and its workers' first import of alignlab (a warm-up batch per
   CPU) are timed apart; the cold total adds them, what one `alignlab sweep` costs;
2. engine overhead per run: on 4,000 refusal-calibration runs (about 1 ms each, so the
   engine's own cost dominates), (wall time x CPUs - the runs' own time) / runs: the
   CPU-slot time per run not spent in `alignlab.run` (dispatch, pickling, Arrow typing,
   Parquet writes, idle tail);
3. the paper-size sweep, goodhart 65 pressures x 5 fidelities x 100 seeds (32,500
   runs), run with the `alignlab sweep` CLI; its per-run CPU time and the driver's
   per-row cost give the estimate for a 64-core cluster. With `--paper-budget S` the sweep
   is stopped by Ctrl-C after S seconds and keeps its runs; run the same command with
   the same `--paper-out` to go on (sittings add up to the full sweep). With
   `--figure`, the results are drawn with `alignlab sweep plot` (the figure in
   docs/sweep.md).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from statistics import median

import pyarrow.parquet as pq

import alignlab
from alignlab.sweep import plan, run_sweep
from alignlab.sweep._engine import _connect
from alignlab.sweep._table import PartWriter, columns_to_table, finalize
from alignlab.sweep._worker import run_batch

PAPER_RUNS = 65 * 5 * 100


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def sequential(spec_runs: list, experiment: str) -> float:
    start = time.perf_counter()
    for run in spec_runs:
        alignlab.run(
            experiment,
            pressure=run.pressure,
            fidelity=run.fidelity,
            oversight=run.oversight,
            seed=run.seed,
            **run.options,
        )
    return time.perf_counter() - start


def _half(runs: list) -> float:
    """Run `runs` in a plain worker process (the two-process ceiling); return seconds."""
    return sequential(runs, "goodhart")


def bench_500(tmp: Path, repeats: int) -> list[str]:
    """The loop, the warm engine and two plain processes, interleaved `repeats` times."""
    spec = plan("goodhart", pressure="0:1:25", fidelity="0.2,0.8", seeds="0:10")
    assert spec.size == 500
    runs = list(spec.runs())
    rows = []
    load_before = load()
    ray, _, start_s = _connect(None, None)
    workers = int(ray.cluster_resources()["CPU"])
    warm = time.perf_counter()
    task = ray.remote(run_batch).options(num_cpus=1)
    ray.get([task.remote("goodhart", [(0.5, 0.5, 0.0, {}, 99)]) for _ in range(workers)])
    warm_s = time.perf_counter() - warm
    sequential(runs[:5], "goodhart")  # the loop's imports and first caches, as the workers'
    halves = [runs[i::workers] for i in range(workers)]  # interleaved: equal work each
    seq_s, engine_s, plain_s, busy_s, loads = [], [], [], [], []
    report = None
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(_half, [runs[:2]] * workers))  # start and warm the plain processes
        for _ in range(repeats):
            loads.append(os.getloadavg()[0])
            seq_s.append(sequential(runs, "goodhart"))
            report = run_sweep(spec, tmp / "500.parquet", overwrite=True)
            engine_s.append(report.seconds)
            busy_s.append(
                sum(pq.read_table(tmp / "500.parquet").column("run_ms").to_pylist()) / 1e3
            )
            t0 = time.perf_counter()
            list(pool.map(_half, halves))
            plain_s.append(time.perf_counter() - t0)
    assert report is not None
    seq, eng, plain = median(seq_s), median(engine_s), median(plain_s)
    span = f"{min(loads):.1f}-{max(loads):.1f}"
    loop = f"sequential loop of `alignlab.run` (median of {repeats})"
    rows.append(f"| {loop} | {seq:.1f} s | 1.00x | {span} |")
    rows.append(
        f"| engine, Ray up and workers warm ({workers} CPUs, {report.batch_runs} runs/task) "
        f"| {eng:.1f} s | {seq / eng:.2f}x | {span} |"
    )
    rows.append(
        f"| ceiling: the loop split over {workers} plain processes, no engine "
        f"| {plain:.1f} s | {seq / plain:.2f}x | {span} |"
    )
    busy = median(busy_s)
    rows.append(
        f"| where the engine's time goes: the runs' own time on the workers {busy:.1f} s "
        f"(the loop's: {seq:.1f} s); CPU slots idle or in engine work "
        f"{eng * workers - busy:.1f} s | | | {span} |"
    )
    cold = start_s + warm_s + eng
    rows.append(
        f"| engine cold: start {start_s:.1f} s + worker imports {warm_s:.1f} s + sweep "
        f"| {cold:.1f} s | {seq / cold:.2f}x | {load_before} |"
    )

    overhead_spec = plan("refusal-calibration", pressure="0:1:40", fidelity="0:1:10", seeds="0:10")
    load_before = load()
    report = run_sweep(overhead_spec, tmp / "overhead.parquet", overwrite=True)
    run_ms = pq.read_table(tmp / "overhead.parquet", columns=["run_ms"]).column("run_ms")
    busy_ms = sum(run_ms.to_pylist())
    overhead = (report.seconds * workers * 1e3 - busy_ms) / overhead_spec.size
    rows.append(
        f"| engine overhead per run ({overhead_spec.size:,} refusal-calibration runs, "
        f"{busy_ms / overhead_spec.size:.2f} ms each) | {overhead:.2f} ms | | {load_before} |"
    )
    ray.shutdown()
    return rows


def driver_ms_per_row(tmp: Path) -> float:
    """The driver's own cost per goodhart row: Arrow typing, part write, final merge."""
    batch = [(p / 24, 0.5, 0.0, {}, 0) for p in range(25)]
    columns = run_batch("goodhart", batch)
    out = tmp / "driver.parquet"
    writer = PartWriter(out)
    start = time.perf_counter()
    for _ in range(40):
        writer.write(columns_to_table(columns))
    finalize(out, {"experiment": "goodhart"})
    return (time.perf_counter() - start) * 1e3 / (40 * len(batch))


def bench_paper(
    tmp: Path, seeds: int, figure: Path | None, out: Path | None, budget: float | None
) -> list[str]:
    """Run (or, with an existing `out`, resume) the paper-size sweep through the CLI.

    With `budget` seconds the sweep is stopped with Ctrl-C (SIGINT) when they run out: it
    keeps every finished run in `out`, and the same command resumes it, so the 32,500 runs
    can be measured in sittings; the rows then describe this sitting's rate.
    """
    out = out or tmp / "paper.parquet"
    argv = [sys.executable, "-m", "alignlab", "sweep", "goodhart", "--pressure", "0:1:65"]
    argv += ["--fidelity", "0:1:5", "--seeds", f"0:{seeds}", "--out", str(out), "--json"]
    argv += ["--quiet"]
    argv += ["--resume"] if out.exists() or out.with_name(out.name + ".partial").exists() else []
    load_before = load()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate()
    if proc.returncode not in (0, 130):
        raise SystemExit(f"the paper sweep failed ({proc.returncode}): {stderr.strip()}")
    report = json.loads(stdout)
    table = pq.read_table(out, columns=["run_ms"])
    run_ms = table.column("run_ms").to_pylist()
    cpu_s = sum(run_ms) / 1e3
    driver_ms = driver_ms_per_row(tmp)
    runs = report["rows"]
    planned = 65 * 5 * seeds
    # 64 cores, for the full paper size whatever --paper-seeds measured here: the runs' CPU
    # time spread over 64 workers, or the driver's ingest, whichever binds, plus the
    # engine start measured here (a cluster's is paid once, at `ray start`).
    startup = report["engine_seconds"]
    compute = PAPER_RUNS * (cpu_s / runs) / 64
    ingest = PAPER_RUNS * driver_ms / 1e3
    estimate = max(compute, ingest) + startup
    rate = report["ran"] / max(report["seconds"] - startup, 1e-9)
    stopped = f", stopped after {budget:.0f} s budget" if report["interrupted"] else ""
    rows = [
        f"| paper size: goodhart 65 x 5 x {seeds}: {runs:,} of {planned:,} runs in the file "
        f"({report['ran']:,} run now{stopped}), {report['workers']} CPUs "
        f"| {report['seconds']:.0f} s ({rate:.1f} runs/s after an engine start of "
        f"{startup:.0f} s) | | {load_before} -> {load()} |",
        f"| its runs' own CPU time ({1e3 * cpu_s / runs:.1f} ms per run) | {cpu_s:.0f} s | | |",
        f"| driver cost per row (typing + part write + merge) | {driver_ms:.3f} ms "
        f"(ingest limit {1e3 / driver_ms:,.0f} rows/s) | | |",
        f"| here, all {PAPER_RUNS:,} runs at this sitting's rate "
        f"| ~{PAPER_RUNS / rate + startup:.0f} s | | |",
        f"| estimate, {PAPER_RUNS:,} runs on a 64-core cluster: max({compute:.0f} s compute, "
        f"{ingest:.0f} s ingest) + {startup:.0f} s start | ~{estimate:.0f} s | | |",
    ]
    if figure is not None:
        plot = [sys.executable, "-m", "alignlab", "sweep", "plot", str(out), "--x", "pressure"]
        plot += ["--hue", "fidelity", "--metric", "true", "--out", str(figure)]
        subprocess.run(plot, check=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-paper", action="store_true", help="skip the 32,500-run sweep")
    parser.add_argument("--skip-500", action="store_true", help="skip the 500-run comparison")
    parser.add_argument("--paper-seeds", type=int, default=100)
    parser.add_argument(
        "--paper-budget",
        type=float,
        default=None,
        metavar="S",
        help="stop the paper sweep with Ctrl-C after S seconds (resume: same --paper-out)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="interleaved repeats of the 500-run comparison"
    )
    parser.add_argument("--figure", type=Path, default=None, help="draw the paper sweep here")
    parser.add_argument(
        "--paper-out", type=Path, default=None, help="keep the paper sweep's results here"
    )
    args = parser.parse_args()
    uptime = " ".join(os.popen("uptime").read().split())
    print(f"machine: {os.cpu_count()} CPUs; uptime at start: {uptime}")
    print("\n| what | time | speed-up | load avg |\n|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        rows = [] if args.skip_500 else bench_500(tmp, args.repeats)
        if not args.skip_paper:
            rows += bench_paper(
                tmp, args.paper_seeds, args.figure, args.paper_out, args.paper_budget
            )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
