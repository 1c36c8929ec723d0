"""`alignlab list` and `alignlab run`: the Lab's experiments from the terminal."""

from __future__ import annotations

import argparse
import json
from typing import Any

import alignlab
from alignlab.core import ParameterError, run_seeds


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the `list` and `run` subcommands."""
    listing = sub.add_parser("list", help="list the Lab's experiments, sliders and options")
    listing.add_argument("--json", action="store_true", help="print the full schema as JSON")
    listing.set_defaults(func=cmd_list)

    run = sub.add_parser(
        "run",
        help="run one experiment at one setting of the sliders",
        description="Run one experiment; sliders are normalised to [0, 1].",
        epilog=_options_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("experiment", metavar="ID", help="experiment id (see `alignlab list`)")
    for slider in ("pressure", "fidelity", "oversight"):
        run.add_argument(
            f"--{slider}",
            type=str,
            default=None,
            metavar="X",
            help=f"{slider} slider in [0, 1] (default: the experiment's)",
        )
    run.add_argument("--seed", type=str, default="0", help="random seed (default 0)")
    run.add_argument(
        "--seeds",
        type=str,
        default=None,
        metavar="K",
        help="run seeds SEED..SEED+K-1 and report the across-seed mean and spread beside "
        "the first seed's within-seed interval (JSON: seed_band)",
    )
    run.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an experiment option; repeat for several",
    )
    run.add_argument("--json", action="store_true", help="print the result JSON")
    run.add_argument(
        "--plot",
        metavar="FILE.png",
        help="write a plot of proxy and true reward and FR /100 (.png, .svg or .pdf; "
        "no suffix: .png)",
    )
    run.set_defaults(func=cmd_run)


def _options_epilog() -> str:
    lines = ["experiment options:"]
    for spec in alignlab.experiments():
        for opt in spec.schema.options:
            allowed = "|".join(opt.choices) if opt.choices else opt.kind
            lines.append(f"  {spec.id}: {opt.name}={allowed} (default {opt.default}) {opt.help}")
    return "\n".join(lines) if len(lines) > 1 else ""


def _parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--option takes KEY=VALUE; got {pair!r}")
        options[key.strip()] = value.strip()
    return options


def cmd_list(args: argparse.Namespace) -> int:
    """Print the experiments (as a table or as JSON)."""
    specs = alignlab.experiments()
    if args.json:
        print(json.dumps([s.to_dict() for s in specs], indent=2))
        return 0
    for spec in specs:
        print(f"{spec.id:<24} {spec.title}")
        print(f"{'':<24} {spec.summary}")
        for slider in spec.schema.sliders:
            unit = f" [{slider.unit}]" if slider.unit else ""
            print(f"{'':<24}   {slider.name:<10} -> {slider.quantity}{unit}")
        for opt in spec.schema.options:
            allowed = "|".join(opt.choices) if opt.choices else opt.kind
            print(f"{'':<24}   --option {opt.name}={allowed} (default {opt.default})")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run one experiment and print a summary or JSON; optionally plot it."""
    spec = alignlab.get(args.experiment)
    plot_to = None
    if args.plot:
        from alignlab.plot import plot_path

        plot_to = plot_path(args.plot)  # a bad suffix fails before the run, not after
    if args.seeds is not None:
        data = run_seeds(
            spec.id,
            args.pressure,
            args.fidelity,
            args.oversight,
            seeds=args.seeds,
            seed=args.seed,
            options=_parse_options(args.option),
        ).to_dict()
    else:
        data = spec.run(
            args.pressure,
            args.fidelity,
            args.oversight,
            seed=args.seed,
            options=_parse_options(args.option),
        ).to_dict()
    if plot_to is not None:
        from alignlab.plot import plot_result

        plot_to = plot_result(data, plot_to, spec)
    if args.json:
        print(json.dumps(data))
    else:
        print(format_summary(data))
        if plot_to is not None:
            print(f"plot written to {plot_to}")
    return 0


def format_summary(data: dict[str, Any]) -> str:
    """Format a result dict as a short human-readable summary."""
    params = data["params"]
    physical = ", ".join(f"{k}={_fmt(v)}" for k, v in data["physical"].items())
    options = ", ".join(f"{k}={v}" for k, v in data["options"].items())
    lo, hi = data["fr_ci"]
    peak = data["peak"]
    lines = [
        f"{data['experiment']}  seed={data['seed']}" + (f"  ({options})" if options else ""),
        "sliders   "
        + "  ".join(f"{k}={params[k]:.2f}" for k in ("pressure", "fidelity", "oversight")),
        f"physical  {physical}",
        f"proxy     {data['proxy']:.3f}",
        f"true      {data['true']:.3f}",
        f"FR /100   {data['fr']:.1f}  (95% CI {lo:.1f}-{hi:.1f}, within seed {data['seed']})",
        f"peak      true reward {peak['true']:.3f} at pressure {peak['pressure']:.2f}",
    ]
    band = data.get("seed_band")
    if band:
        k = len(band["seeds"])
        mlo, mhi = band["mean_ci"]
        plo, phi = band["prediction"]
        lines[-1:-1] = [
            f"seeds     {band['seeds'][0]}..{band['seeds'][-1]} ({k}): FR mean {band['mean']:.1f}"
            f"  sd {band['sd']:.1f}  range {band['min']:.1f}-{band['max']:.1f}",
            f"          95% CI of the mean over seeds {mlo:.1f}-{mhi:.1f}; "
            f"a new seed: {plo:.1f}-{phi:.1f}",
            f"          within-seed intervals holding the mean: "
            f"{band['within_seed_ci_covering_mean']} of {k}",
        ]
    lines += ["", data["explanation"]]
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
