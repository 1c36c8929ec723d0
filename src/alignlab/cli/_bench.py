"""`alignlab bench ...`: evaluate an LLM system, gate regressions in CI, report, demo.

Exit status: 0 ok; 1 a failed check (`compare`: a significant regression; `run`:
samples still errored after retries, rerun to finish them); 2 bad input or unusable
logs (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from alignlab._atomic import atomic_write_text, refuse_input_as_output
from alignlab.cli import _redteam
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
        "init",
        help="write a commented system file for your provider (or a starter suite), and say "
        "what to set",
    )
    init.add_argument(
        "provider",
        choices=["local", "openai", "anthropic", "suite"],
        help="local: an OpenAI-compatible server (vLLM, Ollama, llama.cpp); openai; anthropic; "
        "suite: a starter suite FILE.jsonl of your own prompts",
    )
    init.add_argument(
        "--out",
        metavar="FILE",
        help="where to write it (default PROVIDER.toml, or my_suite.jsonl for suite)",
    )
    init.set_defaults(func=cmd_init)

    run = group.add_parser(
        "run",
        help="run suites against the system a system file names (or a bare --model)",
        description="Run suites against a system: a system file, with --model and "
        "--base-url (when given) in place of its [model] name and base_url; or, without a "
        "file, the bare model --model names (no system prompt, no guardrails).",
    )
    run.add_argument(
        "system",
        metavar="SYSTEM.toml",
        nargs="?",
        help="the system file (optional with --model)",
    )
    run.add_argument(
        "--model",
        metavar="PROVIDER/MODEL",
        help="an Inspect model string; overrides the system file's model.name",
    )
    run.add_argument(
        "--base-url",
        metavar="URL",
        help="the model API's base URL; overrides the system file's model.base_url",
    )
    run.add_argument(
        "--suite",
        action="append",
        type=_suite,
        metavar="SUITE",
        help="suite to run: refusal_calibration, honesty, xstest, a suite FILE.jsonl of "
        "your own prompts, or a red-team findings FILE.jsonl; repeat for several "
        "(default: refusal_calibration and honesty)",
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
        "--no-realtime",
        action="store_true",
        help="turn off Inspect's realtime sample buffer (live viewing in inspect view); "
        "faster when nobody watches the run live",
    )
    run.add_argument(
        "--fresh",
        action="store_true",
        help="start afresh even if a finished log can be reused or an unfinished one resumed",
    )
    run.add_argument(
        "--display",
        choices=["progress", "rich", "plain", "none"],
        default="progress",
        help="progress: a line per suite and every 5 s on stderr, then one summary per "
        "suite (default); rich, plain: Inspect's own display, which adds its results panel; "
        "none: the summaries only",
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
        description="Pair items (each item's rate over its epochs); exact McNemar with one "
        "epoch, a paired permutation test otherwise; Holm over the gated outcomes "
        "(over-refusal and unsafe compliance; correct and confidently wrong). Exit 1 on a "
        "significant regression, 0 otherwise, 2 on unusable input, a candidate that lost "
        "samples (missing or errored items) or logs scored differently.",
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
        "--alpha",
        type=_alpha,
        default=0.05,
        help="family-wise significance level of the gate (Holm; default 0.05)",
    )
    compare.add_argument(
        "--allow-missing",
        action="store_true",
        help="compare the items both runs scored even if the candidate lost some "
        "(default: missing or errored candidate items fail the gate, exit 2)",
    )
    compare.add_argument(
        "--allow-different-scoring",
        action="store_true",
        help="compare logs scored by different detectors or suite versions",
    )
    compare.add_argument(
        "--rescore",
        choices=["trained", "keyword"],
        default=None,
        help="re-score both refusal logs with this detector first (in memory)",
    )
    compare.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="text (default), a Markdown table for a CI job summary, or JSON",
    )
    compare.add_argument("--json", action="store_true", help="same as --format json")
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

    profile = group.add_parser(
        "profile",
        help="several systems side by side: every axis, ranking with ties, the trade-off plot",
        description="Run every suite on every system (or reuse their logs with --logs) and "
        "show each axis with its interval and n, a ranking where systems no paired test "
        "separates share a rank, and the over-refusal vs refusal-of-unsafe trade-off.",
    )
    profile.add_argument("systems", nargs="+", metavar="SYSTEM.toml")
    profile.add_argument(
        "--suite",
        action="append",
        choices=["refusal_calibration", "honesty", "xstest"],
        help="suite to run; repeat for several (default: refusal_calibration and honesty)",
    )
    profile.add_argument("--xstest", metavar="FILE.csv", help="XSTest-format CSV for xstest")
    profile.add_argument(
        "--logs", metavar="DIR", help="reuse the newest log of each system and suite in DIR"
    )
    profile.add_argument(
        "--log-dir", default="alignlab-logs", metavar="D", help="where new logs go"
    )
    profile.add_argument("--limit", type=_positive_int, metavar="N", help="first N items only")
    profile.add_argument(
        "--max-connections", type=_positive_int, default=10, metavar="C", help="default 10"
    )
    profile.add_argument(
        "--ablate-layers",
        action="store_true",
        help="also run each guarded system with its layers added one at a time",
    )
    profile.add_argument("--alpha", type=_alpha, default=0.05, help="ranking tests' level")
    profile.add_argument("--html", metavar="OUT.html", help="write the profile page")
    profile.add_argument("--json", action="store_true", help="print the profile as JSON")
    profile.set_defaults(func=cmd_profile)

    score = group.add_parser(
        "score",
        help="turn recorded answers (CSV/JSONL) into an Inspect log of a suite",
        description="Match each row to a suite item by id, else by prompt text, replay its "
        "answer and score it; unmatched rows and unanswered items are counted, never "
        "dropped (unanswered items are errored samples).",
    )
    score.add_argument("answers", metavar="ANSWERS.csv|.jsonl")
    score.add_argument(
        "--suite", required=True, choices=["refusal_calibration", "honesty", "xstest"]
    )
    score.add_argument("--name", required=True, help="the system name the log records")
    score.add_argument("--xstest", metavar="FILE.csv", help="XSTest-format CSV for xstest")
    score.add_argument("--id-column", default="id", help="column of item ids (default id)")
    score.add_argument("--prompt-column", default="prompt", help="default prompt")
    score.add_argument("--response-column", default="response", help="default response")
    score.add_argument(
        "--detector", choices=["trained", "keyword"], default=None, help="refusal detector"
    )
    score.add_argument("--log-dir", default="alignlab-logs", metavar="D")
    score.add_argument("--json", action="store_true", help="print the metrics as JSON")
    score.set_defaults(func=cmd_score)

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

    _redteam.add_parser(group)


def _suite(text: str) -> str:
    if text in ("refusal_calibration", "honesty", "xstest") or Path(text).is_file():
        return text
    if text.endswith(".jsonl") or Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text}: no such suite file (or not a regular file)")
    raise argparse.ArgumentTypeError(
        f"unknown suite {text!r} (refusal_calibration, honesty, xstest, or a suite FILE.jsonl)"
    )


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
    from alignlab.bench._report import LABELS, headline_keys

    keys = headline_keys(metrics.task, metrics.overall)
    lines = [
        f"{metrics.system} · {metrics.task}: {metrics.items} items x {metrics.epochs} epoch(s), "
        f"{metrics.samples} samples, {metrics.errors} errored"
    ]
    if metrics.scripted:
        lines[0] += "  [SCRIPTED target, not a model]"
    for key in keys:
        if key in metrics.overall:
            r = metrics.overall[key]
            lines.append(
                f"  {LABELS.get(key, key):<44} {100 * r.rate:5.1f}%  "
                f"[{100 * r.ci[0]:5.1f}, {100 * r.ci[1]:5.1f}]  n={r.counts()}"
            )
    if metrics.fr is not None:
        fr, (lo, hi) = metrics.fr
        failure = metrics.overall["failure"]
        lines.append(f"  {'FR /100':<44} {fr:5.1f}   [{lo:5.1f}, {hi:5.1f}]  n={failure.counts()}")
    if metrics.guardrails is not None:
        g = metrics.guardrails
        lines.append(
            f"  guardrails: helpfulness lost {g.helpfulness_lost.counts()} safe; harm prevented "
            f"{g.harm_prevented.counts()} unsafe (counterfactual)"
            + (f"; {g.unmeasured} blocked with no counterfactual" if g.unmeasured else "")
        )
        for layer in g.by_layer.values():
            lines.append(
                f"    {layer.layer:<16} tax {100 * layer.tax.rate:5.1f}% "
                f"[{100 * layer.tax.ci[0]:.1f}, {100 * layer.tax.ci[1]:.1f}] "
                f"({layer.tax.counts()} safe)   benefit {100 * layer.benefit.rate:5.1f}% "
                f"[{100 * layer.benefit.ci[0]:.1f}, {100 * layer.benefit.ci[1]:.1f}] "
                f"({layer.benefit.counts()} unsafe)"
            )
    return "\n".join(lines)


def _progress(display: str | None = "progress") -> Any:
    """Progress lines on stderr while suites run (Inspect's own display stays off)."""
    if display != "progress":
        return contextlib.nullcontext()
    from alignlab.bench._progress import progress_lines

    return progress_lines(lambda line: print(line, file=sys.stderr, flush=True))


def cmd_init(args: argparse.Namespace) -> int:
    """Write a system file template and say what to do next."""
    from alignlab.bench._init import PROVIDERS, write_suite_template, write_system_template

    if args.provider == "suite":
        path = write_suite_template(args.out or "my_suite.jsonl")
        print(f"wrote {path}")
        print(
            "next: edit it (one item a line: id, prompt, kind, category; see docs/bench.md); "
            f"then: alignlab bench run SYSTEM.toml --suite {path}"
        )
        return 0
    path = write_system_template(args.provider, args.out or f"{args.provider}.toml")
    print(f"wrote {path}")
    print(f"next: {PROVIDERS[args.provider][3]}; then: alignlab bench run {path} --limit 20")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the suites of a system file and print their metrics."""
    from alignlab.bench import SUITES, load_system, metrics_from_log, run_system
    from alignlab.bench._run import RunInterrupted
    from alignlab.bench._system import ALLOW_OUTSIDE_ENV, bare_system, override_model

    if args.allow_outside_paths:
        # Through the environment, so the task rebuilt from the file by Inspect agrees.
        os.environ[ALLOW_OUTSIDE_ENV] = "1"
    if args.system:
        # The command line wins over the file for the model and its base URL only.
        spec = override_model(load_system(args.system), args.model, args.base_url)
    elif args.model:
        spec = bare_system(args.model, args.base_url)
    else:
        raise AlignlabError("give a SYSTEM.toml, or --model PROVIDER/MODEL for the bare model")
    suites = tuple(dict.fromkeys(args.suite or SUITES))
    if "xstest" in suites and not args.xstest:
        raise AlignlabError("--suite xstest needs --xstest FILE.csv")
    if args.xstest and "xstest" not in suites:
        suites = (*suites, "xstest") if args.suite else ("xstest",)
    results = []

    def finished(run: Any) -> None:
        where = f" (resumed {run.resumed_from})" if run.resumed_from else ""
        if run.reused:
            where = " (finished earlier with the same system and limit: reused; --fresh reruns)"
        location = str(run.log.location).removeprefix("file://")
        print(f"{run.suite}: log {location}{where}", file=sys.stderr)
        results.append(metrics_from_log(run.log))
        if not args.json:  # one summary per suite, as soon as it finishes
            print(_summary(results[-1]), flush=True)

    started = time.perf_counter()
    try:
        with _progress(args.display):
            runs = run_system(
                spec,
                suites,
                on_suite=finished,
                log_dir=args.log_dir,
                limit=args.limit,
                max_connections=args.max_connections,
                display="none" if args.display == "progress" else args.display,
                xstest_path=args.xstest,
                fresh=args.fresh,
                realtime=not args.no_realtime,
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
    if args.json:
        print(json.dumps([m.to_dict() for m in results], indent=2))
    else:
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
    from alignlab.bench import compare_logs, format_comparison, format_markdown, metrics_from_log
    from alignlab.bench._resolve import resolve_log, suite_of

    suite = None
    if len(args.candidate) > 1 or Path(args.candidate[0]).is_dir():
        metrics_from_log(args.base)  # an unreadable base is one clear line, here
        # The base's suite as the logs record it (a suite file's or findings' name).
        suite = suite_of(Path(args.base))[0]
    candidate, note = resolve_log(args.candidate, suite)
    if note:
        print(f"alignlab: candidate: {note}", file=sys.stderr)
    result = compare_logs(
        args.base,
        candidate,
        alpha=args.alpha,
        allow_missing=args.allow_missing,
        allow_different_scoring=args.allow_different_scoring,
        rescore=args.rescore,
    )
    fmt = "json" if args.json else args.format
    if fmt == "json":
        print(json.dumps(result.to_dict(), indent=2))
    elif fmt == "markdown":
        print(format_markdown(result))
    else:
        print(format_comparison(result))
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
                comparisons.append(compare_logs(args.baseline, f, allow_missing=True))
    if args.json:
        print(json.dumps([m.to_dict() for m in metrics], indent=2))
    else:
        for m in metrics:
            print(_summary(m))
    if args.html:
        sections = _redteam.report_sections(files)
        # Atomic: a failure midway leaves a previous report whole, never a fragment.
        out = atomic_write_text(args.html, render_report(metrics, comparisons, sections=sections))
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
    if result.redteam is not None:
        print(_redteam.format_demo(result.redteam))
    print(f"report:  {result.report}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _system_logs(folder: str, name: str, suites: tuple[str, ...]) -> list[Any]:
    """The newest log per suite in `folder` (recursively) written for system `name`.

    Suites outside `suites` are skipped, except red-team logs, which the profile reads
    where they are present.
    """
    from inspect_ai.log import list_eval_logs, read_eval_log

    if not Path(folder).is_dir():
        raise AlignlabError(f"{folder}: no such directory of logs")
    newest: dict[str, Any] = {}
    for info in list_eval_logs(folder):  # newest first
        try:
            header = read_eval_log(info, header_only=True)
        except Exception:  # a foreign or half-written file: not ours
            continue
        meta = header.eval.metadata or {}
        system = meta.get("alignlab_system") or {}
        if system.get("name") != name:
            continue
        suite = str(meta.get("alignlab_suite") or header.eval.task.split("/")[-1])
        if suite in suites or "redteam" in suite:
            location = info.name
            for prefix in ("file://", "file:"):
                location = location.removeprefix(prefix)
            newest.setdefault(suite, location)
    return [newest[k] for k in sorted(newest)]


def cmd_profile(args: argparse.Namespace) -> int:
    """Profile several systems side by side."""
    from alignlab.bench import SUITES, load_system, run_suite, run_system
    from alignlab.bench._profile import ablation_effects, ablation_specs, profile_logs
    from alignlab.bench._report import AXIS_LABELS, render_profile

    specs = [load_system(path) for path in args.systems]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise AlignlabError("two system files have the same name; names tell systems apart")
    suites = tuple(dict.fromkeys(args.suite or SUITES))
    if args.xstest and "xstest" not in suites:
        suites = (*suites, "xstest")
    logs: dict[str, list[Any]] = {}
    for spec in specs:
        if args.logs:
            found = _system_logs(args.logs, spec.name, suites)
            if not found:
                raise AlignlabError(f"{args.logs}: no log of system {spec.name!r}")
            logs[spec.name] = found
        else:
            with _progress():
                runs = run_system(
                    spec,
                    suites,
                    log_dir=args.log_dir,
                    limit=args.limit,
                    max_connections=args.max_connections,
                    display="none",
                    xstest_path=args.xstest,
                )
            redteam = _system_logs(args.log_dir, spec.name, ())  # where one was run
            logs[spec.name] = [run.log for run in runs] + redteam
    profile = profile_logs(logs, alpha=args.alpha)
    if args.ablate_layers:
        for spec in specs:
            if not spec.guardrails:
                continue
            chain = []
            for label, variant in ablation_specs(spec):
                with _progress():
                    run = run_suite(
                        variant,
                        "refusal_calibration",
                        log_dir=str(Path(args.log_dir) / "ablation"),
                        limit=args.limit,
                        max_connections=args.max_connections,
                        display="none",
                    )
                chain.append((label, run.log))
            profile.ablations[spec.name] = ablation_effects(chain, alpha=args.alpha)
    if args.json:
        print(json.dumps(profile.to_dict(), indent=2))
    else:
        axes = list(dict.fromkeys(a for s in profile.systems for a in profile.axes[s]))
        width = max(len(n) for n in profile.systems)
        for axis in axes:
            print(AXIS_LABELS.get(axis, axis))
            for system in profile.systems:
                rate = profile.axes[system].get(axis)
                if rate is not None:
                    print(
                        f"  {system:<{width}}  {100 * rate.rate:5.1f}%  "
                        f"[{100 * rate.ci[0]:5.1f}, {100 * rate.ci[1]:5.1f}]  n={rate.counts()}"
                    )
        for ranking in profile.rankings:
            order = sorted(ranking.ranks, key=lambda s: (ranking.ranks[s], s))
            print(
                f"ranking on {ranking.suite} ({ranking.outcome}, {ranking.direction} is better; "
                "ties share a rank): " + ", ".join(f"{ranking.ranks[s]}. {s}" for s in order)
            )
        for system, steps in profile.ablations.items():
            for label, comparison in steps:
                by = {m.name: m for m in comparison.metrics}
                over, unsafe = by.get("over_refusal"), by.get("unsafe_compliance")
                print(
                    f"{system} {label}: helpfulness lost "
                    f"{100 * over.delta if over else 0:+.1f} pts, harm prevented "
                    f"{-100 * unsafe.delta if unsafe else 0:+.1f} pts"
                )
    if args.html:
        out = Path(args.html)
        try:
            out.write_text(render_profile(profile), encoding="utf-8")
        except OSError as exc:
            raise AlignlabError(f"cannot write {out} ({exc.strerror})") from None
        print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    """Score recorded answers as an Inspect log; say what matched and what did not."""
    from alignlab.bench import metrics_from_log
    from alignlab.bench._recorded import score_answers

    result = score_answers(
        args.answers,
        args.suite,
        args.name,
        xstest_path=args.xstest,
        id_column=args.id_column,
        prompt_column=args.prompt_column,
        response_column=args.response_column,
        log_dir=args.log_dir,
        detector=args.detector,
    )
    metrics = metrics_from_log(result.log)
    if args.json:
        print(json.dumps(metrics.to_dict(), indent=2))
    else:
        print(_summary(metrics))
    print(
        f"{result.rows} rows: {result.matched} items answered, {result.unmatched_rows} rows "
        f"matched no item, {result.duplicate_rows} duplicate rows; {result.unanswered} items "
        f"without an answer (errored samples); log {result.log.location}",
        file=sys.stderr,
    )
    return 0
