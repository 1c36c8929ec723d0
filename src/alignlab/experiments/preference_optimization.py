"""Preference optimisation: RLHF, DPO, IPO and best-of-n over-optimise the same preferences.

The alignment problem: every method that aligns a policy to pairwise preferences
optimises what the *labels* favour, never the intent itself. With an explicit reward
model (RLHF, best-of-n) or without one (direct alignment: DPO, IPO), pushing the policy
further from its reference first helps and then hurts, and an AI labeller that follows a
written constitution is exploited precisely on what the constitution leaves out.

Sources: Christiano et al. 2017, "Deep RL from human preferences" and Ouyang et al. 2022,
"Training language models to follow instructions with human feedback" (Bradley-Terry
reward model, then KL-regularised RL); Rafailov et al. 2023, "Direct Preference
Optimization" (DPO: the policy's log-ratio to the reference is an implicit reward);
Azar et al. 2023, "A general theoretical paradigm to understand learning from human
preferences" (IPO: DPO overfits near-deterministic preferences, IPO regresses the
log-ratio gap to a fixed margin 1/(2 tau)); Gao, Schulman & Hilton 2023, "Scaling laws
for reward model overoptimization" (gold reward rises then falls with KL, best-of-n and
RL); Rafailov et al. 2024, "Scaling laws for reward model overoptimization in direct
alignment algorithms" (DPO and IPO show the same hump, and push probability onto
responses outside the preference data); Xu et al. 2024, "Is DPO superior to PPO for LLM
alignment?" (DPO can put mass on out-of-distribution responses); Bai et al. 2022,
"Constitutional AI" and Lee et al. 2023, "RLAIF" (an AI labeller following a written
constitution); Bai et al. 2022, "Training a helpful and harmless assistant" (helpfulness
and harmlessness trade off).

The simulation (all draws from the generator passed in):

1. Response space. `RESPONSES` candidate responses, each a vector of four aspects
   (helpfulness, harmlessness, honesty, calibration) drawn from a wide Gaussian whose
   aspects trade off (pairwise correlation `TRADE_OFF`, negative: a more helpful answer
   tends to be less cautious, Bai et al. 2022). The reference policy is the importance
   weight that makes the candidates a sample of the narrow Gaussian N(0, S): it rarely
   produces the extreme candidates, which therefore rarely enter the preference data.
2. Intent. The true reward is R*(y) = sum_d (a_d - `CURVATURE` / 2 a_d^2): every aspect
   counts equally and returns diminish (an answer can be too helpful, too cautious).
3. Labels. `TRAIN_PAIRS` + `HELDOUT_PAIRS` pairs of reference samples are labelled by
   Bradley-Terry choice. Human raters judge R* with noise at temperature T(fidelity)
   (fidelity is their agreement with R*, reported as `physical.label_agreement`). The AI
   rater is consistent (temperature `AI_TEMPERATURE`) but judges only what its
   constitution covers: aspect d counts with weight clip(4 fidelity - d, 0, 1), so
   fidelity 0.75 covers three aspects and omits calibration.
4. Methods, all on a policy log-linear in the four aspects, pi(y) ~ pi_ref(y) exp(a . t):
   `rlhf` fits a linear Bradley-Terry reward model (ridge; `_RM_EPOCHS` epochs of
   full-batch gradient descent) and applies the exact KL-regularised optimum
   pi ~ pi_ref exp(lambda r) at the KL budget; `best-of-n` picks the
   reward model's best of n reference samples (exact order statistics); `dpo` runs
   full-batch gradient descent on the DPO loss -log sigmoid(beta (log-ratio gap)) for a
   number of epochs and uses its policy at inverse temperature 1/beta; `ipo` does the
   same on IPO's squared loss with regulariser tau. Nothing tells the direct methods what
   happens off the data: the hump and the out-of-data mass are what their fitted
   log-ratios do when extrapolated, not something written into them.

Sliders. pressure p: rlhf's KL budget `KL_MAX` p nats; best-of-n's n = `N_MAX` ** p;
dpo's 1/beta = `INV_BETA_MAX` p^2 and ipo's 1/tau = `INV_TAU_MAX` p^2, each trained for
`EPOCHS_MIN` + (`EPOCHS_MAX` - `EPOCHS_MIN`) p epochs (squared, so that the low-KL region
where the true reward peaks gets as many curve points as the rest). fidelity: label
quality as above. oversight o:
a KL penalty of `PENALTY_MAX` o reward standard deviations per nat (the optimiser stops
where one more nat buys less than that; for ipo it is IPO's regulariser, acting the same
way) plus, for o > 0, held-out early stopping: every fit keeps the epoch with the lowest
loss on the held-out pairs.

FR /100: of 100 outputs of the optimised policy, the expected number that the labels
favour (the method's learned reward, explicit or implicit, rates them above the
reference policy's median output) but that the true reward rates worse than the
reference policy's typical (median) output. Its 95% Wilson interval treats the policy's
Kish effective number of responses, (sum pi)^2 / sum pi^2, as the trials: it covers the
sampling of the finite response space, not the variation of the preference data across
seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit, logsumexp

from alignlab.core import (
    LoopStage,
    Measurement,
    Option,
    OptionValue,
    Schema,
    Slider,
    Sliders,
    fr_per_100,
    register,
)

__all__ = [
    "AI_TEMPERATURE",
    "ASPECTS",
    "CURVATURE",
    "CURVE_POINTS",
    "EPOCHS_MAX",
    "EPOCHS_MIN",
    "INV_BETA_MAX",
    "INV_TAU_MAX",
    "KL_MAX",
    "N_MAX",
    "PENALTY_MAX",
    "RESPONSES",
    "SCHEMA",
    "TRADE_OFF",
    "coverage",
    "human_temperature",
    "preference_optimization",
]

ASPECTS = ("helpfulness", "harmlessness", "honesty", "calibration")
"""What a response is judged on; the constitution covers them in this order."""

RESPONSES = 1024
"""Candidate responses in the fully known response space."""

TRADE_OFF = -0.2
"""Correlation between every two aspects of a response (negative: they trade off)."""

CURVATURE = 0.7
"""Diminishing returns of the true reward in each aspect."""

WIDE = 2.0
"""Spread of the candidate space relative to the reference policy (its rare extremes)."""

AI_TEMPERATURE = 0.1
"""Bradley-Terry temperature of the AI rater: it applies its constitution consistently."""

TRAIN_PAIRS = 300
HELDOUT_PAIRS = 100
KL_MAX = 12.0
"""rlhf's KL budget at full pressure (nats)."""

N_MAX = 4096.0
"""best-of-n's n at full pressure."""

INV_BETA_MAX = 10.0
"""dpo's 1/beta at full pressure."""

INV_TAU_MAX = 100.0
"""ipo's 1/tau at full pressure (its log-ratio gaps are regressed to 1/(2 tau))."""

EPOCHS_MIN, EPOCHS_MAX = 5, 120
"""Epochs of full-batch gradient descent of dpo and ipo, from pressure 0 to 1."""

PENALTY_MAX = 0.5
"""KL penalty at full oversight, in reward standard deviations per nat."""

CURVE_POINTS = 48
"""Pressure levels on the curve."""

_RIDGE = 1e-2  # L2 penalty of the reward-model fit
_RM_EPOCHS = 120  # gradient-descent epochs of the reward model (converged)
_LEARNING_RATE = 2.0  # full-batch gradient descent step (ipo: 0.15 of it)
_LAMBDAS = np.concatenate([[0.0], np.geomspace(1e-2, 60.0, 80)])  # rlhf's search grid

SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Optimisation",
        "How far the policy is pushed from its reference: a KL budget, n, or 1/beta and epochs.",
        f"KL budget {KL_MAX:g} p nats (rlhf); n = {N_MAX:g}^p (best-of-n); "
        f"1/beta = {INV_BETA_MAX:g} p^2 (dpo); 1/tau = {INV_TAU_MAX:g} p^2 (ipo)",
        "",
        default=0.5,
        to_physical=lambda p: KL_MAX * p,
    ),
    fidelity=Slider(
        "fidelity",
        "Label quality",
        "Human raters' agreement with the true reward, or the constitution's coverage of it.",
        "label quality (human agreement / constitution coverage)",
        "",
        default=0.75,
        to_physical=lambda f: f,
    ),
    oversight=Slider(
        "oversight",
        "Regularisation",
        "A KL penalty toward the reference (IPO's regulariser) plus held-out early stopping.",
        f"KL penalty {PENALTY_MAX:g} o reward sd per nat, and held-out early stopping if o > 0",
        "sd/nat",
        default=0.0,
        to_physical=lambda o: PENALTY_MAX * o,
    ),
    options=(
        Option(
            "method",
            "choice",
            "rlhf",
            "rlhf (reward model + KL-regularised RL), dpo, ipo, or best-of-n on the reward model",
            choices=("rlhf", "dpo", "ipo", "best-of-n"),
        ),
        Option(
            "rater",
            "choice",
            "ai",
            "who labels the preferences: noisy humans, or an AI following a constitution",
            choices=("human", "ai"),
        ),
    ),
)


def coverage(fidelity: float) -> np.ndarray:
    """Weight the AI rater's constitution gives each aspect, in [0, 1].

    Example:
        >>> coverage(0.75).tolist()
        [1.0, 1.0, 1.0, 0.0]
    """
    return np.asarray(np.clip(len(ASPECTS) * fidelity - np.arange(len(ASPECTS)), 0.0, 1.0))


def human_temperature(fidelity: float) -> float:
    """Bradley-Terry temperature of human raters (in true-reward units) at `fidelity`.

    Example:
        >>> round(human_temperature(1.0), 3), round(human_temperature(0.0), 1)
        (0.05, 5.0)
    """
    return float(0.05 * 100.0 ** (1.0 - fidelity))


def true_reward(aspects: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """R*(y) (or a labeller's utility, with per-aspect `weights`) of each response row."""
    per_aspect = aspects - 0.5 * CURVATURE * aspects**2
    w = np.ones(aspects.shape[1]) if weights is None else weights
    return np.asarray(np.einsum("kd,d->k", per_aspect, w))


@dataclass(frozen=True)
class _World:
    """The response space, the reference policy and the labelled pairs."""

    aspects: np.ndarray  # (K, D)
    log_ref: np.ndarray  # (K,) log pi_ref
    true: np.ndarray  # (K,) R*, standardised under pi_ref
    train_diff: np.ndarray  # (m, D) preferred minus rejected aspects
    heldout_diff: np.ndarray  # (h, D)
    in_data: np.ndarray  # (K,) bool: appears in some labelled pair
    agreement: float  # share of labels that agree with R*


def _world(rng: np.random.Generator, fidelity: float, rater: str) -> _World:
    d = len(ASPECTS)
    cov = (1 - TRADE_OFF) * np.eye(d) + TRADE_OFF * np.ones((d, d))
    chol = np.linalg.cholesky(cov)
    aspects = WIDE * np.einsum("kd,ed->ke", rng.standard_normal((RESPONSES, d)), chol)
    # pi_ref: importance weights that turn the wide sample into one of N(0, cov).
    # Inverse of the equicorrelation matrix, in closed form.
    inv_cov = (np.eye(d) - TRADE_OFF / (1 + (d - 1) * TRADE_OFF) * np.ones((d, d))) / (
        1 - TRADE_OFF
    )
    maha = np.einsum("ij,jk,ik->i", aspects, inv_cov, aspects)
    log_ref = -0.5 * (1.0 - 1.0 / WIDE**2) * maha
    log_ref -= logsumexp(log_ref)
    ref = np.exp(log_ref)
    raw_true = true_reward(aspects)
    mean = float(ref @ raw_true)
    sd = math.sqrt(float(ref @ (raw_true - mean) ** 2))
    true = (raw_true - mean) / sd

    pairs = rng.choice(RESPONSES, size=(TRAIN_PAIRS + HELDOUT_PAIRS, 2), p=ref)
    if rater == "ai":
        utility = true_reward(aspects, coverage(fidelity)) / sd
        temperature = AI_TEMPERATURE
    else:
        utility = true
        temperature = human_temperature(fidelity)
    margin = (utility[pairs[:, 0]] - utility[pairs[:, 1]]) / temperature
    first_wins = rng.random(len(pairs)) < expit(margin)
    winner = np.where(first_wins, pairs[:, 0], pairs[:, 1])
    loser = np.where(first_wins, pairs[:, 1], pairs[:, 0])
    diff = aspects[winner] - aspects[loser]
    gap = true[winner] - true[loser]
    agreement = float(np.mean(np.where(gap == 0, 0.5, gap > 0)))
    in_data = np.zeros(RESPONSES, dtype=bool)
    in_data[pairs[:TRAIN_PAIRS].ravel()] = True
    return _World(
        aspects=aspects,
        log_ref=log_ref,
        true=true,
        train_diff=diff[:TRAIN_PAIRS],
        heldout_diff=diff[TRAIN_PAIRS:],
        in_data=in_data,
        agreement=agreement,
    )


def _descend(world: _World, loss: str, epochs: int, ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on a preference loss, from zero reward weights.

    `loss` is "bt" (Bradley-Terry, also DPO's loss: -log sigmoid(diff . r)) or "ipo"
    ((diff . r - 1)^2). Returns the weights after each epoch, (epochs + 1, D), and the
    loss on the held-out pairs at each of them, (epochs + 1,).
    """
    diff, heldout = world.train_diff, world.heldout_diff
    rate = _LEARNING_RATE if loss == "bt" else 0.15 * _LEARNING_RATE
    r = np.zeros(diff.shape[1])
    path = np.empty((epochs + 1, diff.shape[1]))
    path[0] = r
    for epoch in range(1, epochs + 1):
        margin = np.einsum("md,d->m", diff, r)
        if loss == "bt":
            grad = -np.einsum("m,md->d", expit(-margin), diff) / len(diff) + ridge * r
        else:
            grad = 2.0 * np.einsum("m,md->d", margin - 1.0, diff) / len(diff)
        r = r - rate * grad
        path[epoch] = r
    margins = np.einsum("ed,hd->eh", path, heldout)
    held = -log_expit(margins).mean(axis=1) if loss == "bt" else ((margins - 1.0) ** 2).mean(axis=1)
    return path, np.asarray(held)


def _stop(held: np.ndarray, epochs: np.ndarray, early_stop: bool) -> np.ndarray:
    """Epoch kept for each budget of `epochs`: the last, or the best held-out one before it."""
    if not early_stop:
        return epochs
    best = np.empty(len(held), dtype=int)
    running = 0
    for i, value in enumerate(held):
        if value < held[running]:
            running = i
        best[i] = running
    return np.asarray(best[epochs])


def _epochs(pressure: float) -> int:
    return round(EPOCHS_MIN + (EPOCHS_MAX - EPOCHS_MIN) * pressure)


def _tilted(log_ref: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """Rows pi ~ pi_ref exp(logits), for a (P, K) array of logits."""
    z = log_ref[None, :] + logits
    z -= z.max(axis=1, keepdims=True)
    w = np.exp(z)
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _kl(policy: np.ndarray, log_ref: np.ndarray) -> np.ndarray:
    logs = np.log(np.maximum(policy, 1e-300))
    return np.asarray(np.maximum(np.einsum("pk,pk->p", policy, logs - log_ref[None, :]), 0.0))


def _standardise(reward: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Scale rows of rewards to mean 0, sd 1 under pi_ref (rows of zeros stay zero)."""
    mean = np.einsum("pk,k->p", reward, ref)
    sd = np.sqrt(np.maximum(np.einsum("pk,k->p", (reward - mean[:, None]) ** 2, ref), 0.0))
    return np.asarray((reward - mean[:, None]) / np.where(sd > 1e-12, sd, 1.0)[:, None])


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][min(int(np.searchsorted(cum, 0.5)), len(values) - 1)])


def _best_of_n(score: np.ndarray, ref: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Exact distribution of the best (by `score`) of n draws from pi_ref, per n."""
    order = np.argsort(score, kind="stable")
    cdf = np.minimum(np.cumsum(ref[order]), 1.0)
    powered = np.exp(np.multiply.outer(n, np.log(np.maximum(cdf, 1e-300))))
    weights = np.diff(powered, axis=1, prepend=0.0)
    policy = np.empty_like(weights)
    policy[:, order] = weights
    return np.asarray(policy)


@dataclass(frozen=True)
class _Path:
    """Policies along the pressure levels, and the learned reward each one optimised."""

    policy: np.ndarray  # (P, K)
    reward: np.ndarray  # (P, K), standardised under pi_ref
    strength: np.ndarray  # (P,) KL budget, n, or 1/beta actually used
    epochs: np.ndarray  # (P,) training epochs kept (after any early stopping)


def _optimise(
    world: _World, method: str, levels: np.ndarray, penalty: float, early_stop: bool
) -> _Path:
    ref = np.exp(world.log_ref)
    cap = math.inf if penalty <= 0 else 1.0 / penalty  # inverse temperature on sd units
    if method in ("rlhf", "best-of-n"):
        path, held = _descend(world, "bt", _RM_EPOCHS, _RIDGE)
        kept = _stop(held, np.array([_RM_EPOCHS]), early_stop)[0]
        w = path[kept]
        epochs_kept = np.full(len(levels), kept)
        reward = _standardise(np.einsum("kd,d->k", world.aspects, w)[None, :], ref)[0]
        rewards = np.broadcast_to(reward, (len(levels), RESPONSES))
        if method == "rlhf":
            lambdas = _LAMBDAS
            kl_grid = _kl(_tilted(world.log_ref, np.multiply.outer(lambdas, reward)), world.log_ref)
            kl_grid = np.maximum.accumulate(kl_grid)
            budget = KL_MAX * levels
            lam = np.interp(budget, kl_grid, lambdas)
            lam = np.minimum(lam, cap)
            policy = _tilted(world.log_ref, np.multiply.outer(lam, reward))
            return _Path(policy, rewards, budget, epochs_kept)
        n = N_MAX**levels
        policy = _best_of_n(reward, ref, n)
        if penalty > 0:
            # Choose the n <= budget that maximises E[reward] - penalty * KL.
            fine_n = np.geomspace(1.0, N_MAX, 97)
            fine = _best_of_n(reward, ref, fine_n)
            value = np.einsum("pk,k->p", fine, reward) - penalty * _kl(fine, world.log_ref)
            best = np.zeros(len(fine_n), dtype=int)  # best index among fine_n[: i + 1]
            for i in range(1, len(fine_n)):
                best[i] = i if value[i] > value[best[i - 1]] else best[i - 1]
            below = np.searchsorted(fine_n, n * (1 + 1e-9), side="right") - 1
            n = np.minimum(n, fine_n[best[np.maximum(below, 0)]])
            policy = _best_of_n(reward, ref, n)
        return _Path(policy, rewards, n, epochs_kept)
    # Direct alignment: the implicit reward r (beta times the log-ratio) is learned by
    # gradient descent, and the policy is pi_ref exp(r / beta) (ipo: exp(r / (2 tau))).
    loss = "bt" if method == "dpo" else "ipo"
    epochs = np.array([_epochs(float(p)) for p in levels])
    path, held = _descend(world, loss, int(epochs.max()), 0.0)
    kept = _stop(held, epochs, early_stop)
    weights = path[kept]  # (P, D)
    raw = np.einsum(
        "pd,kd->pk", weights, world.aspects
    )  # (P, K) implicit reward per unit inverse temperature
    scale = 1.0 if method == "dpo" else 0.5
    inverse = (INV_BETA_MAX if method == "dpo" else INV_TAU_MAX) * levels**2 * scale
    rewards = _standardise(raw, ref)
    sd = np.sqrt(np.maximum(np.einsum("pk,k->p", (raw - (raw @ ref)[:, None]) ** 2, ref), 0.0))
    inverse = np.minimum(inverse, cap / np.where(sd > 1e-12, sd, 1.0))
    policy = _tilted(world.log_ref, inverse[:, None] * raw)
    return _Path(policy, rewards, inverse / scale, kept)


_METHOD_LABELS = {
    "rlhf": "RLHF (reward model + KL-regularised RL)",
    "best-of-n": "Best-of-n on the reward model",
    "dpo": "DPO (direct, implicit reward)",
    "ipo": "IPO (direct, squared loss)",
}


@register(
    "preference-optimization",
    title="Preference optimisation: RLHF, DPO, AI feedback",
    summary=(
        "RLHF, DPO, IPO and best-of-n all optimise what the preference labels favour: "
        "pushed far from the reference, each over-optimises, and an AI rater's blind spot "
        "is exploited exactly where its constitution is silent."
    ),
    schema=SCHEMA,
    fr_definition=(
        "outputs of the optimised policy (per 100) that the method's learned reward rates "
        "above the reference policy's median output but the true reward rates below it"
    ),
)
def preference_optimization(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Label preferences, align a policy to them with one method, measure what it bought."""
    method, rater = str(options["method"]), str(options["rater"])
    fidelity, oversight = sliders.fidelity, sliders.oversight
    world = _world(rng, fidelity, rater)
    ref = np.exp(world.log_ref)
    penalty = PENALTY_MAX * oversight

    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    levels = np.append(grid, sliders.pressure)
    path = _optimise(world, method, levels, penalty, early_stop=oversight > 0)
    policy = path.policy
    kl = _kl(policy, world.log_ref)
    proxy = np.einsum("pk,pk->p", policy, path.reward)
    true = np.einsum("pk,k->p", policy, world.true)
    true_median = _weighted_median(world.true, ref)
    # (P, K): the labels favour it over the reference's typical output. The reward
    # model is one fixed reward; a direct method's implicit reward changes with epochs.
    rows = path.reward[:1] if method in ("rlhf", "best-of-n") else path.reward
    favoured = np.array([row > _weighted_median(row, ref) for row in rows])
    goodharted = favoured & (world.true < true_median)[None, :]
    fr_share = np.clip(np.einsum("pk,pk->p", policy, goodharted.astype(float)), 0.0, 1.0)
    n_eff = 1.0 / np.einsum("pk,pk->p", policy, policy)
    absent = np.einsum("pk,k->p", policy, (~world.in_data).astype(float))
    shift = np.einsum("pk,kd->pd", policy, world.aspects) - ref @ world.aspects  # (P, D)

    fr, fr_ci = fr_per_100(float(fr_share[-1] * n_eff[-1]), float(n_eff[-1]))
    base_fr = 100.0 * float(fr_share[0])
    covered = coverage(fidelity) if rater == "ai" else np.ones(len(ASPECTS))
    now = {name: float(v) for name, v in zip(ASPECTS, shift[-1], strict=True)}
    worst = min(now, key=lambda k: now[k])
    peak = int(np.argmax(true[:-1]))

    strength_name = {"rlhf": "kl_budget", "best-of-n": "n", "dpo": "inv_beta", "ipo": "inv_tau"}[
        method
    ]
    strength = float(path.strength[-1])
    rater_label = (
        f"an AI rater whose constitution covers {100 * fidelity:.0f}% of the intent"
        if rater == "ai"
        else f"human raters who agree with the true reward on {100 * world.agreement:.0f}% of pairs"
    )
    kl_max = float(kl[:-1].max()) or 1.0
    loop = [
        LoopStage("intent", "true reward over four aspects", 1.0, ", ".join(ASPECTS)),
        LoopStage(
            "specification",
            "pairwise preference labels",
            float(fidelity),
            rater_label,
        ),
        LoopStage(
            "optimiser",
            _METHOD_LABELS[method],
            float(sliders.pressure),
            f"{strength_name} = {strength:.3g}, KL {kl[-1]:.2f} nats",
        ),
        LoopStage(
            "model",
            "aligned policy",
            float(min(kl[-1] / kl_max, 1.0)),
            f"{100 * absent[-1]:.0f}% of mass on responses absent from the data",
        ),
        LoopStage(
            "behaviour",
            "responses it gives",
            float(min(1.0, abs(now[worst]) / 2.0)),
            f"{worst} {now[worst]:+.2f} sd vs reference",
        ),
        LoopStage(
            "proxy",
            "learned reward",
            float(0.5 * (1.0 + math.erf(proxy[-1] / math.sqrt(2.0)))),
            f"{proxy[-1]:+.2f} sd",
        ),
        LoopStage(
            "true",
            "true reward",
            float(0.5 * (1.0 + math.erf(true[-1] / math.sqrt(2.0)))),
            f"{true[-1]:+.2f} sd",
        ),
    ]

    blind = [a for a, c in zip(ASPECTS, covered, strict=True) if c < 1.0]
    if true[-1] < true[peak] - 0.1 and sliders.pressure > float(grid[peak]):
        verdict = (
            f"Past {kl[peak]:.1f} nats the true reward falls ({true[peak]:+.2f} -> "
            f"{true[-1]:+.2f} sd) while the learned reward keeps rising: {fr:.0f} in 100 "
            "outputs are favoured by the labels but worse than the reference's typical one."
        )
    else:
        verdict = (
            f"The true reward is {true[-1]:+.2f} sd (peak {true[peak]:+.2f} at "
            f"{kl[peak]:.1f} nats); {fr:.0f} in 100 outputs are favoured by the labels but "
            "worse than the reference's typical one."
        )
    if rater == "ai" and blind and now[worst] < -0.1:
        verdict += f" The constitution is silent on {', '.join(blind)}; {worst} fell most."
    explanation = (
        f"{_METHOD_LABELS[method]} moved the policy {kl[-1]:.2f} nats from its "
        f"reference, learning from {rater_label}. " + verdict
    )
    curve: dict[str, np.ndarray] = {
        "pressure": grid,
        "proxy": proxy[:-1],
        "true": true[:-1],
        "fr": 100.0 * fr_share[:-1],
        "kl": kl[:-1],
        strength_name: path.strength[:-1],
        "absent_mass": absent[:-1],
        "n_eff": n_eff[:-1],
    }
    for i, name in enumerate(ASPECTS):
        curve[f"shift_{name}"] = shift[:-1, i]
    return Measurement(
        physical={
            strength_name: strength,
            "kl_nats": float(kl[-1]),
            "label_agreement": world.agreement,
            "constitution_coverage": float(covered.mean()),
            "kl_penalty": penalty,
            "early_stopping": "held-out" if oversight > 0 else "off",
            "epochs": int(path.epochs[-1]),
            "responses": RESPONSES,
            "train_pairs": TRAIN_PAIRS,
        },
        fr=fr,
        fr_ci=fr_ci,
        proxy=float(proxy[-1]),
        true=float(true[-1]),
        curve=curve,
        loop=loop,
        explanation=explanation,
        extras={
            "aspect_shift": now,
            "coverage": dict(zip(ASPECTS, covered.tolist(), strict=True)),
            "absent_mass": float(absent[-1]),
            "reference_absent_mass": float(ref @ (~world.in_data)),
            "base_fr": base_fr,
        },
    )
