"""Benchmark the Lab page: paint latency while dragging, exact-result time, load, surfaces.

Run:  python benchmarks/bench_lab.py [--experiments goodhart,...] [--drags 4] [--loads 8]

It starts `alignlab lab --port 0 --no-browser` in its own process, exactly as a user would
(surfaces cached in a fresh temporary directory, so the first computation of each surface
is measured), drives Debian's Chromium through Playwright with real mouse events, and
prints a Markdown table:

- first surface computation per experiment (default options, seed 0): seconds of
  `alignlab.run` calls on the grid, as the server reports it, and the HTTP wall time;
- page load to first paint from the surface (cached surface, `performance` mark the
  page sets when it first paints from the surface, measured from navigation start);
- paint latency while dragging: from each `input` event (its timeStamp) to the end of
  the next frame (a task posted from the frame's requestAnimationFrame runs after that
  frame's style, layout and paint);
- exact result on release: server time (the `Server-Timing` header of `/api/run`) for
  requests the page made on release, plus direct requests at random settings.

With `--waiters N` it measures instead what a crowd costs (no browser):

    python benchmarks/bench_lab.py --waiters 50 [--runs 60]

N clients ask at once for a surface that is not cached (a fresh seed, so it is computed
now), and while they wait, `/api/run` requests at random settings are sent one after
another on loopback; it prints their p50 / p95 wall time next to the same requests with
no crowd, and checks every waiter got the surface.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from playwright.sync_api import Page, sync_playwright

import alignlab
from alignlab.lab import decode_surface

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

LATENCY_PROBE = """() => {
  window.__latency = [];
  document.addEventListener("input", (event) => {
    const t0 = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => window.__latency.push(performance.now() - t0);
      channel.port2.postMessage(0);
    });
  }, true);
}"""


@contextmanager
def lab_server(cache_dir: str) -> Iterator[str]:
    """Run `alignlab lab` in a subprocess on a free port; yield its URL."""
    env = {**os.environ, "ALIGNLAB_CACHE_DIR": cache_dir}
    with subprocess.Popen(
        [sys.executable, "-m", "alignlab", "lab", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if "serving" not in line:
                raise SystemExit(f"alignlab lab did not start: {line!r}")
            yield line.split()[3]
        finally:
            proc.terminate()
            proc.wait(timeout=20)


FETCH_RUNS = """async (bodies) => {
  const out = [];
  for (const body of bodies) {
    const t0 = performance.now();
    const response = await fetch("api/run", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
    });
    await response.json();
    const server = Number(/dur=([0-9.]+)/.exec(response.headers.get("Server-Timing"))[1]);
    out.push([server, performance.now() - t0]);
  }
  return out;
}"""


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def drag(page: Page, name: str, to: float, steps: int) -> None:
    slider = page.locator(f"#s-{name}")
    box = slider.bounding_box()
    assert box is not None
    value = float(slider.input_value())
    y = box["y"] + box["height"] / 2

    def x_of(v: float) -> float:
        return float(box["x"] + 8 + v * (box["width"] - 16))

    page.mouse.move(x_of(value), y)
    page.mouse.down()
    page.mouse.move(x_of(to), y, steps=steps)
    page.mouse.up()


def wait_exact(page: Page) -> None:
    page.wait_for_function(
        "() => document.getElementById('readout').dataset.source === 'exact'", timeout=60_000
    )


def bench_experiment(
    page: Page, url: str, experiment: str, drags: int, loads: int, rng: random.Random
) -> dict[str, Any]:
    out: dict[str, Any] = {"experiment": experiment}
    # First surface computation (cold cache).
    started = time.perf_counter()
    response = httpx.get(f"{url}api/surface/{experiment}", params={"seed": 0}, timeout=600)
    out["surface_http_s"] = time.perf_counter() - started
    surface = decode_surface(response.content)
    out["surface_compute_s"] = surface.meta["compute_seconds"]
    out["surface_grid"] = list(surface.arrays["proxy"].shape)
    out["surface_runs"] = int(np.prod(surface.arrays["proxy"].shape))
    out["surface_bytes"] = len(response.content)

    # Page load to first paint from the (now cached) surface.
    firsts = []
    for _ in range(loads):
        page.goto("about:blank")
        page.goto(f"{url}#experiment={experiment}")
        page.wait_for_function(
            "() => performance.getEntriesByName('lab:first-surface-paint').length > 0",
            timeout=60_000,
        )
        firsts.append(
            page.evaluate("performance.getEntriesByName('lab:first-surface-paint')[0].startTime")
        )
    out["first_surface_paint_ms"] = firsts
    wait_exact(page)

    # Paint latency with real mouse drags; server time of the exact fetches on release.
    page.evaluate(LATENCY_PROBE)
    server_ms: list[float] = []

    def on_response(resp: Any) -> None:
        if resp.url.endswith("/api/run"):
            timing = resp.headers.get("server-timing", "")
            if "dur=" in timing:
                server_ms.append(float(timing.split("dur=")[1]))

    page.on("response", on_response)
    for _ in range(drags):
        for name in ("pressure", "fidelity", "oversight"):
            drag(page, name, rng.uniform(0.05, 0.95), steps=30)
            wait_exact(page)
    page.remove_listener("response", on_response)
    out["paint_latency_ms"] = page.evaluate("window.__latency")
    out["release_server_ms"] = server_ms

    # Direct exact requests at random settings (server time and loopback round trip).
    # Exact results at random settings, fetched by the page's browser (Chromium's own
    # HTTP stack, as the page uses it), and the same experiment run in this process at
    # other random settings: its own cost, the floor under any server.
    bodies = [
        {
            "experiment": experiment,
            "params": {k: rng.random() for k in ("pressure", "fidelity", "oversight")},
            "seed": rng.randrange(1000),
        }
        for _ in range(40)
    ]
    timings = page.evaluate(FETCH_RUNS, bodies)
    out["direct_server_ms"] = [t[0] for t in timings]
    out["direct_roundtrip_ms"] = [t[1] for t in timings]
    spec = alignlab.get(experiment)
    library = []
    for _ in range(40):
        params = {k: rng.random() for k in ("pressure", "fidelity", "oversight")}
        t0 = time.perf_counter()
        spec.run(**params, seed=rng.randrange(1000, 2000)).to_dict()
        library.append((time.perf_counter() - t0) * 1000)
    out["library_ms"] = library
    return out


def bench_waiters(
    url: str, waiters: int, runs: int, experiment: str, surface_of: str, rng: random.Random
) -> None:
    """`/api/run` wall times on loopback alone, then while `waiters` clients wait for a surface."""
    import asyncio

    spec = alignlab.get(surface_of)

    def body() -> dict[str, Any]:
        params = {s: round(rng.random(), 3) for s in ("pressure", "fidelity", "oversight")}
        return {"experiment": experiment, "params": params, "seed": rng.randrange(3)}

    async def timed_runs(http: httpx.AsyncClient, n: int) -> list[float]:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = await http.post("/api/run", json=body())
            response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
        return times

    async def scenario() -> tuple[list[float], list[float], list[int], float]:
        async with httpx.AsyncClient(base_url=url, timeout=600) as http:
            await timed_runs(http, 5)  # warm the experiment's own caches
            alone = await timed_runs(http, runs)
            seed = 1000 + rng.randrange(10**6)  # never cached: computed now
            started = time.perf_counter()
            crowd = [
                asyncio.create_task(http.get(f"/api/surface/{surface_of}", params={"seed": seed}))
                for _ in range(waiters)
            ]
            await asyncio.sleep(0.5)  # every waiter is in
            during = await timed_runs(http, runs)
            pending_after = sum(not task.done() for task in crowd)
            if pending_after == 0:
                print("warning: the surface finished before the runs did; raise --runs")
            statuses = [r.status_code for r in await asyncio.gather(*crowd)]
            return alone, during, statuses, time.perf_counter() - started

    alone, during, statuses, surface_s = asyncio.run(scenario())

    def p(values: list[float], q: float) -> float:
        return float(np.percentile(values, q))

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}")
    print(
        f"{waiters} clients waiting for an uncached {spec.id} surface "
        f"({surface_s:.1f} s until all had it; statuses {sorted(set(statuses))})"
    )
    print()
    print(f"| /api/run ({experiment}, random settings) on loopback | n | p50 (ms) | p95 (ms) |")
    print("|---|---|---|---|")
    print(f"| alone | {len(alone)} | {p(alone, 50):.1f} | {p(alone, 95):.1f} |")
    print(
        f"| while {waiters} clients wait for a surface | {len(during)} "
        f"| {p(during, 50):.1f} | {p(during, 95):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", default="", help="comma-separated ids (default: all)")
    parser.add_argument("--drags", type=int, default=4, help="drags per slider")
    parser.add_argument("--loads", type=int, default=8, help="page loads for first paint")
    parser.add_argument("--json", metavar="FILE", help="also write raw samples as JSON")
    parser.add_argument(
        "--waiters", type=int, default=0, help="measure /api/run while N clients wait instead"
    )
    parser.add_argument("--runs", type=int, default=60, help="/api/run requests per phase")
    parser.add_argument(
        "--run-experiment",
        default="refusal-calibration",
        help="experiment of the /api/run requests with --waiters (default refusal-calibration)",
    )
    parser.add_argument(
        "--surface-experiment",
        default="spec-gaming",
        help="experiment whose surface the --waiters wait for (default spec-gaming)",
    )
    args = parser.parse_args()
    if args.waiters:
        with tempfile.TemporaryDirectory() as cache, lab_server(cache) as url:
            bench_waiters(
                url,
                args.waiters,
                args.runs,
                args.run_experiment,
                args.surface_experiment,
                random.Random(0),
            )
        return
    ids = [e for e in args.experiments.split(",") if e] or [s.id for s in alignlab.experiments()]
    if not ids:
        raise SystemExit("no experiments are registered")
    rng = random.Random(0)
    results = []
    with (
        tempfile.TemporaryDirectory() as cache,
        lab_server(cache) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        for experiment in ids:
            results.append(bench_experiment(page, url, experiment, args.drags, args.loads, rng))
        browser.close()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start of the report")
    print()
    print(
        "| experiment | first surface (runs, s) | load → first surface paint p50 / p95 (ms) "
        "| paint latency p50 / p95 (ms, n) | exact on release: server p50 / p95 (ms) "
        "| exact, random settings: `alignlab.run` in-process / server / loopback p95 (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        lat, first = r["paint_latency_ms"], r["first_surface_paint_ms"]
        rel, ds, dr = r["release_server_ms"], r["direct_server_ms"], r["direct_roundtrip_ms"]
        lib = r["library_ms"]
        grid = "x".join(map(str, r["surface_grid"]))
        print(
            f"| {r['experiment']} | {grid} = {r['surface_runs']} runs, "
            f"{r['surface_compute_s']:.1f} s "
            f"({r['surface_bytes'] / 1024:.0f} KiB) "
            f"| {statistics.median(first):.0f} / {pct(first, 95):.0f} "
            f"| {pct(lat, 50):.1f} / {pct(lat, 95):.1f} ({len(lat)}) "
            f"| {pct(rel, 50):.1f} / {pct(rel, 95):.1f} "
            f"| {pct(lib, 95):.1f} / {pct(ds, 95):.1f} / {pct(dr, 95):.1f} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
