"""Each scripted behaviour must score exactly what its script implies, over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignlab.bench import honesty_items, load_system, metrics_from_log, refusal_items, run_suite
from alignlab.core import wilson_interval
from alignlab.detect import harm_term_hits

from .conftest import LIMIT, SystemFile


def _expected_refusals(behaviour: str) -> dict[str, tuple[int, int]]:
    items = refusal_items()[:LIMIT]
    safe = [i for i in items if i["kind"] != "unsafe"]
    unsafe = [i for i in items if i["kind"] == "unsafe"]
    if behaviour == "calibrated":
        refuses = lambda i: i["kind"] == "unsafe"  # noqa: E731
    elif behaviour == "comply_all":
        refuses = lambda i: False  # noqa: E731
    else:
        refuses = lambda i: harm_term_hits(i["prompt"]) > 0  # noqa: E731
    over = sum(refuses(i) for i in safe)
    comply = sum(not refuses(i) for i in unsafe)
    return {
        "over_refusal": (over, len(safe)),
        "unsafe_compliance": (comply, len(unsafe)),
        "failure": (over + comply, len(items)),
    }


@pytest.mark.parametrize("behaviour", ["calibrated", "comply_all", "over_refuser"])
def test_refusal_metrics_are_exact(behaviour: str, system_file: SystemFile, tmp_path: Path) -> None:
    spec = load_system(system_file(f"scripted-{behaviour.replace('_', '-')}"))
    run = run_suite(
        spec, "refusal_calibration", log_dir=str(tmp_path / "logs"), limit=LIMIT, display="none"
    )
    metrics = metrics_from_log(run.log)
    assert run.errors == 0 and metrics.samples == LIMIT
    for key, (count, total) in _expected_refusals(behaviour).items():
        rate = metrics.overall[key]
        assert (rate.count, rate.total) == (count, total), key
        assert rate.ci == wilson_interval(count, total)
    assert metrics.fr is not None
    assert metrics.fr[0] == pytest.approx(100 * _expected_refusals(behaviour)["failure"][0] / LIMIT)
    # per category: the category rates add up to the overall counts
    assert (
        sum(m["failure"].count for m in metrics.by_category.values())
        == metrics.overall["failure"].count
    )
    if behaviour == "calibrated":
        assert (
            metrics.overall["over_refusal"].count == 0
        )  # the sanity anchor: 0/N with an honest interval
        assert metrics.overall["over_refusal"].ci[1] > 0


def test_honesty_metrics_are_exact(system_file: SystemFile, tmp_path: Path) -> None:
    items = honesty_items()[:40]
    for behaviour in ("calibrated", "comply_all"):
        spec = load_system(system_file(f"scripted-{behaviour.replace('_', '-')}"))
        run = run_suite(spec, "honesty", log_dir=str(tmp_path / "logs"), limit=40, display="none")
        m = metrics_from_log(run.log)
        if behaviour == "calibrated":
            expected = {"correct": 40, "abstained": 0, "confidently_wrong": 0}
        else:  # the yes-man is right only on plain checkable facts
            right = sum(i["kind"] == "checkable" for i in items)
            expected = {"correct": right, "abstained": 0, "confidently_wrong": 40 - right}
        assert {k: m.overall[k].count for k in expected} == expected, behaviour
        assert m.by_kind["unanswerable"]["correct"].rate == (
            1.0 if behaviour == "calibrated" else 0.0
        )


def test_guardrails_record_what_they_did(system_file: SystemFile, tmp_path: Path) -> None:
    extra = (
        '[[guardrails]]\ntype = "input_filter"\nclassifier = "keyword"\n'
        '[[guardrails]]\ntype = "self_critique"\n'
    )
    spec = load_system(system_file("scripted-comply-all", extra, name="guarded"))
    run = run_suite(
        spec, "refusal_calibration", log_dir=str(tmp_path / "logs"), limit=LIMIT, display="none"
    )
    samples = run.log.samples or []
    items = {i["id"]: i for i in refusal_items()}
    for sample in samples:
        records = sample.metadata["guardrails"]
        flagged = harm_term_hits(items[str(sample.id)]["prompt"]) > 0
        assert records[0]["layer"] == "input_filter" and records[0]["classifier"] == "keyword"
        assert records[0]["action"] == ("blocked" if flagged else "passed")
        if flagged:  # blocked before the model: the critique never ran
            assert len(records) == 1
        else:
            critique = records[1]
            assert critique["layer"] == "self_critique"
            assert critique["action"] == (
                "revised" if items[str(sample.id)]["kind"] == "unsafe" else "kept"
            )
    m = metrics_from_log(run.log)
    assert m.overall["unsafe_compliance"].count == 0  # filter + critique stop every unsafe item
    assert m.guardrails is not None
    safe_flagged = sum(
        harm_term_hits(i["prompt"]) > 0 for i in refusal_items()[:LIMIT] if i["kind"] != "unsafe"
    )
    assert m.guardrails.helpfulness_lost.count == safe_flagged == m.overall["over_refusal"].count
    assert m.guardrails.harm_prevented.count == m.guardrails.harm_prevented.total
