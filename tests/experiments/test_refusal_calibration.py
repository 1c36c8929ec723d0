"""`refusal-calibration`: the contract, its three laws, and a table that cannot go stale."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.core import fr_per_100
from alignlab.detect.calibration_table import suite, suite_digest
from alignlab.experiments import _refusal_calibration_table as table
from alignlab.experiments import refusal_calibration as rc

unit = st.floats(0.0, 1.0)
seeds = st.integers(0, 2**32 - 1)


def test_passes_the_checker() -> None:
    assert alignlab.check_experiment("refusal-calibration") > 0


def test_fr_counts_over_refusals_plus_unsafe_compliances() -> None:
    data = alignlab.run("refusal-calibration", pressure=0.6, fidelity=1.0, oversight=0.5).to_dict()
    phys = data["physical"]
    failures = phys["over_refusals"] + phys["unsafe_compliances"]
    assert data["fr"] == pytest.approx(100 * failures / phys["suite_prompts"])
    assert phys["suite_prompts"] == len(table.UNSAFE)
    assert phys["rewordings_tried"] == 3


def _interior_minimum(pressure: float, fidelity: float, seed: int) -> bool:
    result = alignlab.run("refusal-calibration", pressure=pressure, fidelity=fidelity, seed=seed)
    fr = np.asarray(result.to_dict()["tax"]["fr"])
    return bool(fr[1:-1].min() < min(fr[0], fr[-1]))


@settings(max_examples=40, deadline=None)
@given(fidelity=st.floats(0.65, 1.0), pressure=unit, seed=seeds)
def test_fr_has_a_minimum_strictly_inside_the_strictness_range(
    fidelity: float, pressure: float, seed: int
) -> None:
    # Law 1, for a guardrail that is mostly the trained classifier, at any pressure: both a
    # wide-open and a refuse-everything guardrail are worse than some threshold in between.
    assert _interior_minimum(pressure, fidelity, seed)


@settings(max_examples=40, deadline=None)
@given(fidelity=st.floats(0.1, 1.0), pressure=st.floats(0.0, 0.25), seed=seeds)
def test_interior_minimum_without_much_rewording(
    fidelity: float, pressure: float, seed: int
) -> None:
    # Law 1 for any policy with some trained weight, while attackers try at most one rewording.
    assert _interior_minimum(pressure, fidelity, seed)


def test_keyword_guardrail_never_beats_no_guardrail_on_this_suite() -> None:
    # The honest flip side of law 1: a keyword guardrail refuses as many safe-but-scary
    # prompts as unsafe ones it stops, so its best threshold is "refuse nothing".
    result = alignlab.run("refusal-calibration", pressure=0.0, fidelity=0.0)
    fr = np.asarray(result.to_dict()["tax"]["fr"])
    assert fr.min() == fr[0]


@settings(max_examples=40, deadline=None)
@given(fidelity=unit, oversight=unit, seed=seeds)
def test_rewording_pressure_raises_unsafe_compliance(
    fidelity: float, oversight: float, seed: int
) -> None:
    # Law 2: more rewordings tried never lowers unsafe compliance ...
    curve = alignlab.run(
        "refusal-calibration", fidelity=fidelity, oversight=oversight, seed=seed
    ).curve
    unsafe = np.asarray(curve["unsafe_compliance"])
    assert np.all(np.diff(unsafe) >= 0)
    # ... and strictly raises it whenever the guardrail stopped some unsafe prompt to begin
    # with and is not so strict that it refuses nearly everything.
    if unsafe[0] < 100 and oversight <= 0.9:
        assert unsafe[-1] > unsafe[0]


def _points(fidelity: float, k: int, order: np.ndarray) -> list[tuple[int, int]]:
    grid = np.linspace(0, 1, 101)
    outs = [rc.outcome(fidelity, float(s), order, k) for s in grid]
    return [(o.over_refusals, o.unsafe_compliances) for o in outs]


@settings(max_examples=20, deadline=None)
@given(k=st.integers(0, rc.N_REWORDINGS), seed=seeds)
def test_trained_classifier_dominates_the_keyword_baseline(k: int, seed: int) -> None:
    # Law 3: at every rewording pressure, every (over-refusals, unsafe compliances) point the
    # keyword guardrail can reach is matched or beaten on both counts by the trained one,
    # and the trained one's best FR is strictly lower.
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((int(rc.SUITE.unsafe.sum()), rc.N_REWORDINGS)), axis=1)
    keyword, trained = _points(0.0, k, order), _points(1.0, k, order)
    for over, unsafe in keyword:
        assert any(o <= over and u <= unsafe for o, u in trained)
    assert min(o + u for o, u in trained) < min(o + u for o, u in keyword)


def test_same_seed_same_result_and_sliders_map_to_physical() -> None:
    a = alignlab.run("refusal-calibration", pressure=0.3, seed=7).to_dict()
    b = alignlab.run("refusal-calibration", pressure=0.3, seed=7).to_dict()
    assert a == b
    assert a["physical"]["threshold"] == pytest.approx(0.5)
    assert a["physical"]["trained_weight"] == 1.0
    assert a["curve"]["rewordings"] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_table_matches_the_real_classifiers() -> None:
    # Recompute a sample of the shipped table with the classifiers themselves.
    from alignlab.detect import calibration_table as build
    from alignlab.detect._rewording import REWORDINGS

    examples = build.suite()
    assert build.suite_digest(examples) == table.SUITE_DIGEST
    assert tuple(REWORDINGS) == table.REWORDINGS
    unsafe_rows = [i for i, e in enumerate(examples) if e.label == "unsafe"]
    safe_rows = [i for i, e in enumerate(examples) if e.label == "safe"]
    sample = safe_rows[::15] + unsafe_rows[::8]
    prompts = [examples[i].prompt for i in sample]
    for kind, scores in (("keyword", table.KEYWORD_SCORES), ("trained", table.TRAINED_SCORES)):
        got = build.unsafe_scores(kind, prompts)
        np.testing.assert_allclose(got, [scores[i] for i in sample], atol=2e-3)
    picked = unsafe_rows[::8]
    reworded_idx = [unsafe_rows.index(i) for i in picked]
    for kind, reworded in (
        ("keyword", table.KEYWORD_REWORDED),
        ("trained", table.TRAINED_REWORDED),
    ):
        for j, fn in enumerate(REWORDINGS.values()):
            got = build.unsafe_scores(kind, [fn(examples[i].prompt) for i in picked])
            np.testing.assert_allclose(got, [reworded[r][j] for r in reworded_idx], atol=2e-3)


def test_the_suite_is_base_prompts_times_three_consecutive_rewordings() -> None:
    # The cluster interval groups prompts by BASE_PROMPT (table index // 3); that holds
    # only if the table lists each base prompt with its two re-framings, consecutively.
    prompts = suite()
    assert suite_digest(prompts) == table.SUITE_DIGEST  # table order = suite order
    assert len(prompts) == 56 * rc.REWORDINGS_PER_BASE
    for first in range(0, len(prompts), rc.REWORDINGS_PER_BASE):
        group = prompts[first : first + rc.REWORDINGS_PER_BASE]
        core = group[0].prompt[1:].rstrip(".?!")
        assert all(core in p.prompt for p in group), [p.prompt for p in group]
        assert len({(p.label, p.category) for p in group}) == 1
    assert len(np.unique(rc.BASE_PROMPT)) == 56


@settings(max_examples=20, deadline=None)
@given(pressure=unit, fidelity=unit, oversight=unit, seed=seeds)
def test_rates_and_their_weights_make_up_fr(
    pressure: float, fidelity: float, oversight: float, seed: int
) -> None:
    data = alignlab.run(
        "refusal-calibration", pressure=pressure, fidelity=fidelity, oversight=oversight, seed=seed
    ).to_dict()
    rates, phys = data["rates"], data["physical"]
    weights = rates["fr_weights"]
    assert weights == pytest.approx({"over_refusal": 108 / 168, "unsafe_compliance": 60 / 168})
    mixed = weights["over_refusal"] * rates["over_refusal"]
    mixed += weights["unsafe_compliance"] * rates["unsafe_compliance"]
    assert data["fr"] == pytest.approx(mixed)
    assert rates["over_refusal"] == pytest.approx(100 * phys["over_refusals"] / 108)
    assert rates["unsafe_compliance"] == pytest.approx(100 * phys["unsafe_compliances"] / 60)
    for key in ("over_refusal", "unsafe_compliance"):
        lo, hi = rates[f"{key}_ci"]
        assert lo <= rates[key] <= hi


def test_the_interval_is_clustered_by_base_prompt() -> None:
    # Rewordings of one base prompt share their fate, so the interval is wider than a
    # Wilson interval that treats the 168 prompts as independent.
    data = alignlab.run("refusal-calibration").to_dict()
    phys = data["physical"]
    _, (wlo, whi) = fr_per_100(phys["over_refusals"] + phys["unsafe_compliances"], 168)
    lo, hi = data["fr_ci"]
    assert data["design_effect"] > 1.2
    assert hi - lo > 1.2 * (whi - wlo)
    assert "56 base prompts" in data["fr_ci_covers"]
