"""Rater bias: a chatbot optimised for "helpful-sounding" answers becomes confidently wrong.

The alignment problem (outer misalignment): the reward we train on is learned from human
comparisons, and humans who judge an answer in a few seconds cannot verify it; they judge
what they can see (how confident, long, fluent and unhedged it sounds), and when they do
check, a convincing fabrication can fool them. The reward model never sees whether an
answer is right: it learns from the raters' verdicts on what it can observe. Optimising a
policy against it buys whatever the raters rewarded, and on hard questions the most
convincing-looking answers are fabrications, so pressure turns the policy confidently
wrong.

Sources: Christiano et al. 2017, "Deep RL from human preferences" (reward learning from
pairwise comparisons, Bradley-Terry); Stiennon et al. 2020, "Learning to summarize from
human feedback" (best-of-n against a learned reward over-optimises it); Gao, Schulman &
Hilton 2023, "Scaling laws for reward model overoptimization" (true reward peaks and falls
with optimisation, KL of best-of-n); Wen et al. 2024, "Language models learn to mislead
humans via RLHF" (evaluators cannot verify correctness under time limits; RLHF raises
their approval and their false-positive rate, not correctness; the policy learns to
fabricate convincing evidence); Sharma et al. 2023, "Towards understanding sycophancy"
(raters prefer convincing, confident answers).

The simulation, step by step (all draws from the generator passed in):

1. Answers. Each answer of the base policy has two hidden causes. Knowledge k ~ Beta(2, 2)
   is how much the model knows about the question; it is bounded, as knowledge is.
   Fabrication z = max(0, N(0, 1) - 0.5) is how far the answer embellishes beyond what the
   model knows (69% of answers add nothing; the rest have a Gaussian tail, since nothing
   bounds how much one can make up). The answer is correct with probability
   k * exp(-z): every invented specific is another chance to be wrong. What anyone can
   observe is five features, each a mix of the causes plus Laplace noise (text features
   are heavy-tailed, and with a bounded likelihood ratio no observable can certify
   correctness, however extreme it is): confidence (logit scale)
   4 (k - 0.5) + 2 z + noise (knowledge makes a model confident, and so does bluffing);
   hedging -3.2 (k - 0.5) - 1.6 z + noise; length 0.5 (k - 0.5) + 1.2 z + noise;
   fluency 0.4 z + noise; and consistency 0.8 correct - 0.3 z + noise, whether the
   answer's specifics hang together, the one observable that tracks correctness itself
   (imperfectly: noise sd 0.8). Nothing about the answer mixture is tuned to make
   correctness peak: the peak and the fall come from knowledge being bounded while
   fabrication is not (step 4).
2. Raters. Each comparison of two answers is judged by a careful expert (share
   oversight) or a skimming rater. A skimmer checks correctness in a share `attention`
   of comparisons and otherwise judges style, 0.4 confidence - 0.2 hedging + 0.2 length +
   0.2 fluency. A check is noisy: a skimmer sees a correct answer as correct 85% of the
   time, and a wrong one as correct with probability sigmoid(-2 + 1.6 z), so fabrication
   fools checks (Wen et al.); an expert's verdict is right 95% of the time whatever the
   answer's style. A check prefers the answer judged correct with utility 3 (skimmer) or 4
   (expert); the preferred answer is drawn from the Bradley-Terry (logistic) probability of
   the utility difference.
3. Reward model. A linear Bradley-Terry reward over the five observables (never the
   correctness) is fitted to the comparisons by L2-regularised logistic regression
   (Newton's method, vectorised). Correctness reaches it only through the raters' checks
   and what the observables reveal about it.
4. Optimiser. The policy is optimised against the learned reward on a fresh pool of
   answers, exactly (no sampling): best-of-n weights the answer of rank i in a pool of N
   sorted by reward by (i/N)^n - ((i-1)/N)^n (order statistics of n draws), n = 1024^p;
   the KL-regularised option reweights the pool by exp(lambda * reward), the optimum of
   E[reward] - KL / lambda, with lambda chosen so that its KL equals best-of-n's at the
   same pressure, log n - (n - 1) / n. KL is computed exactly on the pool. Whatever the
   reward model pays for that knowledge drives (confidence, no hedging), mild
   optimisation finds in knowing answers, so correctness first rises; knowledge runs out
   at k = 1, and the far tail of the same reward belongs to fabrications, so hard
   optimisation drives correctness down (Gao et al.'s peak-then-fall, with Wen et al.'s
   mechanism). Tilting by exp(lambda * reward) weighs that tail from the start, so it
   gains less correctness before the fall than best-of-n does.

FR /100 is the expected number of confidently wrong answers among 100 answers of the
optimised policy, where an answer is *confidently wrong* when it is incorrect and its
stated certainty sigmoid(confidence) is at least 0.75. Its 95% Wilson interval uses the
pool's effective sample size under the policy's weights, (sum w)^2 / sum w^2 (Kish): it
covers the sampling error of evaluating this one trained reward model's optimum on a
finite pool, not the spread across seeds (other comparisons, another reward model).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

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
    "FEATURES",
    "LAMBDA_GRID",
    "N_MAX",
    "SCHEMA",
    "Answers",
    "best_of_n_weights",
    "bon_kl",
    "draw_answers",
    "fit_bradley_terry",
    "rater_bias",
    "rater_labels",
]

N_MAX = 1024.0
"""Best-of-n at full pressure (n = N_MAX ** pressure, continuous n)."""

LAMBDA_GRID = np.exp(np.linspace(math.log(0.02), math.log(60.0), 48))
"""Inverse temperatures (per reward sd) the KL-regularised optimiser's lambda is found on."""

CURVE_POINTS = 64
"""Pressure levels on the curve."""

CONFIDENT_THRESHOLD = 0.75
"""Stated certainty (sigmoid of the confidence feature) at or above which an answer is confident."""

_POOL = 16384  # answers in the evaluation pool the policy is optimised over
_TRAIN_ANSWERS = 2048  # answers the comparisons are drawn from
_COMPARISONS = 2000  # pairwise comparisons the reward model learns from
FEATURES = ("confidence", "hedging", "length", "fluency", "consistency")
"""What a rater or a reward model can observe of an answer (never its correctness)."""
# Loadings of the observables on (knowledge - 0.5, fabrication, correct) and noise sd.
_LOADINGS = np.array(
    [
        [4.0, 2.0, 0.0],  # confidence: knowing makes a model confident, so does bluffing
        [-3.2, -1.6, 0.0],  # hedging: the honest "I am not sure", which bluffing drops
        [0.5, 1.2, 0.0],  # length: invented specifics make an answer longer
        [0.0, 0.4, 0.0],  # fluency: mostly the writer's polish
        [0.0, -0.3, 0.8],  # consistency: do its specifics hang together
    ]
)
_NOISE = np.array([0.6, 0.7, 0.8, 0.9, 0.8])
_FABRICATION_OFFSET = 0.5  # z = max(0, N(0, 1) - offset): 69% of answers invent nothing
_STYLE_WEIGHTS = np.array([0.4, -0.2, 0.2, 0.2, 0.0])  # what a skimming rater's eye falls on
_SKIM_CHECK_SCALE = 3.0  # skimmer's utility of an answer judged correct, when checking
_EXPERT_SCALE = 4.0  # careful expert's utility of an answer judged correct
_SKIM_HIT_RATE = 0.85  # a skimmer's check sees a correct answer as correct
_FOOLED = (-2.0, 1.6)  # a skimmer sees a wrong answer as correct w.p. sigmoid(a + b z)
_EXPERT_ACCURACY = 0.95  # an expert's verdict is right, whatever the answer's style
_RIDGE = 1e-2  # L2 penalty of the reward-model fit

SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Optimisation",
        "How hard the policy is optimised against the learned reward model.",
        "best-of-n samples n = 1024^pressure (optimiser=kl: the same KL, log n - (n-1)/n)",
        "samples",
        default=0.6,
        to_physical=lambda p: N_MAX**p,
    ),
    fidelity=Slider(
        "fidelity",
        "Rater attention",
        "The share of comparisons in which a skimming rater checks correctness (noisily, "
        "and a convincing fabrication can fool the check) instead of judging style.",
        "share of skim comparisons checked for correctness",
        "",
        default=0.2,
        to_physical=lambda f: f,
    ),
    oversight=Slider(
        "oversight",
        "Expert checks",
        "The share of comparisons judged by careful experts, whose verdict on correctness "
        "is right 95% of the time and cannot be swayed by style.",
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
            "best-of-n sampling, or KL-regularised reweighting exp(lambda * reward) at the "
            "KL best-of-n would have",
            choices=("best-of-n", "kl"),
        ),
    ),
)


@dataclass(frozen=True)
class Answers:
    """A batch of base-policy answers: what can be observed, and the hidden truth.

    Attributes:
        observed: (size, 5) observables in the order of `FEATURES`; the only thing a
            rater's eye or the reward model sees.
        correct: (size,) 1.0 where the answer is right (hidden from the reward model).
        fabrication: (size,) how far the answer embellishes beyond what the model knows
            (hidden; it sways a skimmer's check).
    """

    observed: np.ndarray
    correct: np.ndarray
    fabrication: np.ndarray

    def take(self, index: np.ndarray) -> Answers:
        """The answers at `index` (rows)."""
        return Answers(self.observed[index], self.correct[index], self.fabrication[index])


def draw_answers(rng: np.random.Generator, size: int) -> Answers:
    """Draw `size` base-policy answers (see step 1 of the module docstring).

    Examples:
        >>> answers = draw_answers(np.random.default_rng(0), 100_000)
        >>> 0.4 < float(answers.correct.mean()) < 0.5  # a hard question mix
        True
    """
    knowledge = rng.beta(2.0, 2.0, size)
    fabrication = np.maximum(rng.standard_normal(size) - _FABRICATION_OFFSET, 0.0)
    correct = (rng.random(size) < knowledge * np.exp(-fabrication)).astype(float)
    causes = np.column_stack([knowledge - 0.5, fabrication, correct])
    noise = rng.laplace(0.0, 1.0 / math.sqrt(2.0), (size, len(FEATURES)))
    observed = causes @ _LOADINGS.T + noise * _NOISE
    return Answers(observed, correct, fabrication)


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


def bon_kl(n: np.ndarray) -> np.ndarray:
    """KL (nats) of best-of-n from its base policy, log n - (n - 1) / n (Stiennon et al.).

    Examples:
        >>> bon_kl(np.array([1.0, 1024.0])).round(2).tolist()
        [0.0, 5.93]
    """
    return np.asarray(np.log(n) - (n - 1.0) / n)


def _kl_weights(reward_z: np.ndarray, lam: np.ndarray) -> np.ndarray:
    logits = np.multiply.outer(lam, reward_z).astype(np.float32)
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return np.asarray(w / w.sum(axis=1, keepdims=True))


def _pool_kl(policy: np.ndarray) -> np.ndarray:
    """Exact KL(policy || uniform base) of each row of policy weights over the pool."""
    entropy_term = (policy * np.log(np.maximum(policy, np.float32(1e-30)))).sum(axis=1, dtype=float)
    return np.asarray(np.maximum(entropy_term + math.log(policy.shape[1]), 0.0))


def kl_matched_lambda(reward_z: np.ndarray, kl: np.ndarray) -> np.ndarray:
    """Inverse temperatures at which exp(lambda * reward) reweighting reaches each KL.

    KL grows monotonically with lambda, so lambda is read off `LAMBDA_GRID` by log-log
    interpolation (within about 1% of the target KL; the KL then reported is computed
    exactly at that lambda). Used to
    give the KL-regularised optimiser the same KL as best-of-n at every pressure, so the
    two optimisers are compared at equal distance from the base policy.
    """
    # KL grows like lambda^2 / 2 at first and about like log lambda later: log-log
    # interpolation is close to linear over the whole range.
    grid_kl = np.maximum.accumulate(_pool_kl(_kl_weights(reward_z, LAMBDA_GRID)))
    log_kl = np.log(np.maximum(grid_kl, 1e-12))
    log_lam = np.interp(np.log(np.maximum(kl, 1e-12)), log_kl, np.log(LAMBDA_GRID))
    return np.where(kl > 0, np.exp(log_lam), 0.0)


def _verdicts(answers: Answers, expert: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A rater's check of each answer: 1.0 where judged correct (noisy; skimmers foolable)."""
    fooled = expit(_FOOLED[0] + _FOOLED[1] * answers.fabrication)
    skim = np.where(answers.correct == 1.0, _SKIM_HIT_RATE, fooled)
    careful = np.where(answers.correct == 1.0, _EXPERT_ACCURACY, 1.0 - _EXPERT_ACCURACY)
    return np.asarray(rng.random(len(expert)) < np.where(expert, careful, skim), dtype=float)


def rater_labels(
    first: Answers,
    second: Answers,
    attention: float,
    expert_share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw which answer of each pair is preferred (1.0: the first), as step 2 describes.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> a, b = draw_answers(rng, 5000), draw_answers(rng, 5000)
        >>> labels = rater_labels(a, b, 0.0, 1.0, rng)  # experts only
        >>> differs = a.correct != b.correct
        >>> float(np.mean(labels[differs] == a.correct[differs])) > 0.85
        True
    """
    size = len(first.correct)
    expert = rng.random(size) < expert_share
    checks = rng.random(size) < attention
    verdict = _verdicts(first, expert, rng) - _verdicts(second, expert, rng)
    style = (first.observed - second.observed) @ _STYLE_WEIGHTS
    margin = np.where(
        expert,
        _EXPERT_SCALE * verdict,
        np.where(checks, _SKIM_CHECK_SCALE * verdict, style),
    )
    return np.asarray(rng.random(size) < expit(margin), dtype=float)


@register(
    "rater-bias",
    title="Rater bias: confidently wrong answers",
    summary=(
        "Raters who skim reward confident, fluent answers; a reward model learns their "
        "taste and optimising against it makes the chatbot confidently wrong."
    ),
    schema=SCHEMA,
    version=2,
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
    train = draw_answers(rng, _TRAIN_ANSWERS)
    pairs = rng.integers(0, _TRAIN_ANSWERS, size=(_COMPARISONS, 2))
    first, second = train.take(pairs[:, 0]), train.take(pairs[:, 1])
    labels = rater_labels(first, second, attention, expert_share, rng)
    # 3. The learned reward model: observables only, never the correctness.
    weights = fit_bradley_terry(first.observed - second.observed, labels)

    # 4. Optimise on a fresh pool: exact policy weights over the pool, per pressure level.
    answers = draw_answers(rng, _POOL)
    reward = answers.observed @ weights
    order = np.argsort(reward, kind="stable")
    observed, correct, reward = answers.observed[order], answers.correct[order], reward[order]
    reward_z = (reward - reward.mean()) / max(float(reward.std()), 1e-12)
    confident = expit(observed[:, 0]) >= CONFIDENT_THRESHOLD
    confidently_wrong = confident & (correct == 0)

    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    levels = np.append(grid, sliders.pressure)
    if use_kl:
        strength = kl_matched_lambda(reward_z, bon_kl(N_MAX**levels))
        policy = _kl_weights(reward_z, strength)
    else:
        strength = N_MAX**levels
        policy = best_of_n_weights(strength, _POOL)
    kl = _pool_kl(policy)  # exact KL(policy || base) on the pool
    columns = np.column_stack([reward_z, correct, confidently_wrong, confident])
    proxy, true, fr_share, confident_share = (policy @ columns.astype(policy.dtype)).T.astype(float)
    n_eff = 1.0 / np.einsum("ij,ij->i", policy, policy).astype(float)

    fr, fr_ci = fr_per_100(float(fr_share[-1] * n_eff[-1]), float(n_eff[-1]))
    base_fr = 100.0 * float(fr_share[0])
    # How well the reward model tracks correctness on base answers (point-biserial r).
    correctness_correlation = float(np.corrcoef(reward, correct)[0, 1])

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
            "reward model from rater comparisons (observables only)",
            max(0.0, correctness_correlation),
            f"correlation with correctness {correctness_correlation:.2f}",
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
            "reward model tracks correctness well enough that optimising it helps."
        )
    else:
        verdict = (
            f"About {fr:.0f} in 100 answers are confidently wrong, as before optimisation "
            f"({base_fr:.0f}): too little pressure or too balanced a reward to change it."
        )
    explanation = (
        f"Skimming raters checked correctness in {100 * attention:.0f}% of their "
        f"comparisons and experts judged {100 * expert_share:.0f}% of all comparisons; the "
        "reward model, which sees only how answers look, correlates "
        f"{correctness_correlation:.2f} with correctness. " + verdict
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
        fr_ci_covers=(
            "within-seed: 95% Wilson interval over the optimised policy's "
            f"{n_eff[-1]:.0f} effective answers of the evaluation pool (Kish), with this "
            "seed's comparisons and reward model held fixed; it does not cover other "
            "comparisons or another reward model (run several seeds: --seeds K)"
        ),
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
            "reward_model": dict(zip(FEATURES, weights.tolist(), strict=True)),
            "correctness_correlation": correctness_correlation,
            "base_fr": base_fr,
        },
    )
