"""Rater bias: a chatbot optimised for "helpful-sounding" answers becomes confidently wrong.

The alignment problem (outer misalignment): the reward we train on is learned from human
comparisons, and humans who skim for a few seconds judge an answer mostly by its surface
style: how confident, long and fluent it sounds. The reward model faithfully learns what
the raters preferred, not what we meant (a correct answer), and optimising a policy
against it buys style. On hard questions the most confident-sounding answers are often
confabulations, so optimisation pressure turns the policy confidently wrong.

Sources: Christiano et al. 2017, "Deep RL from human preferences" (reward learning from
pairwise comparisons, Bradley-Terry); Stiennon et al. 2020, "Learning to summarize from
human feedback" (best-of-n against a learned reward over-optimises it); Gao, Schulman &
Hilton 2023, "Scaling laws for reward model overoptimization" (true reward peaks and falls
with optimisation, KL of best-of-n); Wen et al. 2024, "Language models learn to mislead
humans via RLHF" (RLHF raises rater approval but not correctness, and raises false
positives); Sharma et al. 2023, "Towards understanding sycophancy" (raters prefer
convincing, confident answers).

The simulation, step by step (all draws from the generator passed in):

1. Answers. The base policy answers a mix of hard questions. Each answer has a true
   correctness (0/1) and three surface-style features on a standardised scale:
   confidence (stated certainty, logit scale), length and fluency. Answers come in three
   kinds: the model knows the answer (correct; styled around +0.3 sd, spread 0.6 sd), it
   bluffs (wrong; styled around +0.1 sd with a wide spread of 1.3 sd) or it hedges and
   muddles (wrong; styled around -0.9 sd). Why not independent style and correctness: with
   independent style, optimising any mix of style and correctness can only raise
   correctness, which is not what is observed. On hard questions a confabulation's
   confidence is unconstrained by knowledge, whereas a correct answer's confidence is
   bounded by what the model knows; that is why bluffs own the extreme tail of "sounds
   great" while correct answers own its middle. P(correct | style) therefore rises and
   then falls, and this is what lets correctness peak and then fall under pressure.
2. Raters. Each comparison of two answers is judged either by a skimming rater (share
   1 - oversight) or by a careful expert (share oversight). A skimming rater's utility is
   `attention * 3 * correct + (1 - attention) * style` with `style = 0.5 conf + 0.25 len +
   0.25 fluency`; the expert's utility is `4 * correct`. The preferred answer is drawn
   from the Bradley-Terry (logistic) choice probability of the utility difference.
3. Reward model. A linear Bradley-Terry reward over the four answer features
   (correctness, confidence, length, fluency) is fitted to the comparisons by L2-regularised
   logistic regression (Newton's method, vectorised): it learns what raters rewarded.
4. Optimiser. The policy is optimised against the learned reward on a fresh pool of
   answers, exactly (no sampling): best-of-n weights the answer of rank i in a pool of N
   sorted by reward by (i/N)^n - ((i-1)/N)^n (order statistics of n draws); the
   KL-regularised option reweights the pool by exp(lambda * reward). KL is computed exactly
   on the pool.

FR /100 is the expected number of confidently wrong answers among 100 answers of the
optimised policy, where an answer is *confidently wrong* when it is incorrect and its
stated certainty sigmoid(confidence) is at least 0.75. Its 95% Wilson interval uses the
pool's effective sample size under the policy's weights, (sum w)^2 / sum w^2 (Kish).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy.special import expit

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
    "CONFIDENT_THRESHOLD",
    "CURVE_POINTS",
    "LAMBDA_MAX",
    "N_MAX",
    "SCHEMA",
    "best_of_n_weights",
    "fit_bradley_terry",
    "rater_bias",
]

N_MAX = 1024.0
"""Best-of-n at full pressure (n = N_MAX ** pressure, continuous n)."""

LAMBDA_MAX = 6.0
"""Inverse temperature of the KL-regularised optimiser at full pressure (per reward sd)."""

CURVE_POINTS = 64
"""Pressure levels on the curve."""

CONFIDENT_THRESHOLD = 0.75
"""Stated certainty (sigmoid of the confidence feature) at or above which an answer is confident."""

_POOL = 8192  # answers in the evaluation pool the policy is optimised over
_TRAIN_ANSWERS = 2048  # answers the comparisons are drawn from
_COMPARISONS = 2000  # pairwise comparisons the reward model learns from
_STYLE_WEIGHTS = np.array([0.5, 0.25, 0.25])  # what a skimming rater's eye falls on
_CORRECTNESS_SCALE = 3.0  # skimming rater's utility of a correct answer at full attention
_EXPERT_SCALE = 4.0  # careful expert's utility of a correct answer
_RIDGE = 1e-2  # L2 penalty of the reward-model fit
# Answer kinds on a hard question mix: share, correct?, style mean, style spread.
_KINDS = (
    ("knows", 0.45, 1.0, 0.3, 0.6),
    ("bluffs", 0.30, 0.0, 0.1, 1.3),
    ("muddles", 0.25, 0.0, -0.9, 0.7),
)
_FEATURES = ("correct", "confidence", "length", "fluency")

SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Optimisation",
        "How hard the policy is optimised against the learned reward model.",
        "best-of-n samples n = 1024^pressure (or inverse temperature with optimiser=kl)",
        "samples",
        default=0.6,
        to_physical=lambda p: N_MAX**p,
    ),
    fidelity=Slider(
        "fidelity",
        "Rater attention",
        "The weight skimming raters give to correctness rather than style.",
        "rater attention on correctness",
        "",
        default=0.2,
        to_physical=lambda f: f,
    ),
    oversight=Slider(
        "oversight",
        "Expert checks",
        "The share of comparisons checked by careful experts who judge correctness only.",
        "share of comparisons judged by experts",
        "",
        default=0.0,
        to_physical=lambda o: o,
    ),
    options=(
        Option(
            "optimiser",
            "choice",
            "best-of-n",
            "best-of-n sampling, or KL-regularised reweighting exp(lambda * reward)",
            choices=("best-of-n", "kl"),
        ),
    ),
)


def _answers(rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw `size` base-policy answers as rows (correct, confidence, length, fluency)."""
    shares = np.array([k[1] for k in _KINDS])
    kind = rng.choice(len(_KINDS), size=size, p=shares)
    correct = np.array([k[2] for k in _KINDS])[kind]
    mean = np.array([k[3] for k in _KINDS])[kind]
    spread = np.array([k[4] for k in _KINDS])[kind]
    # Style dimensions share a per-answer level (a bluff is confident *and* long) plus noise.
    level = rng.standard_normal(size)
    noise = rng.standard_normal((size, 3))
    style = mean[:, None] + spread[:, None] * (0.8 * level[:, None] + 0.6 * noise)
    return np.column_stack([correct, style])


def fit_bradley_terry(
    diff: np.ndarray, prefer_first: np.ndarray, ridge: float = _RIDGE
) -> np.ndarray:
    """Fit a linear Bradley-Terry reward to pairwise preferences by Newton's method.

    Args:
        diff: (m, k) feature differences, first answer minus second.
        prefer_first: (m,) 1.0 where the first answer was preferred, else 0.0.
        ridge: L2 penalty on the weights (keeps the fit finite on separable data).

    Returns:
        The (k,) reward weights w, so that P(first preferred) = sigmoid(w . diff).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> d = rng.standard_normal((4000, 2))
        >>> y = (rng.random(4000) < 1 / (1 + np.exp(-d @ [2.0, -1.0]))).astype(float)
        >>> np.round(fit_bradley_terry(d, y), 0).tolist()
        [2.0, -1.0]
    """
    w = np.zeros(diff.shape[1])
    eye = np.eye(diff.shape[1])
    for _ in range(25):
        p = expit(diff @ w)
        grad = diff.T @ (prefer_first - p) - ridge * w
        hess = (diff * (p * (1 - p))[:, None]).T @ diff + ridge * eye
        step = np.linalg.solve(hess, grad)
        w = w + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return w


def best_of_n_weights(n: np.ndarray, pool: int) -> np.ndarray:
    """Probability that best-of-n picks the answer of each rank in a reward-sorted pool.

    Row j gives, for the pool sorted by reward ascending, (i/N)^n_j - ((i-1)/N)^n_j: the
    exact distribution of the maximum of n_j draws with replacement (n may be fractional:
    the CDF F^n is still a distribution). Computed in float32 as exp(n log(i/N)), which
    is twice as fast as float64 powers and accurate to about 1e-7 per weight.

    Examples:
        >>> np.round(best_of_n_weights(np.array([1.0, 2.0]), 2), 6).tolist()
        [[0.5, 0.5], [0.25, 0.75]]
    """
    log_cdf = np.log(np.arange(1, pool + 1, dtype=np.float32) / np.float32(pool))
    powered = np.exp(np.multiply.outer(np.asarray(n, dtype=np.float32), log_cdf))
    return np.asarray(np.diff(powered, axis=1, prepend=np.float32(0.0)))


def _kl_weights(reward_z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    logits = np.multiply.outer(lam, reward_z).astype(np.float32)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _rater_labels(
    first: np.ndarray,
    second: np.ndarray,
    attention: float,
    expert_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw which answer of each pair is preferred (1.0: the first)."""

    def skim(x: np.ndarray) -> np.ndarray:
        style = x[:, 1:] @ _STYLE_WEIGHTS
        return np.asarray(attention * _CORRECTNESS_SCALE * x[:, 0] + (1 - attention) * style)

    expert = rng.random(len(first)) < expert_share
    margin = np.where(
        expert,
        _EXPERT_SCALE * (first[:, 0] - second[:, 0]),
        skim(first) - skim(second),
    )
    return np.asarray(rng.random(len(first)) < expit(margin), dtype=float)


@register(
    "rater-bias",
    title="Rater bias: confidently wrong answers",
    summary=(
        "Raters who skim reward confident, fluent answers; a reward model learns their "
        "taste and optimising against it makes the chatbot confidently wrong."
    ),
    schema=SCHEMA,
    fr_definition=(
        "answers of the optimised policy (per 100) that are incorrect and state a "
        f"certainty sigmoid(confidence) >= {CONFIDENT_THRESHOLD}"
    ),
)
def rater_bias(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Learn a reward model from biased raters, optimise against it, count confident errors."""
    attention, expert_share = sliders.fidelity, sliders.oversight
    use_kl = options["optimiser"] == "kl"

    # 1-2. Comparisons between base answers, judged by skimmers or experts.
    train = _answers(rng, _TRAIN_ANSWERS)
    pairs = rng.integers(0, _TRAIN_ANSWERS, size=(_COMPARISONS, 2))
    first, second = train[pairs[:, 0]], train[pairs[:, 1]]
    labels = _rater_labels(first, second, attention, expert_share, rng)
    # 3. The learned reward model.
    weights = fit_bradley_terry(first - second, labels)

    # 4. Optimise on a fresh pool: exact policy weights over the pool, per pressure level.
    pool = _answers(rng, _POOL)
    reward = pool @ weights
    order = np.argsort(reward, kind="stable")
    pool, reward = pool[order], reward[order]
    reward_z = (reward - reward.mean()) / max(float(reward.std()), 1e-12)
    correct = pool[:, 0]
    confident = expit(pool[:, 1]) >= CONFIDENT_THRESHOLD
    confidently_wrong = confident & (correct == 0)

    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    levels = np.append(grid, sliders.pressure)
    if use_kl:
        strength = LAMBDA_MAX * levels
        policy = _kl_weights(reward_z, strength)
    else:
        strength = N_MAX**levels
        policy = best_of_n_weights(strength, _POOL)
    # Exact KL(policy || base) on the pool, where the base puts 1/N on each answer.
    entropy_term = (policy * np.log(np.maximum(policy, np.float32(1e-30)))).sum(axis=1, dtype=float)
    kl = np.maximum(entropy_term + math.log(_POOL), 0.0)
    columns = np.column_stack([reward_z, correct, confidently_wrong, confident])
    proxy, true, fr_share, confident_share = (policy @ columns.astype(policy.dtype)).T.astype(float)
    n_eff = 1.0 / np.einsum("ij,ij->i", policy, policy).astype(float)

    fr, fr_ci = fr_per_100(float(fr_share[-1] * n_eff[-1]), float(n_eff[-1]))
    base_fr = 100.0 * float(fr_share[0])
    # How much of the reward model's spread comes from correctness (vs style).
    spread = np.abs(weights) * pool.std(axis=0)
    correctness_share = float(spread[0] / spread.sum())

    optimiser_label = "KL-regularised RL" if use_kl else "best-of-n sampling"
    strength_now = float(strength[-1])
    optimiser_detail = (
        f"lambda = {strength_now:.2f}, KL {kl[-1]:.2f} nats"
        if use_kl
        else f"n = {strength_now:.0f}, KL {kl[-1]:.2f} nats"
    )
    kl_max = float(kl[:-1].max()) or 1.0
    loop = [
        LoopStage("intent", "correct answers", 1.0, f"base policy {100 * true[0]:.0f}% correct"),
        LoopStage(
            "specification",
            "reward model from skim-rater comparisons",
            correctness_share,
            f"{100 * correctness_share:.0f}% of reward from correctness",
        ),
        LoopStage("optimiser", optimiser_label, float(sliders.pressure), optimiser_detail),
        LoopStage(
            "model",
            "optimised chatbot",
            float(min(kl[-1] / kl_max, 1.0)),
            f"KL {kl[-1]:.2f} nats from base",
        ),
        LoopStage(
            "behaviour",
            "answers it gives",
            float(confident_share[-1]),
            f"{100 * confident_share[-1]:.0f}% stated confidently",
        ),
        LoopStage(
            "proxy",
            "reward-model score",
            float(0.5 * (1.0 + math.erf(proxy[-1] / math.sqrt(2.0)))),
            f"{proxy[-1]:+.2f} sd",
        ),
        LoopStage("true", "correctness", float(true[-1]), f"{100 * true[-1]:.0f}% correct"),
    ]

    if fr > base_fr + 5:
        verdict = (
            f"{fr:.0f} in 100 answers are now confidently wrong, up from {base_fr:.0f} "
            "before optimisation: the raters rewarded sounding right, and the optimiser "
            "found answers that sound right without being right."
        )
    elif fr < base_fr - 5:
        verdict = (
            f"Confidently wrong answers fall from {base_fr:.0f} to {fr:.0f} in 100: the "
            "reward model pays mostly for correctness, so optimising it helps."
        )
    else:
        verdict = (
            f"About {fr:.0f} in 100 answers are confidently wrong, as before optimisation "
            f"({base_fr:.0f}): too little pressure or too balanced a reward to change it."
        )
    explanation = (
        f"Raters giving correctness {100 * attention:.0f}% of their attention, with "
        f"{100 * expert_share:.0f}% of comparisons checked by experts, produced a reward "
        f"model that takes {100 * correctness_share:.0f}% of its signal from correctness. "
        + verdict
    )
    return Measurement(
        physical={
            ("lambda" if use_kl else "n"): strength_now,
            "kl_nats": float(kl[-1]),
            "rater_attention": attention,
            "expert_share": expert_share,
            "comparisons": _COMPARISONS,
            "pool": _POOL,
        },
        fr=fr,
        fr_ci=fr_ci,
        proxy=float(proxy[-1]),
        true=float(true[-1]),
        curve={
            "pressure": grid,
            "proxy": proxy[:-1],
            "true": true[:-1],
            "fr": 100.0 * fr_share[:-1],
            "kl": kl[:-1],
            ("lambda" if use_kl else "n"): strength[:-1],
            "confident": confident_share[:-1],
            "n_eff": n_eff[:-1],
        },
        loop=loop,
        explanation=explanation,
        extras={
            "reward_model": dict(zip(_FEATURES, weights.tolist(), strict=True)),
            "correctness_share": correctness_share,
            "base_fr": base_fr,
        },
    )
