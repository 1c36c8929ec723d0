"""`alignlab detect refusal|harm`: label every row of a CSV/JSONL file with an offline detector."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from alignlab._atomic import OutputError, refuse_input_as_output
from alignlab.detect import (
    DETECTOR_KINDS,
    Detection,
    DetectorError,
    harm_classifier,
    refusal_detector,
)
from alignlab.detect._io import (
    cell_text,
    check_table_suffix,
    is_jsonl,
    normalise_label,
    read_table,
    require_columns,
    write_table,
)
from alignlab.detect._metrics import Agreement, agreement

PROGRESS_MIN_ROWS = 256
"""Files with more rows than this report progress on stderr."""


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `detect refusal` and `detect harm`."""
    detect = sub.add_parser(
        "detect",
        help="label responses as refusals or prompts as unsafe, offline",
        description="Run an offline detector over every row of a CSV or JSONL file.",
    )
    kinds = detect.add_subparsers(
        dest="detector_task", metavar="TASK", required=True, parser_class=type(detect)
    )
    refusal = kinds.add_parser(
        "refusal",
        help="label each response full_compliance, full_refusal or partial_refusal",
        description="Adds refusal_label and refusal_score (probability of that label).",
    )
    _common(refusal)
    refusal.add_argument(
        "--response-column",
        default="completion",
        help="column with the response text (default: completion)",
    )
    refusal.add_argument(
        "--explain",
        action="store_true",
        help="also add refusal_segment and refusal_segment_role: the segment of the answer "
        "that decided the label (trained detector only)",
    )
    refusal.set_defaults(func=cmd_refusal)
    harm = kinds.add_parser(
        "harm",
        help="label each prompt safe or unsafe",
        description="Adds harm_label and harm_score (probability of that label).",
    )
    _common(harm)
    harm.set_defaults(func=cmd_harm)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="CSV or JSONL file")
    parser.add_argument("--prompt-column", default="prompt", help="column with the prompt")
    parser.add_argument(
        "--output", type=Path, help="write the labelled rows here (default: stdout)"
    )
    parser.add_argument(
        "--label-column",
        help="reference labels: print agreement, confusion matrix and per-class F1",
    )
    parser.add_argument(
        "--detector", choices=DETECTOR_KINDS, default="trained", help="detector kind"
    )
    parser.add_argument("--batch-size", type=int, default=64, help="rows per batch")


def _run_batched(
    n: int,
    batch_size: int,
    step: Callable[[int, int], list[Detection]],
) -> list[Detection]:
    if batch_size < 1:
        raise DetectorError("--batch-size must be at least 1")
    out: list[Detection] = []
    show = n > PROGRESS_MIN_ROWS
    for start in range(0, n, batch_size):
        out.extend(step(start, min(start + batch_size, n)))
        if show:
            end = "\r" if sys.stderr.isatty() else "\n"
            print(f"detect: {len(out)}/{n} rows", end=end, file=sys.stderr, flush=True)
    if show and sys.stderr.isatty():
        print(file=sys.stderr)
    return out


def _finish(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    columns: list[str],
    detections: list[Detection],
    prefix: str,
    labels: Sequence[str],
) -> int:
    for row, det in zip(rows, detections, strict=True):
        row[f"{prefix}_label"] = det.label
        row[f"{prefix}_score"] = round(det.score, 6)
    new = [c for c in (f"{prefix}_label", f"{prefix}_score") if c not in columns]
    jsonl = is_jsonl(args.output) if args.output else is_jsonl(args.input)
    write_table(rows, [*columns, *new], args.output, jsonl)
    if args.label_column:
        reference = []
        for number, row in enumerate(rows, start=1):
            raw = cell_text(row.get(args.label_column))
            label = normalise_label(raw, labels)
            if label is None:
                raise DetectorError(
                    f"row {number}: label {raw!r} in column {args.label_column!r} is not one of "
                    f"{', '.join(labels)}"
                )
            reference.append(label)
        report = agreement(reference, [d.label for d in detections], labels)
        stream = sys.stdout if args.output else sys.stderr
        _print_report(report, f"{prefix} ({args.detector})", stream)
    return 0


def _print_report(report: Agreement, title: str, stream: TextIO) -> None:
    lo, hi = report.accuracy_ci
    print(
        f"{title}: agreement {report.correct}/{report.n} = {100 * report.accuracy:.1f}% "
        f"(95% CI {100 * lo:.1f}-{100 * hi:.1f}%), macro-F1 {report.macro_f1:.3f}",
        file=stream,
    )
    width = max(len(label) for label in report.labels) + 2
    print(
        "reference \\ predicted".ljust(width + 2)
        + "".join(label.rjust(width) for label in report.labels),
        file=stream,
    )
    for label, row in zip(report.labels, report.confusion, strict=True):
        print(f"  {label.ljust(width)}" + "".join(str(c).rjust(width) for c in row), file=stream)
    for label, row in zip(report.labels, report.confusion, strict=True):
        print(f"  F1 {label}: {report.f1[label]:.3f} (n={sum(row)})", file=stream)


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse an output of the wrong type, or one that would overwrite the input."""
    if args.output is not None:
        check_table_suffix(args.output, "--output")
        if args.output.exists():
            try:
                refuse_input_as_output(args.output, [args.input], "--output")
            except OutputError as exc:
                raise DetectorError(str(exc)) from None


def cmd_refusal(args: argparse.Namespace) -> int:
    """Label each response with the refusal detector."""
    _check_paths(args)
    rows, columns = read_table(args.input)
    require_columns(args.input, columns, [args.prompt_column, args.response_column])
    if args.label_column:
        require_columns(args.input, columns, [args.label_column])
    prompts = [cell_text(r.get(args.prompt_column)) for r in rows]
    responses = [cell_text(r.get(args.response_column)) for r in rows]
    detector = refusal_detector(args.detector)
    if args.explain:
        explain = getattr(detector, "explain", None)
        if explain is None:
            raise DetectorError("--explain needs the trained detector (--detector trained)")
        explanations: list[Any] = []

        def step(a: int, b: int) -> list[Detection]:
            batch = explain(prompts[a:b], responses[a:b])
            explanations.extend(batch)
            return [e.detection for e in batch]

        detections = _run_batched(len(rows), args.batch_size, step)
        for row, exp in zip(rows, explanations, strict=True):
            row["refusal_segment"] = exp.segment
            row["refusal_segment_role"] = exp.role
        columns = [
            *columns,
            *(c for c in ("refusal_segment", "refusal_segment_role") if c not in columns),
        ]
    else:
        detections = _run_batched(
            len(rows),
            args.batch_size,
            lambda a, b: detector.detect(prompts[a:b], responses[a:b]),
        )
    return _finish(args, rows, columns, detections, "refusal", detector.labels)


def cmd_harm(args: argparse.Namespace) -> int:
    """Label each prompt with the harm classifier."""
    _check_paths(args)
    rows, columns = read_table(args.input)
    require_columns(args.input, columns, [args.prompt_column])
    if args.label_column:
        require_columns(args.input, columns, [args.label_column])
    prompts = [cell_text(r.get(args.prompt_column)) for r in rows]
    classifier = harm_classifier(args.detector)
    detections = _run_batched(
        len(rows), args.batch_size, lambda a, b: classifier.detect(prompts[a:b])
    )
    return _finish(args, rows, columns, detections, "harm", classifier.labels)
