"""`alignlab sweep`: run an experiment over grids x seeds on Ray; plot and summarise results.

`alignlab sweep EXPERIMENT ...` runs a sweep (one sub-command per experiment, so `--help`
lists each one's options); `alignlab sweep plot` and `alignlab sweep summary` read a
results file back. The work is in `alignlab.sweep`; this module parses and prints.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from typing import Any, TextIO

import alignlab
from alignlab.core import ParameterError

_GRAMMAR = """\
grids: START:STOP:COUNT (COUNT evenly spaced values, both ends included), a list
0,0.5,1, or one value; seeds: START:STOP (STOP excluded: 0:100 is 100 seeds) or a list;
options: --option NAME=V1,V2 (repeat for several). The sweep is the product of all.
Results: one Parquet row per run (see docs/sweep.md); Ctrl-C keeps finished runs."""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `sweep` with one sub-command per experiment plus `plot` and `summary`."""
    sweep = sub.add_parser(
        "sweep",
        help="run an experiment over slider grids x seeds on Ray (Parquet out); plot, summary",
        description="Sweep an experiment over grids x seeds on Ray; plot or summarise results.",
    )
    commands = sweep.add_subparsers(dest="sweep_command", metavar="EXPERIMENT|plot|summary")
    commands.required = True
    common = _sweep_arguments()
    for spec in alignlab.experiments():
        run = commands.add_parser(
            spec.id,
            parents=[common],
            help=f"sweep {spec.id}",
            description=f"Sweep {spec.id}: {spec.summary}",
            epilog=_GRAMMAR + _options_text(spec),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        run.set_defaults(func=cmd_sweep, experiment=spec.id)

    plot = commands.add_parser(
        "plot",
        help="draw a metric against a setting: the across-seed mean with a band",
        description="Draw the across-seed mean of a metric with a band, one line per --hue.",
    )
    plot.add_argument("results", metavar="RESULTS.parquet")
    plot.add_argument("--x", default="pressure", help="setting on the x axis (default pressure)")
    plot.add_argument("--hue", default=None, help="setting drawn as one line per value")
    _analysis_arguments(plot)
    plot.add_argument("--out", required=True, metavar="FIG.png|svg", help="figure to write")
    plot.set_defaults(func=cmd_plot)

    summary = commands.add_parser(
        "summary",
        help="print the metric over seeds for every setting of a results file",
        description="Print the across-seed mean and band of a metric, one row per setting.",
    )
    summary.add_argument("results", metavar="RESULTS.parquet")
    _analysis_arguments(summary)
    summary.add_argument("--json", action="store_true", help="print the table as JSON")
    summary.set_defaults(func=cmd_summary)


def _sweep_arguments() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    for slider in ("pressure", "fidelity", "oversight"):
        common.add_argument(
            f"--{slider}", metavar="GRID", help=f"{slider} grid in [0, 1] (default: the default)"
        )
    common.add_argument("--seeds", default="0", metavar="SEEDS", help="seeds (default 0)")
    common.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="an option and its values; repeat for several",
    )
    common.add_argument("--out", required=True, metavar="RESULTS.parquet", help="results file")
    common.add_argument(
        "--address",
        default=None,
        metavar="auto|HOST:PORT",
        help="join this Ray cluster (default: start Ray here, on this machine's cores)",
    )
    common.add_argument("--resume", action="store_true", help="skip runs already in --out")
    common.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    common.add_argument("--cpus", type=int, default=None, help="local CPUs (default: all)")
    common.add_argument(
        "--batch-seconds",
        type=float,
        default=1.0,
        metavar="S",
        help="work per Ray task, in seconds (default 1)",
    )
    common.add_argument("--json", action="store_true", help="print the report as JSON")
    common.add_argument("--quiet", action="store_true", help="no progress bar")
    return common


def _analysis_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metric", default="fr", help="fr, true, proxy or any numeric column (default fr)"
    )
    parser.add_argument(
        "--band",
        choices=("ci", "spread"),
        default="ci",
        help="ci: 95%% bootstrap CI of the mean over seeds (default); "
        "spread: 2.5-97.5 percentiles of the seeds",
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="keep only rows with this value (fix a setting that varies)",
    )


def _options_text(spec: alignlab.ExperimentSpec) -> str:
    if not spec.schema.options:
        return ""
    lines = ["", "", "options:"]
    for opt in spec.schema.options:
        allowed = "|".join(opt.choices) if opt.choices else opt.kind
        lines.append(f"  {opt.name}={allowed} (default {opt.default}) {opt.help}")
    return "\n".join(lines)


def _pairs(pairs: list[str], flag: str) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ParameterError(f"{flag} takes NAME=VALUE; got {pair!r}")
        parsed[key.strip()] = value.strip()
    return parsed


def cmd_sweep(args: argparse.Namespace) -> int:
    """Plan the sweep, run it with a progress bar on stderr, print the report."""
    from alignlab.sweep import plan, run_sweep

    spec = plan(
        args.experiment,
        pressure=args.pressure,
        fidelity=args.fidelity,
        oversight=args.oversight,
        seeds=args.seeds,
        options=_pairs(args.option, "--option"),
    )
    bar = None if args.quiet else _ProgressBar(sys.stderr)
    report = run_sweep(
        spec,
        args.out,
        address=args.address,
        resume=args.resume,
        overwrite=args.overwrite,
        num_cpus=args.cpus,
        batch_seconds=args.batch_seconds,
        on_progress=None if bar is None else bar.update,
    )
    if bar is not None:
        bar.close()
    data = report.to_dict()
    if args.json:
        print(json.dumps(data))
    else:
        print(
            f"{data['rows']} rows in {data['out']}: {data['ran']} run now, "
            f"{data['skipped']} already there, {data['missing']} missing; "
            f"{data['seconds']:.1f} s on {data['workers'] or 'no'} Ray CPUs ({data['address']})"
        )
    if report.interrupted:
        print(
            f"alignlab: interrupted; kept {report.rows} of {report.planned} runs in "
            f"{report.out}; resume with: {_resume_command(args)}",
            file=sys.stderr,
        )
        return 130
    return 0


def _resume_command(args: argparse.Namespace) -> str:
    words = ["alignlab", "sweep", args.experiment]
    for name in ("pressure", "fidelity", "oversight"):
        if getattr(args, name) is not None:
            words += [f"--{name}", getattr(args, name)]
    words += ["--seeds", args.seeds]
    for pair in args.option:
        words += ["--option", pair]
    words += ["--out", args.out]
    if args.address:
        words += ["--address", args.address]
    words.append("--resume")
    return " ".join(shlex.quote(w) for w in words)


class _ProgressBar:
    """A one-line progress bar with runs/s and ETA: redrawn on a terminal, else a line per 10 s."""

    WIDTH = 28

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0.0
        self.drawn = False

    def update(self, progress: Any) -> None:
        now = time.monotonic()
        final = progress.done >= progress.total
        if not final and now - self.last < (0.1 if self.tty else 10.0):
            return
        self.last = now
        share = progress.done / progress.total if progress.total else 1.0
        filled = round(share * self.WIDTH)
        eta = progress.eta
        eta_text = "--:--" if eta is None else time.strftime("%H:%M:%S", time.gmtime(eta))
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {progress.done}/{progress.total} "
            f"runs {share:4.0%}  {progress.rate:.1f} runs/s  ETA {eta_text}"
        )
        if self.tty:
            self.stream.write("\r" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def cmd_plot(args: argparse.Namespace) -> int:
    """Write the figure and say where."""
    from alignlab.sweep import plot_sweep

    path = plot_sweep(
        args.results,
        args.out,
        x=args.x,
        hue=args.hue,
        metric=args.metric,
        band_kind=args.band,
        where=_pairs(args.where, "--where"),
    )
    print(f"figure written to {path}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the grouped table (or its JSON)."""
    from alignlab.sweep import summarize

    table = summarize(
        args.results, metric=args.metric, band_kind=args.band, where=_pairs(args.where, "--where")
    )
    if args.json:
        print(json.dumps(table))
        return 0
    fixed = ", ".join(f"{k.removeprefix('option_')}={v}" for k, v in table["fixed"].items())
    print(
        f"{table['experiment']}: {table['rows']} runs; {table['metric']} over seeds, "
        f"band = {table['band']}"
    )
    if fixed:
        print(f"fixed: {fixed}")
    groups = table["groups"]
    if not groups:
        return 0
    settings = [k for k in groups[0] if k not in ("seeds", "mean", "lo", "hi")]
    header = [k.removeprefix("option_") for k in settings] + ["seeds", "mean", "band"]
    rows = [
        [_fmt(g[k]) for k in settings]
        + [str(g["seeds"]), f"{g['mean']:.3f}", f"{g['lo']:.3f} - {g['hi']:.3f}"]
        for g in groups
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    return 0


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
