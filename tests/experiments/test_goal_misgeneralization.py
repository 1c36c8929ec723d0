"""Laws of the goal-misgeneralization experiment: CoinRun's agent learns 'go to the end'."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignlab
from alignlab.cli import main
from alignlab.experiments import goal_misgeneralization as gm

SEEDS = (0, 1, 2)
THRESHOLD_SEEDS = (0, 1)
ID = "goal-misgeneralization"


def run(pressure: float = 1.0, fidelity: float = 0.0, oversight: float = 0.0, seed: int = 0):  # type: ignore[no-untyped-def]
    return alignlab.run(ID, pressure=pressure, fidelity=fidelity, oversight=oversight, seed=seed)


def test_passes_the_experiment_checker() -> None:
    assert alignlab.check_experiment(ID) > 0


def test_cache_changes_nothing_and_seeds_differ() -> None:
    first = run(0.6, 0.25, 0.5, seed=3).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(
        run(0.6, 0.25, 0.5, seed=3).to_dict(), sort_keys=True
    )
    # The experiment derives its training key from the seed's generator; the run it
    # cached must equal a fresh, uncached training run bit for bit.
    key = int(np.random.default_rng(3).integers(0, 2**63 - 1))
    hits = gm._train.cache_info().hits
    cached = gm._train(gm.random_share(0.25), 0.5, key)
    assert gm._train.cache_info().hits == hits + 1
    fresh = gm._train.__wrapped__(gm.random_share(0.25), 0.5, key)
    for name, array in vars(fresh).items():
        assert np.array_equal(array, getattr(cached, name)), name
    assert run(0.6, 0.25, 0.5, seed=4).fr != first["fr"]


@pytest.mark.parametrize("seed", SEEDS)
def test_without_random_levels_it_reaches_the_end_and_misses_the_coin(seed: int) -> None:
    result = run(seed=seed)
    assert result.proxy > 0.94  # training reward near perfect ...
    assert result.fr > 50  # ... yet most test episodes end at the end without the coin
    assert result.to_dict()["reach_end"] > 0.5
    assert result.true < 0.4


@pytest.mark.parametrize("seed", SEEDS)
def test_off_path_coins_are_missed_at_full_pressure(seed: int) -> None:
    # The law of issue 15: full training, no random coins, no check -> off-path FR >= 90.
    # Coins on the surface are picked up in passing by an agent that only runs to the
    # end, so the blended FR is lower, and it is reported beside the headline.
    data = run(seed=seed).to_dict()
    assert data["fr"] >= 90
    assert data["fr_blended"] < data["fr"]
    lo, hi = data["fr_blended_ci"]
    assert lo <= data["fr_blended"] <= hi
    by_height = list(data["fr_by_coin_height"].values())
    assert by_height[0] < 20 < by_height[1] < by_height[2] == data["fr"]
    assert data["physical"]["off_path_test_levels"] >= 40
    assert "off-path test levels" in data["fr_ci_covers"]


def test_coin_height_is_measured_from_the_surface() -> None:
    rng = np.random.default_rng(11)
    at_end = gm._make_levels(rng, 20, coin_at_end=True)
    assert np.all(at_end.coin_height == 0)
    anywhere = gm._make_levels(rng, 400, coin_at_end=False)
    assert set(np.unique(anywhere.coin_height)) == {0, 1, 2, 3}
    # Coins are placed uniformly over free cells, so about half sit two or more rows up.
    assert 0.3 < np.mean(anywhere.coin_height >= gm.OFF_PATH_HEIGHT) < 0.7


@pytest.mark.parametrize("seed", SEEDS)
def test_the_untrained_agent_only_looks_better_because_it_wanders(seed: int) -> None:
    # The untrained agent is a random walker: in a 32-cell level with CoinRun's
    # 1000-step limit it lasts tens of steps and stumbles on most coins, so its test
    # reward beats the trained agent's; the trained agent reaches the end in a few
    # steps. The comparison measures the level's size, not the agent's goal.
    data = run(seed=seed).to_dict()
    untrained = data["untrained"]
    assert untrained["episode_steps"] > 50 > 15 > data["episode_steps"]
    assert untrained["test_reward"] > data["true"]
    assert untrained["fr"] < 40 < 90 <= data["fr"]


@settings(max_examples=15, deadline=None)
@given(pressure=st.floats(0.4, 1.0), oversight=st.floats(0.0, 1.0))
def test_without_random_levels_no_amount_of_training_or_checking_fixes_it(
    pressure: float, oversight: float
) -> None:
    # The coin check only says what the reward already says where the coin is always
    # at the end; training longer only entrenches the learned goal.
    result = run(pressure=pressure, oversight=oversight)
    assert result.fr > 50
    assert result.proxy > 0.9


@pytest.mark.parametrize("seed", THRESHOLD_SEEDS)
def test_a_small_share_of_random_levels_brings_fr_down_sharply(seed: int) -> None:
    share = gm.fr_threshold_share(seed=seed)
    assert share is not None and share <= 0.1
    fidelity = round(share**0.5, 10)
    assert run(fidelity=fidelity, seed=seed).fr < 20
    assert run(fidelity=fidelity, seed=seed).fr < run(seed=seed).fr / 3
    assert run(fidelity=0.5, seed=seed).fr < 10


@pytest.mark.parametrize("seed", THRESHOLD_SEEDS)
def test_the_coin_check_helps_only_alongside_random_levels(seed: int) -> None:
    # With a small share of random levels the check speeds learning the coin's direction.
    assert run(fidelity=0.25, oversight=1.0, seed=seed).fr < run(fidelity=0.25, seed=seed).fr - 5


def test_threshold_share_is_computed_from_runs() -> None:
    frs: list[float] = []
    for i in range(round(1 / gm.FIDELITY_STEP) + 1):
        frs.append(run(fidelity=i * gm.FIDELITY_STEP).fr)
        if frs[-1] < 20:
            break
    first = len(frs) - 1
    assert frs[first] < 20 and all(fr >= 20 for fr in frs[:first])
    assert gm.fr_threshold_share(seed=0) == gm.random_share(first * gm.FIDELITY_STEP)
    # Another limit gives the answer the same sweep implies: nothing is hard-coded.
    below_50 = next(i for i, fr in enumerate(frs) if fr < 50)
    assert gm.fr_threshold_share(seed=0, limit=50.0) == gm.random_share(below_50 * gm.FIDELITY_STEP)
    assert gm.fr_threshold_share(seed=0, limit=100.0) == 0.0


def test_more_training_with_random_levels_lowers_fr() -> None:
    curve = run(fidelity=0.4).to_dict()["curve"]
    fr = np.asarray(curve["fr"])
    assert fr[-1] < 10 < 40 < fr[:12].max()
    assert np.all(np.diff(fr[24:]) < 0.5)  # once the coin's direction is learned, FR only falls
    assert np.asarray(curve["true"])[-1] > 0.85


def test_exact_outcomes_match_rollouts() -> None:
    rng = np.random.default_rng(7)
    levels = gm._make_levels(rng, 3, coin_at_end=False)
    theta = np.random.default_rng(8).normal(0.0, 1.5, size=(gm._N_FEATURES, 4))
    coin, end = gm._outcomes(levels, theta)
    pi = gm._policy(levels, theta)
    episodes = 2000
    for lv in range(3):
        state = np.zeros(episodes, dtype=int)
        outcome = np.zeros(episodes, dtype=int)  # 0 running/timeout, 1 coin, 2 end
        alive = np.ones(episodes, dtype=bool)
        for _ in range(3000):
            if not alive.any():
                break
            cum = pi[lv, state].cumsum(axis=1)
            action = np.minimum((rng.random((episodes, 1)) > cum).sum(axis=1), 3)
            kind = levels.kind[lv, state, action]
            outcome = np.where(alive & (kind > 0), kind, outcome)
            alive &= kind == 0
            alive &= rng.random(episodes) < gm._GAMMA_EVAL
            state = np.where(alive, levels.nxt[lv, state, action], state)
        se = 3.5 * np.sqrt(0.25 / episodes)
        assert np.mean(outcome == 1) == pytest.approx(coin[lv], abs=se)
        assert np.mean(outcome == 2) == pytest.approx(end[lv], abs=se)


def test_banded_solver_matches_dense_solves() -> None:
    # All levels share one band matrix (each with its own discount); every level's
    # solution, with the matrix and with its transpose, must equal a dense solve.
    rng = np.random.default_rng(5)
    levels = gm._concat(
        [gm._make_levels(rng, 3, coin_at_end=True), gm._make_levels(rng, 4, coin_at_end=False)]
    )
    gammas = np.array([0.95, 0.999, 0.95, 0.999, 0.5, 0.95, 0.999])
    pi = gm._policy(levels, rng.normal(0.0, 2.0, size=(gm._N_FEATURES, 4)))
    solver = gm._Solver(levels, gammas)
    factors = solver.factor(pi)
    rhs = rng.normal(size=(2, 7, gm._STATES))
    plain, transposed = solver.solve(factors, rhs), solver.solve(factors, rhs, transpose=True)
    first = solver.solve(factors, rhs[:, :3])  # a prefix of the levels alone
    # A band of the transposes swaps the two.
    flipped = gm._Solver(levels, gammas, transposed=True)
    flipped_factors = flipped.factor(pi)
    np.testing.assert_allclose(flipped.solve(flipped_factors, rhs), transposed, atol=1e-12)
    np.testing.assert_allclose(
        flipped.solve(flipped_factors, rhs, transpose=True), plain, atol=1e-12
    )
    for lv in range(7):
        p_pi = np.zeros((gm._STATES, gm._STATES))
        for s, a in np.ndindex(gm._STATES, 4):
            p_pi[s, levels.nxt[lv, s, a]] += pi[lv, s, a] * levels.live[lv, s, a]
        system = np.eye(gm._STATES) - gammas[lv] * p_pi
        for k in range(2):
            np.testing.assert_allclose(plain[k, lv], np.linalg.solve(system, rhs[k, lv]), atol=1e-9)
            np.testing.assert_allclose(
                transposed[k, lv], np.linalg.solve(system.T, rhs[k, lv]), atol=1e-9
            )
    np.testing.assert_array_equal(first, plain[:, :3])


def test_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    levels = gm._make_levels(rng, 4, coin_at_end=False)
    weights = np.full(4, 0.25)
    theta = rng.normal(0.0, 0.5, size=(gm._N_FEATURES, 4))

    def objective(th: np.ndarray) -> float:
        # A dense solve per level, independent of the experiment's banded solver.
        pi = gm._policy(levels, th)
        p_pi = np.zeros((4, gm._STATES, gm._STATES))
        for lv, s, a in np.ndindex(*pi.shape):
            p_pi[lv, s, levels.nxt[lv, s, a]] += pi[lv, s, a] * levels.live[lv, s, a]
        system = np.eye(gm._STATES) - gm._GAMMA_TRAIN * p_pi
        reward = (levels.kind == gm._COIN) + 0.5 * levels.step_reward
        value = np.linalg.solve(system, (pi * reward).sum(axis=2)[:, :, None])[:, 0, 0]
        return float(weights @ value)

    grad = gm._gradient(levels, weights, theta, 0.5)
    for f, a in [(0, 0), (1, 2), (10, 1), (15, 3)]:
        bump = np.zeros_like(theta)
        bump[f, a] = 1e-3
        numeric = (objective(theta + bump) - objective(theta - bump)) / 2e-3
        assert grad[f, a] == pytest.approx(numeric, rel=0.02, abs=1e-4)


def test_physical_mapping() -> None:
    data = run(pressure=0.5, fidelity=0.2, oversight=0.6).to_dict()
    assert data["physical"]["training_steps"] == gm.training_steps(0.5) == 32
    assert data["physical"]["random_coin_share"] == 0.04
    assert data["physical"]["coin_check_share"] == 0.5
    assert len(data["curve"]["pressure"]) == gm.CURVE_POINTS
    assert data["curve"]["steps"][-1] == gm.MAX_STEPS


def test_cli_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "coinrun.png"
    assert main(["run", ID, "--fidelity", "0", "--plot", str(out)]) == 0
    assert "FR /100" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--option", "levels=5"], "unknown option 'levels'"),
        (["--pressure", "-0.5"], "pressure must lie in [0, 1]"),
        (["--seed", "x"], "seed"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", ID, *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_vectorised_evaluation_matches_dense_solves() -> None:
    # The evaluator eliminates thousands of 32-state systems at once, with no pivoting;
    # coin, end and expected steps from the start must equal a dense solve per system.
    rng = np.random.default_rng(11)
    levels = gm._concat(
        [gm._make_levels(rng, 3, coin_at_end=True), gm._make_levels(rng, 5, coin_at_end=False)]
    )
    rows = gm._Rows(levels)
    thetas = rng.normal(0.0, 2.0, size=(3, gm._N_FEATURES, 4))
    solved = gm._Evaluator(levels, rows).outcomes(rows.softmax(thetas), chunk=2)
    for p, theta in enumerate(thetas):
        pi = gm._policy(levels, theta)
        for lv in range(8):
            p_pi = np.zeros((gm._STATES, gm._STATES))
            for s, a in np.ndindex(gm._STATES, 4):
                p_pi[s, levels.nxt[lv, s, a]] += pi[lv, s, a] * levels.live[lv, s, a]
            system = np.eye(gm._STATES) - gm._GAMMA_EVAL * p_pi
            rhs = np.stack(
                [
                    (pi[lv] * (levels.kind[lv] == gm._COIN)).sum(axis=1),
                    (pi[lv] * (levels.kind[lv] == gm._END)).sum(axis=1),
                    np.ones(gm._STATES),
                ],
                axis=1,
            )
            expected = np.linalg.solve(system, rhs)[0]
            np.testing.assert_allclose(solved[:, p, lv], expected, rtol=1e-10, atol=1e-12)
