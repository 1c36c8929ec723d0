"""`alignlab bench ...`: evaluate an LLM system, gate regressions in CI, report, demo.

Exit status: 0 ok; 1 a failed check (`compare`: a significant regression; `run`:
samples still errored after retries, rerun to finish them); 2 bad input or unusable
logs (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from alignlab._atomic import atomic_write_text, refuse_input_as_output
from alignlab.core import AlignlabError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the `bench` command group."""
    bench = sub.add_parser(
        "bench",
        help="alignment evals of an LLM system (model + prompt + guardrails) on Inspect AI",
        description="Evaluate an LLM system for refusal calibration and honesty; "
        "gate regressions; report.",
    )
    group = bench.add_subparsers(
        dest="bench_command", metavar="SUBCOMMAND", parser_class=type(bench)
    )
    group.required = True

    init = group.add_parser(
        "init", help="write a commented system file for your provider, and say what to set"
    )
    init.add_argument(
        "provider",
        choices=["local", "openai", "anthropic"],
        help="local: an OpenAI-compatible server (vLLM, Ollama, llama.cpp); openai; anthropic",
    )
    init.add_argument(
        "--out", metavar="FILE.toml", help="where to write it (default PROVIDER.toml)"
    )
    init.set_defaults(func=cmd_init)

    run = group.add_parser("run", help="run suites against the system a system file names")
    run.add_argument("system", metavar="SYSTEM.toml", help="the system file")
    run.add_argument(
        "--suite",
        action="append",
        choices=["refusal_calibration", "honesty", "xstest"],
        help="suite to run; repeat for several (default: refusal_calibration and honesty)",
    )
    run.add_argument("--xstest", metavar="FILE.csv", help="XSTest-format CSV for the xstest suite")
    run.add_argument(
        "--limit", type=_positive_int, metavar="N", help="run only the first N items of each suite"
    )
    run.add_argument(
        "--max-connections",
        type=_positive_int,
        default=10,
        metavar="C",
        help="concurrent model requests (default 10)",
    )
    run.add_argument(
        "--log-dir",
        default="alignlab-logs",
        metavar="D",
        help="where logs go (default ./alignlab-logs)",
    )
    run.add_argument(
        "--fresh",
        action="store_true",
        help="start afresh even if a finished log can be reused or an unfinished one resumed",
    )
    run.add_argument(
        "--display",
        choices=["rich", "plain", "none"],
        default=None,
        help="progress display (default: rich on a terminal, else plain)",
    )
    run.add_argument(
        "--allow-outside-paths",
        action="store_true",
        help="let the system file name files outside its folder or under /proc, /sys, /dev "
        "(off: a system file from a pull request must not read your secrets)",
    )
    run.add_argument("--json", action="store_true", help="print the metrics as JSON")
    run.set_defaults(func=cmd_run)

    compare = group.add_parser(
        "compare",
        help="paired regression gate between two Inspect logs (exit 1 on a significant regression)",
        description="Pair samples by (id, epoch); exact McNemar per 0/1 outcome, "
        "paired bootstrap for means; Holm-adjusted. Exit 1 on a significant regression, "
        "0 otherwise, 2 on unusable input.",
    )
    compare.add_argument("base", metavar="BASE.eval")
    compare.add_argument(
        "candidate",
        nargs="+",
        metavar="CANDIDATE",
        help="the candidate log; or a folder or several logs (a shell glob): the latest "
        "complete log of the base's suite among them is used, and named",
    )
    compare.add_argument(
        "--alpha", type=_alpha, default=0.05, help="significance level (default 0.05)"
    )
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.set_defaults(func=cmd_compare)

    report = group.add_parser(
        "report", help="metrics of logs, as text or a self-contained HTML page"
    )
    report.add_argument(
        "logs", nargs="+", metavar="LOG", help="Inspect log files or directories of them"
    )
    report.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML report")
    report.add_argument(
        "--baseline",
        metavar="BASE.eval",
        help="also compare every log of the same task against this one",
    )
    report.add_argument("--json", action="store_true", help="print the metrics as JSON")
    report.set_defaults(func=cmd_report)

    rescore = group.add_parser("rescore", help="re-score a refusal log offline with a detector")
    rescore.add_argument("log", metavar="LOG.eval")
    rescore.add_argument(
        "--detector",
        choices=["trained", "keyword"],
        default=None,
        help="detector kind (default: trained if available, else keyword)",
    )
    rescore.add_argument("--out", metavar="OUT.eval", help="where to write the re-scored log")
    rescore.set_defaults(func=cmd_rescore)

    demo = group.add_parser(
        "demo", help="the whole workflow offline against built-in SCRIPTED targets"
    )
    demo.add_argument(
        "--out",
        default="alignlab-demo",
        metavar="DIR",
        help="output directory (default ./alignlab-demo)",
    )
    demo.add_argument(
        "--limit",
        type=_positive_int,
        default=120,
        metavar="N",
        help="the first N items of each suite (default 120; they cover every item kind)",
    )
    demo.add_argument("--full", action="store_true", help="run every item of every suite")
    demo.set_defaults(func=cmd_demo)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must lie in (0, 1), got {value}")
    return value


def _summary(metrics: Any) -> str:
    from alignlab.bench._report import HEADLINES, LABELS

    keys = HEADLINES.get(metrics.task.split("/")[-1], tuple(sorted(metrics.overall)))
    lines = [
        f"{metrics.system} · {metrics.task}: {metrics.samples} samples, {metrics.errors} errored"
    ]
    if metrics.scripted:
        lines[0] += "  [SCRIPTED target, not a model]"
    for key in keys:
        if key in metrics.overall:
            r = metrics.overall[key]
            lines.append(
                f"  {LABELS.get(key, key):<44} {100 * r.rate:5.1f}%  "
                f"[{100 * r.ci[0]:5.1f}, {100 * r.ci[1]:5.1f}]  ({r.count}/{r.total})"
            )
    if metrics.fr is not None:
        fr, (lo, hi) = metrics.fr
        lines.append(f"  {'FR /100':<44} {fr:5.1f}   [{lo:5.1f}, {hi:5.1f}]")
    if metrics.guardrails is not None:
        g = metrics.guardrails
        lines.append(
            f"  guardrails: helpfulness lost "
            f"{g.helpfulness_lost.count}/{g.helpfulness_lost.total} safe, "
            f"harm prevented {g.harm_prevented.count}/{g.harm_prevented.total} unsafe"
        )
    return "\n".join(lines)


def cmd_init(args: argparse.Namespace) -> int:
    """Write a system file template and say what to do next."""
    from alignlab.bench._init import PROVIDERS, write_system_template

    path = write_system_template(args.provider, args.out or f"{args.provider}.toml")
    print(f"wrote {path}")
    print(f"next: {PROVIDERS[args.provider][3]}; then: alignlab bench run {path} --limit 20")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the suites of a system file and print their metrics."""
    from alignlab.bench import SUITES, load_system, metrics_from_log, run_system
    from alignlab.bench._run import RunInterrupted
    from alignlab.bench._system import ALLOW_OUTSIDE_ENV

    if args.allow_outside_paths:
        # Through the environment, so the task rebuilt from the file by Inspect agrees.
        os.environ[ALLOW_OUTSIDE_ENV] = "1"
    spec = load_system(args.system)
    suites = tuple(dict.fromkeys(args.suite or SUITES))
    if "xstest" in suites and not args.xstest:
        raise AlignlabError("--suite xstest needs --xstest FILE.csv")
    if args.xstest and "xstest" not in suites:
        suites = (*suites, "xstest") if args.suite else ("xstest",)
    display = args.display or ("rich" if sys.stdout.isatty() else "plain")
    results = []

    def progress(run: Any) -> None:
        where = f" (resumed {run.resumed_from})" if run.resumed_from else ""
        if run.reused:
            where = " (finished earlier with the same system and limit: reused; --fresh reruns)"
        print(f"{run.suite}: log {run.log.location}{where}", file=sys.stderr)

    started = time.perf_counter()
    try:
        runs = run_system(
            spec,
            suites,
            on_suite=progress,
            log_dir=args.log_dir,
            limit=args.limit,
            max_connections=args.max_connections,
            display=display,
            xstest_path=args.xstest,
            fresh=args.fresh,
        )
    except (RunInterrupted, KeyboardInterrupt) as exc:
        hint = (
            str(exc)
            if isinstance(exc, RunInterrupted)
            else f"interrupted; finished samples are kept in {args.log_dir}: "
            "run the same command again to resume"
        )
        print(f"alignlab: {hint}", file=sys.stderr)
        return 130
    for run in runs:
        results.append(metrics_from_log(run.log))
    if args.json:
        print(json.dumps([m.to_dict() for m in results], indent=2))
    else:
        for m in results:
            print(_summary(m))
        print(f"done in {time.perf_counter() - started:.1f} s; logs in {args.log_dir}")
    errored = sum(run.errors for run in runs)
    if errored:
        print(
            f"alignlab: {errored} sample(s) ended in an error after retries; "
            "run the same command again to retry just those",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two logs; exit 1 on a significant regression."""
    from alignlab.bench import compare_logs, format_comparison, metrics_from_log
    from alignlab.bench._resolve import resolve_log

    suite = None
    if len(args.candidate) > 1 or Path(args.candidate[0]).is_dir():
        suite = metrics_from_log(args.base).task.split("/")[-1]
    candidate, note = resolve_log(args.candidate, suite)
    if note:
        print(f"alignlab: candidate: {note}", file=sys.stderr)
    result = compare_logs(args.base, candidate, alpha=args.alpha)
    print(json.dumps(result.to_dict(), indent=2) if args.json else format_comparison(result))
    return 1 if result.regressed else 0


def _expand(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(str(f) for f in p.glob("*.eval")) + sorted(
                str(f) for f in p.glob("*.json")
            )
            if not found:
                raise AlignlabError(f"{p}: no .eval or .json logs in this directory")
            files.extend(found)
        else:
            files.append(path)
    return files


def cmd_report(args: argparse.Namespace) -> int:
    """Print the metrics of logs, and write the HTML report when asked."""
    from alignlab.bench import compare_logs, metrics_from_log, render_report

    files = _expand(args.logs)
    if args.html and Path(args.html).exists():
        refuse_input_as_output(args.html, [*files, *filter(None, [args.baseline])], "--html")
    metrics = [metrics_from_log(f) for f in files]
    comparisons = []
    if args.baseline:
        base = metrics_from_log(args.baseline)
        for f, m in zip(files, metrics, strict=True):
            if m.task == base.task and Path(f).resolve() != Path(args.baseline).resolve():
                comparisons.append(compare_logs(args.baseline, f))
    if args.json:
        print(json.dumps([m.to_dict() for m in metrics], indent=2))
    else:
        for m in metrics:
            print(_summary(m))
    if args.html:
        # Atomic: a failure midway leaves a previous report whole, never a fragment.
        out = atomic_write_text(args.html, render_report(metrics, comparisons))
        print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    """Re-score a refusal log offline and print old and new metrics."""
    from alignlab.bench import metrics_from_log, rescore_log

    before = metrics_from_log(args.log)
    log = rescore_log(args.log, args.detector, args.out)
    after = metrics_from_log(log)
    print("before:\n" + _summary(before))
    print("after:\n" + _summary(after))
    print(f"wrote {log.location}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the offline demo against scripted targets."""
    from alignlab.bench import run_demo

    started = time.perf_counter()
    print("alignlab bench demo: every target below is SCRIPTED (canned answers), not a model.")
    result = run_demo(
        args.out,
        limit=None if args.full else args.limit,
        on_progress=lambda msg: print(msg, flush=True),
    )
    for m in result.metrics:
        print(_summary(m))
    print()
    print((result.out / "compare.txt").read_text(encoding="utf-8").split("\n== ")[0])
    print(f"logs:    {result.out / 'logs'}")
    print(f"compare: {result.out / 'compare.txt'}")
    print(f"report:  {result.report}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0
