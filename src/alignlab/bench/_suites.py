"""The Bench's suites as registered Inspect tasks, and the datasets behind them.

- `refusal_calibration`: 350 items written for alignlab: clearly safe requests,
  safe-but-scary ones (homonyms, figurative language, safe targets, history, fiction,
  public figures, definitions, safety questions) and clearly unsafe requests across the
  usual hazard categories, phrased at category level with no operational detail.
- `honesty`: 157 items: checkable answers, false premises, unanswerable questions and
  sycophancy probes (the user asserts a wrong answer).
- `xstest`: any CSV in the XSTest format (`id,prompt,type,label`), which users download
  themselves; unsafe items are those labelled `unsafe` or typed `contrast_*`.

Each task takes `system`, the path of a system file, and builds the system's solver chain
(system prompt, guardrails, generation) from it; the model comes from the caller
(`alignlab bench run` reads it from the system file; `inspect eval` from `--model`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from alignlab.bench._guardrails import system_solvers
from alignlab.bench._scorers import honesty_scorer, mean_applicable, refusal_scorer
from alignlab.bench._system import (
    MAX_SUITE_BYTES,
    SystemFileError,
    SystemSpec,
    bare_system,
    load_system,
    override_model,
    read_bounded_text,
)
from alignlab.core import AlignlabError

SUITES: tuple[str, ...] = ("refusal_calibration", "honesty")
"""The built-in suites, in the order `alignlab bench run` runs them."""

REFUSAL_KINDS: tuple[str, str, str] = ("safe", "safe_scary", "unsafe")
"""Item kinds of `refusal_calibration`: safe, safe-but-scary, unsafe."""

HONESTY_KINDS: tuple[str, str, str, str] = (
    "checkable",
    "false_premise",
    "unanswerable",
    "sycophancy",
)
"""Item kinds of `honesty`."""


class SuiteError(AlignlabError, ValueError):
    """A suite or its data file is unknown or malformed."""


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    text = resources.files("alignlab.bench").joinpath(f"data/{name}.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def refusal_items() -> list[dict[str, Any]]:
    """Return the `refusal_calibration` items (id, kind, category, prompt), in file order."""
    return _read_jsonl("refusal_calibration")


def honesty_items() -> list[dict[str, Any]]:
    """Return the `honesty` items (id, kind, category, prompt, answers[, user_claim])."""
    return _read_jsonl("honesty")


def refusal_dataset() -> MemoryDataset:
    """The `refusal_calibration` items as an Inspect dataset (metadata: kind, category, unsafe).

    Examples:
        >>> len(refusal_dataset()) >= 300
        True
    """
    samples = [
        Sample(
            id=item["id"],
            input=item["prompt"],
            metadata={
                "kind": item["kind"],
                "category": item["category"],
                "unsafe": item["kind"] == "unsafe",
            },
        )
        for item in refusal_items()
    ]
    return MemoryDataset(samples, name="refusal_calibration")


def honesty_dataset() -> MemoryDataset:
    """The `honesty` items as an Inspect dataset (target: the accepted answers).

    Examples:
        >>> len(honesty_dataset()) >= 150
        True
    """
    samples = [
        Sample(
            id=item["id"],
            input=item["prompt"],
            target=list(item["answers"]),
            metadata={
                "kind": item["kind"],
                "category": item["category"],
                "user_claim": item.get("user_claim"),
            },
        )
        for item in honesty_items()
    ]
    return MemoryDataset(samples, name="honesty")


XSTEST_COLUMNS: tuple[str, ...] = ("id", "prompt", "type")
"""Columns an XSTest-format CSV must have (`label` and others are optional)."""


def xstest_dataset(path: str | Path) -> MemoryDataset:
    """Load an XSTest-format CSV (`id,prompt,type,label`) as a refusal dataset.

    An item is unsafe when its `label` is `unsafe`, or (with no label column) when its
    `type` starts with `contrast_`. Its category is its `type`.

    Raises:
        SuiteError: when the file is missing, lacks a column, or has an empty prompt.
    """
    file = Path(path)
    if not file.exists():
        raise SuiteError(f"{file}: no such XSTest CSV")
    try:
        text = read_bounded_text(file, MAX_SUITE_BYTES, "xstest suite")
    except SystemFileError as exc:
        raise SuiteError(str(exc)) from None
    try:
        with io.StringIO(text, newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in XSTEST_COLUMNS if c not in columns]
            if missing:
                raise SuiteError(
                    f"{file}: missing column(s) {', '.join(missing)} (need id,prompt,type[,label])"
                )
            rows = list(reader)
    except FileNotFoundError:
        raise SuiteError(f"{file}: no such XSTest CSV") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SuiteError(f"{file}: cannot read as CSV ({exc})") from None
    samples = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        prompt = (row.get("prompt") or "").strip()
        item_id = (row.get("id") or "").strip()
        if not prompt or not item_id:
            raise SuiteError(f"{file}: line {line}: empty id or prompt")
        if item_id in seen:
            raise SuiteError(f"{file}: line {line}: duplicate id {item_id!r}")
        seen.add(item_id)
        kind_text = (row.get("type") or "").strip()
        label = (row.get("label") or "").strip().lower()
        unsafe = label == "unsafe" if label else kind_text.startswith("contrast_")
        samples.append(
            Sample(
                id=item_id,
                input=prompt,
                metadata={
                    "kind": "unsafe" if unsafe else "safe",
                    "category": kind_text or "uncategorised",
                    "unsafe": unsafe,
                },
            )
        )
    if not samples:
        raise SuiteError(f"{file}: no items")
    return MemoryDataset(samples, name=file.stem)


def _system(
    system: str | None, model_name: str | None = None, base_url: str | None = None
) -> SystemSpec | None:
    """The system a task runs: its file, with the command line's model and base URL on top.

    Without a file, `model_name` alone makes the bare model a system (`bench run --model`);
    with neither, the bare model of `inspect eval --model` (None).
    """
    if system:
        spec = load_system(system)
        if model_name is None and base_url is None:
            return spec
        return override_model(spec, model_name, base_url)
    if model_name:
        return bare_system(model_name, base_url)
    return None


def suite_version(dataset: MemoryDataset) -> str:
    """A fingerprint of a suite's items (ids, prompts, kinds, targets): edited suites never pair."""
    digest = hashlib.sha256()
    for sample in dataset:
        meta = sample.metadata or {}
        digest.update(
            f"{sample.id}\0{sample.input}\0{meta.get('kind')}\0{sample.target}\n".encode()
        )
    return digest.hexdigest()[:12]


def _metadata(suite: str, spec: SystemSpec | None, dataset: MemoryDataset) -> dict[str, Any]:
    return {
        "alignlab_suite": suite,
        "alignlab_suite_version": suite_version(dataset),
        "alignlab_system": spec.summary() if spec else None,
    }


@task
def refusal_calibration(
    system: str | None = None,
    detector: str | None = None,
    model_name: str | None = None,
    base_url: str | None = None,
) -> Task:
    """Over-refusal against unsafe compliance, on 350 safe, safe-but-scary and unsafe items.

    Args:
        system: path of a system file (system prompt and guardrails); None: the bare model.
        detector: refusal detector kind (`trained`, `keyword`); None: the system file's
            choice, else the best available.
        model_name: the model the run used instead of the system file's (recorded only).
        base_url: the base URL the run used instead of the system file's (recorded only).
    """
    spec = _system(system, model_name, base_url)
    kind = detector or (spec.refusal_detector if spec else None)
    dataset = refusal_dataset()
    return Task(
        dataset=dataset,
        solver=system_solvers(spec),
        scorer=refusal_scorer(kind),
        epochs=Epochs(1, mean_applicable()),
        metadata=_metadata("refusal_calibration", spec, dataset),
        version=1,
    )


@task
def honesty(
    system: str | None = None, model_name: str | None = None, base_url: str | None = None
) -> Task:
    """Correct, abstained or confidently wrong on 157 items of four kinds.

    The kinds: checkable answers, false premises, unanswerable questions and
    sycophancy probes.

    Args:
        system: path of a system file (system prompt and guardrails); None: the bare model.
        model_name: the model the run used instead of the system file's (recorded only).
        base_url: the base URL the run used instead of the system file's (recorded only).
    """
    spec = _system(system, model_name, base_url)
    dataset = honesty_dataset()
    return Task(
        dataset=dataset,
        solver=system_solvers(spec),
        scorer=honesty_scorer(),
        metadata=_metadata("honesty", spec, dataset),
        version=1,
    )


@task
def xstest(
    path: str,
    system: str | None = None,
    detector: str | None = None,
    model_name: str | None = None,
    base_url: str | None = None,
) -> Task:
    """Refusal calibration on an XSTest-format CSV that you supply (`-T path=xstest.csv`).

    Args:
        path: the CSV file (`id,prompt,type,label`).
        system: path of a system file; None: the bare model.
        detector: refusal detector kind; None: the system file's choice, else the best available.
        model_name: the model the run used instead of the system file's (recorded only).
        base_url: the base URL the run used instead of the system file's (recorded only).
    """
    spec = _system(system, model_name, base_url)
    kind = detector or (spec.refusal_detector if spec else None)
    dataset = xstest_dataset(path)
    return Task(
        dataset=dataset,
        solver=system_solvers(spec),
        scorer=refusal_scorer(kind),
        epochs=Epochs(1, mean_applicable()),
        metadata=_metadata("xstest", spec, dataset),
        version=1,
    )
