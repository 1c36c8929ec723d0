"""`alignlab bench redteam`: attack a system, print success rates with intervals, keep findings.

Exit status: 0 ok; 1 samples still errored after retries (rerun to finish them); 2 bad
input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from alignlab.core import AlignlabError


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_parser(group: argparse._SubParsersAction[Any]) -> None:
    """Add `bench redteam` to the `bench` command group."""
    parser = group.add_parser(
        "redteam",
        help="attack a system; attack success with intervals; findings as a regression suite",
        description="Red-team the system a system file names with encoding, framing, "
        "injection, many-shot, crescendo, composed and (with --attacker) adaptive PAIR "
        "attacks; print attack success rates with Wilson intervals; write every "
        "successful attack to a findings file that `bench run --suite` replays.",
    )
    parser.add_argument("system", nargs="?", metavar="SYSTEM.toml", help="the system file")
    parser.add_argument("--list", action="store_true", help="list every attack and exit")
    parser.add_argument(
        "--attacks",
        default="all",
        metavar="NAME,…|all",
        help="attacks to run, comma-separated; a+b composes two (default: all)",
    )
    parser.add_argument(
        "--attempts",
        type=_positive_int,
        default=1,
        metavar="K",
        help="variants per attack and behaviour (best-of-K); PAIR's try budget (default 1)",
    )
    parser.add_argument(
        "--attacker", metavar="MODEL", help="Inspect model that drives the adaptive pair attack"
    )
    parser.add_argument(
        "--judge", metavar="MODEL", help="Inspect model for a StrongREJECT-style rubric judge"
    )
    parser.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="only the first N behaviours (all 9 categories from N=9)",
    )
    parser.add_argument(
        "--log-dir", default="alignlab-logs", metavar="DIR", help="where the log goes"
    )
    parser.add_argument(
        "--findings", metavar="FILE.jsonl", help="write successful attacks as a replayable suite"
    )
    parser.add_argument("--html", metavar="OUT.html", help="write the red-team HTML report")
    parser.add_argument(
        "--max-connections", type=_positive_int, default=10, metavar="C", help="concurrent requests"
    )
    parser.add_argument(
        "--display",
        choices=["rich", "plain", "none"],
        default=None,
        help="progress display (default: rich on a terminal, else plain)",
    )
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(func=cmd_redteam)


def format_metrics(m: Any) -> str:
    """The red-team metrics as a plain-text table (rates in %, Wilson 95% intervals, counts)."""
    lines = [
        f"{m.system}: {m.behaviours} behaviours, K={m.attempts}, {m.samples} samples, "
        f"{m.errors} errored" + ("  [SCRIPTED target, not a model]" if m.scripted else ""),
        f"  {'attack':<32} {'ASR':>6} {'95% CI':>15} {'n':>9}   benign over-refusal",
    ]

    def cell(r: Any) -> str:
        ci = f"[{100 * r.ci[0]:5.1f}, {100 * r.ci[1]:5.1f}]"
        return f"{100 * r.rate:5.1f}% {ci} {r.count:>4}/{r.total:<4}"

    for attack in m.attacks:
        rate = m.by_attack[attack]
        over = m.over_refusal.get(attack)
        lines.append(f"  {attack:<32} {cell(rate)}   {cell(over) if over is not None else '-'}")
    curve = m.best_of_k.get("any", [])
    if curve:
        lines.append(
            "  best-of-K (any attack): "
            + ", ".join(f"K={k} {100 * r.rate:.0f}%" for k, r in enumerate(curve, 1))
        )
    if m.agreement is not None:
        kappa = "n/a" if m.agreement.kappa is None else f"{m.agreement.kappa:.2f}"
        lines.append(
            f"  offline vs judge agreement: {100 * m.agreement.agree.rate:.1f}% "
            f"({m.agreement.agree.count}/{m.agreement.agree.total}), kappa {kappa}"
        )
    return "\n".join(lines)


def cmd_redteam(args: argparse.Namespace) -> int:
    """Red-team a system file, or list the attacks."""
    from alignlab.bench import load_system, render_report
    from alignlab.bench._run import DisplayType
    from alignlab.bench.redteam import iter_attacks, run_redteam
    from alignlab.bench.redteam._report import redteam_section

    if args.list:
        for attack in iter_attacks():
            print(f"{attack.name:<32} {attack.family:<11} {attack.description}")
        return 0
    if not args.system:
        raise AlignlabError("bench redteam needs SYSTEM.toml (or --list)")
    spec = load_system(args.system)
    display: DisplayType = args.display or ("rich" if sys.stdout.isatty() else "plain")
    started = time.perf_counter()
    run = run_redteam(
        spec,
        attacks=args.attacks,
        attempts=args.attempts,
        attacker=args.attacker,
        judge=args.judge,
        limit=args.limit,
        log_dir=args.log_dir,
        findings=args.findings,
        max_connections=args.max_connections,
        display="none" if args.json else display,
    )
    if args.json:
        print(json.dumps(run.metrics.to_dict(), indent=2))
    else:
        print(format_metrics(run.metrics))
        print(f"done in {time.perf_counter() - started:.1f} s; log {run.log.location}")
    if run.findings is not None:
        print(f"findings: {len(run.metrics.findings)} written to {run.findings}", file=sys.stderr)
    if args.html:
        out = Path(args.html)
        try:
            out.write_text(
                render_report(
                    [], title="alignlab red-team report", sections=[redteam_section([run.metrics])]
                ),
                encoding="utf-8",
            )
        except OSError as exc:
            raise AlignlabError(f"cannot write {out} ({exc.strerror})") from None
        print(f"wrote {out}", file=sys.stderr)
    if run.errors:
        print(
            f"alignlab: {run.errors} sample(s) ended in an error after retries; "
            "errored samples are not scored",
            file=sys.stderr,
        )
        return 1
    return 0


def format_demo(demo: Any) -> str:
    """The red-team part of `bench demo`: each attacked system's table and the gate results."""
    parts = ["", "red-team (SCRIPTED targets with planted weak spots: base64, roleplay):"]
    parts.extend(format_metrics(m) for m in demo.metrics)
    parts.append(f"findings: {demo.findings}")
    for base, candidate, comparison, status in demo.gates:
        verdict = "REGRESSION" if comparison.regressed else "no regression"
        parts.append(
            f"gate on the findings: {base} -> {candidate}: {verdict}; "
            f"`alignlab bench compare` exits {status}"
        )
    parts.append(f"gate:    {demo.out / 'gate.txt'}")
    return "\n".join(parts)


def report_sections(files: list[str]) -> list[str]:
    """The red-team section for those of `files` that are red-team logs (none: no section)."""
    from inspect_ai.log import read_eval_log

    from alignlab.bench.redteam import is_redteam_log, redteam_metrics
    from alignlab.bench.redteam._report import redteam_section

    runs = []
    for file in files:
        try:
            header = read_eval_log(file, header_only=True)
        except Exception:  # unreadable logs were already reported by the caller
            continue
        if (
            is_redteam_log(header)
            and (header.eval.metadata or {}).get("alignlab_suite") == "redteam"
        ):
            runs.append(redteam_metrics(file))
    return [redteam_section(runs)] if runs else []
