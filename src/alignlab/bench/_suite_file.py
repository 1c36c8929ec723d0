"""A suite of your own prompts: a JSONL file the Bench runs, gates and reports like its own.

One JSON object a line, every line one item. The item's `kind` says how it is scored,
and one file holds one family of kinds:

- refusal items (scored as `refusal_calibration`, over-refusal against unsafe
  compliance): `{"id": "r1", "prompt": "...", "kind": "safe" | "safe_scary" | "unsafe"}`;
- honesty items (scored as `honesty`, correct / abstained / confidently wrong):
  `{"id": "h1", "prompt": "...", "kind": "checkable" | "false_premise" | "unanswerable" |
  "sycophancy", "answers": [...]}`, with `answers` the accepted answers (checkable,
  sycophancy: at least one), correction phrases (false premise: optional) or none
  (unanswerable), and an optional `user_claim` (the wrong answer a sycophancy probe
  asserts).

Every item may carry a `category` (default `uncategorised`) and free-text `notes`. Any
other field, a missing or empty `id` or `prompt`, an unknown kind, a kind of the other
family, a duplicate id, a line that is not a JSON object, and a file with no item are
errors naming the file and the line. The file is read bounded (`MAX_SUITE_BYTES`) and
only if it is a regular file: a suite may come from an untrusted pull request.

The suite's name is the file's stem; it names the Inspect task, so `alignlab bench
compare` pairs two runs of the same file item by id and refuses runs of different
suites, and the items' fingerprint (`alignlab_suite_version`) tells an edited file apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample

from alignlab.bench._guardrails import system_solvers
from alignlab.bench._scorers import honesty_scorer, mean_applicable, refusal_scorer
from alignlab.bench._suites import (
    HONESTY_KINDS,
    REFUSAL_KINDS,
    SuiteError,
    _metadata,
    _system,
)
from alignlab.bench._system import MAX_SUITE_BYTES, SystemFileError, read_bounded_text

FIELDS: tuple[str, ...] = ("id", "prompt", "kind", "category", "answers", "user_claim", "notes")
"""The fields a suite line may have (`id`, `prompt` and `kind` are required)."""

RESERVED_NAMES: frozenset[str] = frozenset(
    {"refusal_calibration", "honesty", "xstest", "redteam", "redteam_findings", "suite_file"}
)
"""File stems a suite cannot have: they name the built-in suites and tasks."""


@dataclass(frozen=True)
class SuiteFile:
    """A checked suite file.

    Attributes:
        name: the suite's name (the file's stem).
        family: `refusal` or `honesty`: how its items are scored.
        items: the items, in file order, each with every field filled in.
    """

    name: str
    family: str
    items: tuple[dict[str, Any], ...]


def _family(kind: str) -> str | None:
    if kind in REFUSAL_KINDS:
        return "refusal"
    if kind in HONESTY_KINDS:
        return "honesty"
    return None


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _item(record: Any, where: str) -> dict[str, Any]:
    """Check one parsed line and return the item with its defaults filled in."""
    if not isinstance(record, dict):
        raise SuiteError(f"{where}: not a JSON object")
    if "format" in record:
        raise SuiteError(
            f"{where}: unknown suite: format {record['format']!r} is not a red-team findings "
            "format ('alignlab-redteam-findings/1'), and a suite file's lines have no format"
        )
    unknown = [k for k in record if k not in FIELDS]
    if unknown:
        raise SuiteError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    for key in ("id", "prompt", "kind"):
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SuiteError(f"{where}: {key} must be a non-empty string")
    kind = record["kind"]
    if _family(kind) is None:
        kinds = ", ".join((*REFUSAL_KINDS, *HONESTY_KINDS))
        raise SuiteError(f"{where}: unknown kind {kind!r} (one of {kinds})")
    category = record.get("category", "uncategorised")
    if not isinstance(category, str) or not category.strip():
        raise SuiteError(f"{where}: category must be a non-empty string")
    for key in ("notes", "user_claim"):
        if key in record and not isinstance(record[key], str):
            raise SuiteError(f"{where}: {key} must be a string")
    answers = record.get("answers")
    if _family(kind) == "refusal":
        for key in ("answers", "user_claim"):
            if key in record:
                raise SuiteError(f"{where}: {key} is for honesty items, not {kind!r} ones")
        answers = []
    else:
        if answers is None:
            answers = []
        if not _string_list(answers):
            raise SuiteError(f"{where}: answers must be a list of non-empty strings")
        if kind in ("checkable", "sycophancy") and not answers:
            raise SuiteError(f"{where}: a {kind} item needs at least one accepted answer")
        if kind == "unanswerable" and answers:
            raise SuiteError(f"{where}: an unanswerable item has no answers (abstaining is right)")
        if "user_claim" in record and kind != "sycophancy":
            raise SuiteError(f"{where}: user_claim is for sycophancy items only")
    return {
        "id": record["id"].strip(),
        "prompt": record["prompt"],
        "kind": kind,
        "category": category.strip(),
        "answers": list(answers),
        "user_claim": record.get("user_claim"),
    }


def load_suite_file(path: str | Path) -> SuiteFile:
    """Read and check a suite file (see the module docstring for its schema).

    Raises:
        SuiteError: naming the file and, for a bad item, its line number.

    """
    file = Path(path)
    if file.stem in RESERVED_NAMES:
        raise SuiteError(f"{file}: {file.stem!r} names a built-in suite; rename the file")
    try:
        text = read_bounded_text(file, MAX_SUITE_BYTES, "suite file")
    except SystemFileError as exc:
        raise SuiteError(str(exc)) from None
    items: list[dict[str, Any]] = []
    family: tuple[str, int] | None = None
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file}: line {number}"
        try:
            record = json.loads(line)
        except RecursionError:
            raise SuiteError(f"{where}: not JSON (nested too deeply)") from None
        except ValueError as exc:
            raise SuiteError(f"{where}: not JSON ({exc.args[0].split(':')[0]})") from None
        item = _item(record, where)
        this = _family(item["kind"])
        assert this is not None  # _item checked the kind
        if family is None:
            family = (this, number)
        elif this != family[0]:
            raise SuiteError(
                f"{where}: kind {item['kind']!r} belongs to {this} suites, but line "
                f"{family[1]} made this a {family[0]} suite; one file holds one family"
            )
        if item["id"] in seen:
            raise SuiteError(
                f"{where}: duplicate id {item['id']!r} (first on line {seen[item['id']]})"
            )
        seen[item["id"]] = number
        items.append(item)
    if family is None:
        raise SuiteError(f"{file}: no items (an empty suite file)")
    return SuiteFile(name=file.stem, family=family[0], items=tuple(items))


def suite_file_dataset(suite: SuiteFile) -> MemoryDataset:
    """A suite file's items as an Inspect dataset, with the metadata its family's scorer needs."""
    samples = []
    for item in suite.items:
        if suite.family == "refusal":
            samples.append(
                Sample(
                    id=item["id"],
                    input=item["prompt"],
                    metadata={
                        "kind": item["kind"],
                        "category": item["category"],
                        "unsafe": item["kind"] == "unsafe",
                    },
                )
            )
        else:
            samples.append(
                Sample(
                    id=item["id"],
                    input=item["prompt"],
                    target=list(item["answers"]),
                    metadata={
                        "kind": item["kind"],
                        "category": item["category"],
                        "user_claim": item["user_claim"],
                    },
                )
            )
    return MemoryDataset(samples, name=suite.name)


@task
def suite_file(
    path: str,
    system: str | None = None,
    detector: str | None = None,
    model_name: str | None = None,
    base_url: str | None = None,
) -> Task:
    """Your own prompts as a suite (`-T path=my_suite.jsonl`), scored as their kinds say.

    Args:
        path: the suite file (JSONL; see `alignlab.bench._suite_file` for the schema).
        system: path of a system file; None: the bare model.
        detector: refusal detector kind (refusal suites); None: the system file's choice,
            else the best available.
        model_name: the model the run used instead of the system file's (recorded only).
        base_url: the base URL the run used instead of the system file's (recorded only).
    """
    suite = load_suite_file(path)
    spec = _system(system, model_name, base_url)
    dataset = suite_file_dataset(suite)
    metadata = {**_metadata(suite.name, spec, dataset), "alignlab_suite_family": suite.family}
    if suite.family == "refusal":
        kind = detector or (spec.refusal_detector if spec else None)
        return Task(
            name=suite.name,
            dataset=dataset,
            solver=system_solvers(spec),
            scorer=refusal_scorer(kind),
            epochs=Epochs(1, mean_applicable()),
            metadata=metadata,
            version=1,
        )
    return Task(
        name=suite.name,
        dataset=dataset,
        solver=system_solvers(spec),
        scorer=honesty_scorer(),
        metadata=metadata,
        version=1,
    )
