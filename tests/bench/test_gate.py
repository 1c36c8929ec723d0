"""The gate never passes what it should fail: each case of issue 12 against a scripted endpoint.

Every run here is a real Inspect run over HTTP against scripted targets whose answers are
known item by item, so each test knows the right decision in advance.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import write_eval_log

from alignlab.bench import (
    REFUSAL,
    IncompleteRunError,
    ScoringMismatchError,
    ScriptedFault,
    ScriptedServer,
    cluster_wilson,
    compare_logs,
    format_p,
    holm,
    load_system,
    mcnemar_exact,
    metrics_from_log,
    paired_permutation,
    read_log,
    refusal_items,
    run_suite,
    scripted_policy,
)
from alignlab.bench._run import build_model, make_task
from alignlab.cli import main
from alignlab.core import wilson_interval

from .conftest import KEY_ENV, LIMIT, SECRET

ITEMS = refusal_items()[:LIMIT]
SAFE = [i["id"] for i in ITEMS if i["kind"] != "unsafe"]
UNSAFE = [i["id"] for i in ITEMS if i["kind"] == "unsafe"]
FLAKY = SAFE[:10]  # refused on every request after the first: 2 of 3 epochs
PROMPT_ID = {i["prompt"]: i["id"] for i in refusal_items()}


def _lossy() -> Any:
    """Calibrated, but every unsafe item gets HTTP 400 (so all of them error)."""
    calibrated = scripted_policy("calibrated")

    def policy(messages: list[dict[str, Any]]) -> str:
        if PROMPT_ID.get(str(messages[-1]["content"])) in UNSAFE:
            raise ScriptedFault(400)
        return calibrated(messages)

    return policy


def _flaky() -> Any:
    """Calibrated, but the FLAKY safe items are refused on every request after the first."""
    calibrated = scripted_policy("calibrated")
    seen: dict[str, int] = {}

    def policy(messages: list[dict[str, Any]]) -> str:
        prompt = str(messages[-1]["content"])
        seen[prompt] = seen.get(prompt, 0) + 1
        if PROMPT_ID.get(prompt) in FLAKY and seen[prompt] > 1:
            return REFUSAL
        return calibrated(messages)

    return policy


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("gate")
    policies = {
        "scripted-calibrated": scripted_policy("calibrated"),
        "scripted-lossy": _lossy(),
        "scripted-flaky": _flaky(),
        "scripted-one": scripted_policy("calibrated", flip=SAFE[:1]),
        "scripted-nine": scripted_policy("calibrated", flip=SAFE[1:10]),
    }
    mp = pytest.MonkeyPatch()
    mp.setenv(KEY_ENV, SECRET)
    out: dict[str, str] = {}
    try:
        with ScriptedServer(policies) as server:
            for label, model, limit in (
                ("base", "scripted-calibrated", LIMIT),
                ("lossy", "scripted-lossy", LIMIT),
                ("short", "scripted-calibrated", 3),
                ("one", "scripted-one", LIMIT),
                ("nine", "scripted-nine", LIMIT),
                ("flaky", "scripted-flaky", LIMIT),
            ):
                path = root / f"{label}.toml"
                path.write_text(
                    f'name = "{label}"\n[model]\nname = "openai-api/scripted/{model}"\n'
                    f'base_url = "{server.base_url}"\napi_key_env = "{KEY_ENV}"\n'
                    "[generation]\nmax_retries = 1\ntimeout = 90\nattempt_timeout = 30\n"
                    '[scoring]\nrefusal_detector = "keyword"\n',
                    encoding="utf-8",
                )
                spec = load_system(path)
                if label == "flaky":  # three epochs of every item
                    task = make_task("refusal_calibration", spec)
                    log = inspect_eval(
                        task,
                        model=build_model(spec),
                        epochs=3,
                        limit=limit,
                        log_dir=str(root / label),
                        display="none",
                        fail_on_error=False,
                    )[0]
                else:
                    log = run_suite(
                        spec,
                        "refusal_calibration",
                        log_dir=str(root / label),
                        limit=limit,
                        display="none",
                    ).log
                out[label] = str(log.location)
        yield out
    finally:
        mp.undo()


def test_errored_candidate_items_fail_the_gate(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """All unsafe items of the candidate error (HTTP 400): exit 2 with the counts, not 0."""
    assert main(["bench", "compare", logs["base"], logs["lossy"]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"0 of the base's {LIMIT} items missing, {len(UNSAFE)} errored" in err
    with pytest.raises(IncompleteRunError):
        compare_logs(logs["base"], logs["lossy"])
    # --allow-missing compares the overlap and says so
    assert main(["bench", "compare", logs["base"], logs["lossy"], "--allow-missing"]) == 0
    out = capsys.readouterr().out
    assert "compared on the overlap only" in out and f"errored {len(UNSAFE)}" in out
    result = compare_logs(logs["base"], logs["lossy"], allow_missing=True)
    assert result.pairs == len(SAFE) and result.errored == len(UNSAFE) and result.allow_missing


def test_a_shorter_candidate_fails_the_gate(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A `--limit 3` candidate against a full baseline: missing items, exit 2."""
    assert main(["bench", "compare", logs["base"], logs["short"]]) == 2
    err = capsys.readouterr().err
    assert f"{LIMIT - 3} of the base's {LIMIT} items missing, 0 errored" in err


def test_rates_show_n_and_errored(logs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """The lossy run: unsafe compliance is 0 of 0 scored with every unsafe item errored."""
    m = metrics_from_log(logs["lossy"])
    assert m.errors == len(UNSAFE)
    unsafe = m.overall["unsafe_compliance"]
    assert (unsafe.total, unsafe.errored) == (0, len(UNSAFE))
    assert (m.overall["over_refusal"].total, m.overall["over_refusal"].errored) == (len(SAFE), 0)
    failure = m.overall["failure"]
    assert (failure.total, failure.errored) == (len(SAFE), len(UNSAFE))
    assert main(["bench", "report", logs["lossy"]]) == 0
    text = capsys.readouterr().out
    assert f"n=0/0, {len(UNSAFE)} errored" in text
    assert f"n=0/{len(SAFE)}, {len(UNSAFE)} errored" in text  # FR /100 says it, too


def test_failure_is_information_and_two_outcomes_are_gated(logs: dict[str, str]) -> None:
    """9 new over-refusals and 1 fixed: p = 0.0215, Holm over 2 = 0.043 -> regression.

    With `failure` in the family (three outcomes) Holm would give 0.064 and pass.
    """
    result = compare_logs(logs["one"], logs["nine"])
    by = {m.name: m for m in result.metrics}
    assert result.family == ("over_refusal", "unsafe_compliance")
    over = by["over_refusal"]
    assert (over.base_only, over.candidate_only) == (1, 9) and over.kind == "mcnemar"
    assert over.p_value == pytest.approx(mcnemar_exact(1, 9)) == pytest.approx(22 / 1024)
    assert over.p_adjusted == pytest.approx(2 * 22 / 1024) and over.regression
    assert holm([over.p_value, by["failure"].p_value, 1.0])[0] > 0.05  # the old family passed
    failure = by["failure"]
    assert failure.direction == "info" and failure.p_adjusted is None and not failure.regression
    assert failure.decision == "information"
    assert main(["bench", "compare", logs["one"], logs["nine"]]) == 1


def test_epochs_pair_items_and_intervals_cluster(logs: dict[str, str]) -> None:
    """Refusals in epochs 2-3 only: caught; each item is one unit with its rate over epochs."""
    m = metrics_from_log(logs["flaky"])
    over = m.overall["over_refusal"]
    assert (over.total, over.epochs, m.epochs) == (len(SAFE), 3, 3)
    item_rates = [2 / 3 if i in FLAKY else 0.0 for i in SAFE]
    assert over.rate == pytest.approx(np.mean(item_rates))
    # the cluster interval by hand: Wilson at n_eff = p(1-p) / (var(item rates) / items)
    p = float(np.mean(item_rates))
    n_eff = p * (1 - p) / (float(np.var(item_rates)) / len(SAFE))
    n_eff = min(max(n_eff, len(SAFE)), 3 * len(SAFE))
    assert over.ci == pytest.approx(wilson_interval(p * n_eff, n_eff))
    assert over.ci == pytest.approx(cluster_wilson(item_rates, 3 * len(SAFE)))
    naive = wilson_interval(20, 3 * len(SAFE))  # epochs as independent trials: too narrow
    assert over.ci[1] - over.ci[0] > naive[1] - naive[0]
    # the gate pairs items, whatever their epochs: base 1 epoch vs candidate 3
    result = compare_logs(logs["base"], logs["flaky"])
    by = {m.name: m for m in result.metrics}
    assert result.pairs == LIMIT
    assert by["over_refusal"].kind == "permutation"
    assert by["over_refusal"].candidate_only == len(FLAKY) and by["over_refusal"].regression
    assert by["over_refusal"].delta == pytest.approx(len(FLAKY) * (2 / 3) / len(SAFE))


def test_different_scoring_is_refused(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A candidate scored by another detector version: exit 2 unless allowed or re-scored."""
    log = read_log(logs["one"])
    for sample in log.samples or []:
        for score in (sample.scores or {}).values():
            assert score.metadata is not None
            score.metadata["detector_version"] = "keyword@000000000000"
    other = tmp_path / "other-detector.eval"
    write_eval_log(log, str(other))
    assert main(["bench", "compare", logs["base"], str(other)]) == 2
    err = capsys.readouterr().err
    assert "detectors differ" in err and "--rescore" in err and err.count("\n") == 1
    with pytest.raises(ScoringMismatchError):
        compare_logs(logs["base"], str(other))
    assert compare_logs(logs["base"], str(other), allow_different_scoring=True).pairs == LIMIT
    rescored = compare_logs(logs["base"], str(other), rescore="keyword")
    assert rescored.scoring["base"] == rescored.scoring["candidate"]
    assert main(["bench", "compare", logs["base"], str(other), "--rescore", "keyword"]) == 0


def test_p_values_are_never_rounded_to_zero(logs: dict[str, str]) -> None:
    tiny = 2 * 0.5**60
    assert holm([tiny, 0.5]) == [2 * tiny, 0.5]
    assert format_p(tiny) != "0.0000" and float(format_p(tiny)) > 0
    result = compare_logs(logs["base"], logs["one"])
    data = json.loads(json.dumps(result.to_dict()))
    assert all(m["p_value"] > 0 for m in data["metrics"])


def test_permutation_test_equals_mcnemar_on_one_epoch() -> None:
    rng = np.random.default_rng(0)
    for b, c in ((0, 6), (1, 9), (3, 4), (0, 16)):
        diffs = np.array([-1.0] * b + [1.0] * c + [0.0] * 5)
        assert paired_permutation(diffs, rng) == pytest.approx(mcnemar_exact(b, c))
    big = np.array([1.0] * 40 + [-1.0] * 2)  # Monte Carlo: positive, about 2e-9 in truth
    p = paired_permutation(big, rng)
    assert 0 < p <= 2 / 20_001


def test_ci_recipe_fails_on_a_candidate_that_lost_samples(logs: dict[str, str]) -> None:
    """The CI recipe of docs/bench.md, run as written on a candidate with errored items."""
    docs = Path(__file__).parents[2] / "docs" / "bench.md"
    blocks = re.findall(r"```bash\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    (recipe,) = [b for b in blocks if "bench compare" in b and "|| exit" in b]  # the CI one
    line = next(x for x in recipe.splitlines() if "bench compare" in x)
    tokens = line.split()
    base_at = tokens.index("compare") + 1
    tokens[base_at], tokens[base_at + 1] = logs["base"], logs["lossy"]
    command = " ".join(tokens).replace("alignlab ", f"{sys.executable} -m alignlab ", 1)
    src = str(Path(__file__).parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 2, done.stderr
    assert "errored" in done.stderr
