"""Goodhart's law in RLHF's optimisation loop: reward-model over-optimisation, in miniature.

The alignment problem. We cannot write down what we want (the *true* reward), so we
optimise a *proxy* for it: a reward model fitted to human preference labels, or some
other noisy measurement. A proxy is right where it was fitted and wrong elsewhere, and an
optimiser is a machine for finding "elsewhere". Push gently and proxy and truth rise
together; push hard and the optimiser exploits the proxy's errors, so the proxy keeps
rising while the true reward peaks and falls (Gao, Schulman & Hilton 2022, "Scaling Laws
for Reward Model Overoptimization"). When the proxy's error is heavy-tailed, the
hardest-pushed outputs are simply those with the largest *errors*, and the true reward
falls back to that of an unoptimised output (Kwa, Thomas & Garriga-Alonso 2024,
"Catastrophic Goodhart"). Two mitigations are offered, separately or together, and
measured (docs/goodhart.md): optimising conservatively against an ensemble of reward
models, mean - lambda * std (Coste, Anwar, Kirk & Krueger 2023, "Reward Model Ensembles
Help Mitigate Overoptimization"), and RLHF's KL penalty. Here the KL penalty does most of
the work; an ensemble whose members share the proxy's misspecification or error cannot
see it.

The world. A response is a feature vector x in R^8; the base policy samples x ~ N(0, I).
The hidden true reward is ``R*(x) = u . x - (c / 2) (|x|^2 - 8)`` with
u = (1, 0.6, 0.3, 0, ..., 0) and c = 0.6: near the base policy "more of u" is better, but
returns diminish and every extreme feature costs (the true optimum is x* = u / c, two
standard deviations out). The base policy's mean true reward is 0. The optimiser never
sees R*; it sees the proxy.

The proxy (option ``proxy``):

- ``learned`` (default): simulated raters label pairs of base-policy samples with
  Bradley-Terry noise, P(a preferred to b) = sigmoid((R*(a) - R*(b)) / 3), and a reward
  model is fitted to the labels by logistic regression (Newton steps, a weak Gaussian
  prior). Its capacity is the option ``hidden_units`` H: r(x) = w . x + sum_k a_k
  tanh(v_k . x + b_k), a random-features network (Rahimi & Recht 2007) whose first layer
  (v, b) stays at its random initialisation and whose (w, a) are learned; H = 0 is a
  linear model. No model of this class can represent R* (a linear one cannot bend at
  all; tanh units saturate, so far from the data every model extrapolates linearly), so
  every proxy is wrong -- without limit -- where optimisation drives the policy; a larger
  one is wrong further out. ``fidelity`` f sets the number of labels on a log scale,
  round(10 ** (1.5 + 2.75 f)), from 32 to about 17 800 at f = 1 (no perfect proxy: the
  number of labels is continuous in f). More labels point w closer to u; only capacity
  can add curvature, so a linear model's peak saturates (near 2.5 nats) from about
  3 000 labels on, while a larger model keeps gaining (Gao et al.'s reward-model-size
  result: larger reward models peak later and higher).
- ``additive``: proxy = R*(x) + sigma * e, with e drawn per output independently of x
  from the option ``tail``: ``gaussian`` (light-tailed), ``student-t`` (3 degrees of
  freedom, a power-law tail) or ``lognormal`` (log-sd 1.5, subexponential). Each error is
  centred at its median and scaled so that its interquartile range equals that of
  N(0, sigma^2). sigma = 2 (1 - f) standard deviations of R* under the base policy,
  reported as ``physical.noise_scale``; at fidelity 1 it is 0, a perfect proxy.

The optimiser (option ``method``), computed exactly on a pool of base-policy samples
(option ``pool_size``, default 2**15), so each number is an exact expectation over the
pool rather than a noisy rollout. The pool is a defensive importance sample of the base
policy (half plain, half widened, each output carrying its probability under the base
policy, see `_pool`), so the tail that hard optimisation reaches is well populated:

- ``bon``: best-of-n. On the pool sorted by the objective, with F_i the cumulative mass
  of the i lowest outputs, the best of n draws is the i-th with probability
  F_i^n - F_(i-1)^n (for a plain pool, (i/N)^n - ((i-1)/N)^n), so all 64 curve points
  are weighted sums over one sort. n solves log n - (n-1)/n = KL; it is real-valued
  between integers, where F^n is still the distribution of a maximum.
- ``rl``: the optimum of E[objective] - beta KL(pi || pi0), pi proportional to
  pi0 exp(objective / beta), with beta solved for each KL budget. With a Gaussian base
  and a linear reward model this optimum is the base shifted, so true reward is exactly
  quadratic in d = sqrt(KL): the RL form cannot be tested with it (see ``pg``).
- ``pg``: a parametric policy trained by natural policy gradient (Kakade 2001), a
  diagonal Gaussian whose mean *and* per-feature widths are learned, read off along its
  training path at each KL (see `policy_gradient`); its shape can change as it trains,
  so whether true reward follows d (alpha - beta ln d) is an outcome, not an assumption.

The pool caps KL: no policy on N outputs is more than about log N nats from the base, so
near 10 nats the optimum rests on a few dozen outputs (a handful with heavy-tailed errors
under RL). Each curve point reports its effective sample size and the Monte Carlo
standard error of its true reward (``true_se``); ``pool_size`` trades speed for
resolution there.

The sliders: ``pressure`` is the KL budget, 10 * pressure nats (the curve covers 64
budgets in the same call). ``fidelity`` is the proxy's quality, as above. ``oversight``
o scales the mitigations that the option ``mitigation`` turns on (``both``, the default;
``ensemble``; ``kl-penalty``). (1) Ensemble: the optimiser's objective becomes
(1 - o) * proxy + o * (m - 2 s), where m and s are the mean and standard deviation of a
5-member ensemble -- the proxy and four more -- so at o = 1 it is Coste et al.'s
conservative objective. Members differ as real ensembles do: ``learned`` members are
fitted on their own bootstrap resamples of the labels and, with hidden units, have their
own random initialisation of them over their own random 6 of the 8 inputs (random
subspace method, Ho 1998); ``additive`` members' errors share the proxy's error with
correlation 0.7 (members trained on the same data share most of their error), plus an
independent part. A linear ensemble therefore shares the linear model's misspecification,
and mean - 2 std cannot see it. (2) KL penalty: eta = 0.4 o, in standard deviations of
the objective per nat: within its budget the optimiser stops where one more nat of drift
buys less than eta of objective.

FR /100 (Goodharted outputs): of 100 outputs of the optimised policy, how many the
optimiser's objective rates a *clear improvement* -- above the 90th percentile of the
objective over base-policy outputs -- while the true reward rates them *worse than a
typical unoptimised output* -- below the median of R* over base-policy outputs. FR is an
exact expectation over the pool; its 95% Wilson interval counts the policy's effective
sample size (Kish: 1 / sum of squared weights), because a policy that rests on five
samples knows no more than five samples do.

Gao's functional forms are fitted to the true-reward gain against d = sqrt(KL): best-of-n
R(d) = d (alpha - beta d), RL R(d) = d (alpha - beta ln d); the result's ``fit`` reports
alpha, beta, R^2 and the largest residual with the KL where it occurs (for ``rl`` and
``pg`` both forms, and which fits better). With a linear reward model the best-of-n
form follows from the set-up, so its R^2 is no evidence; with hidden units it need not.

Examples:
    >>> import alignlab
    >>> result = alignlab.run("goodhart", pressure=1.0, fidelity=0.5, seed=0)
    >>> 0.0 < result.peak["pressure"] < 1.0  # true reward peaked inside, then fell
    True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from alignlab.core import (
    LOOP_STAGES,
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

Array = NDArray[np.float64]

DIM = 8
"""Dimension of a response's feature vector."""
TRUE_LINEAR = np.array([1.0, 0.6, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0])
"""u: what more of each feature is worth to the true reward near the base policy."""
TRUE_CURVATURE = 0.6
"""c: how fast returns diminish; every feature's extremes cost c/2 per squared unit."""
RATER_TEMPERATURE = 3.0
"""Bradley-Terry temperature of the simulated raters, in units of true reward: a rater
prefers the truly better response of a base-policy pair 64% of the time."""
PRIOR_PRECISION = 1.0
"""Gaussian-prior precision (weight decay) of the reward model's weights."""
LABELS_LOG10 = (1.5, 2.75)
"""Fidelity f < 1 gives round(10 ** (1.5 + 2.75 f)) preference labels."""

KL_MAX = 10.0
"""KL budget (nats) at pressure 1."""
CURVE_POINTS = 64
"""Pressure levels on the curve, all computed in one call."""
ENSEMBLE_EXTRA = 4
"""Ensemble members besides the proxy itself, behind the oversight slider."""
ENSEMBLE_LAMBDA = 2.0
"""lambda in the conservative ensemble objective mean - lambda * std (Coste et al.)."""
ETA_MAX = 0.4
"""KL penalty at oversight 1, in standard deviations of the objective per nat."""
NOISE_SCALE_MAX = 2.0
"""Additive error scale at fidelity 0, in standard deviations of the true reward."""
STUDENT_T_DOF = 3.0
LOGNORMAL_SIGMA = 1.5
CLEAR_IMPROVEMENT_QUANTILE = 0.9
"""'Clear improvement': objective above this quantile of the base policy's outputs."""
TYPICAL_QUANTILE = 0.5
"""'Worse than typical': true reward below this quantile of the base policy's outputs."""
DEFAULT_POOL = 2**15
WIDEN_X = 1.6
"""Scale of the widened half of the pool (defensive importance sampling)."""
WIDEN_ERROR = {"gaussian": 2.0, "student-t": 4.0, "lognormal": 1.6}
"""Widening of the additive errors' driving draws in the widened half of the pool."""
HIDDEN_INPUT_SCALE = 1.5
"""Standard deviation of a hidden unit's pre-activation on base-policy outputs."""
SUBSPACE = 6
"""Inputs each extra ensemble member's hidden units see (random subspace, Ho 1998)."""
ADDITIVE_SHARED = 0.7
"""Correlation of an additive ensemble member's error with the proxy's own error."""
NEWTON_STEPS = 25
LABEL_BLOCK = 512
"""Preference labels are drawn in blocks of this many (see `_label_block`)."""
COMPRESSED_TOP, COMPRESSED_BINS = 512, 1024
"""The copy of the pool that beta is searched on (see `kl_regularised`)."""


def true_reward(x: Array) -> Array:
    """Return the hidden true reward R*(x) of each row of `x` (what we meant).

    Examples:
        >>> float(true_reward(np.zeros((1, DIM)))[0])  # the centre beats the average (0)
        2.4
    """
    return np.asarray(
        _matvec(x, TRUE_LINEAR) - 0.5 * TRUE_CURVATURE * (np.einsum("ij,ij->i", x, x) - DIM),
        dtype=np.float64,
    )


TRUE_SD = math.sqrt(float(TRUE_LINEAR @ TRUE_LINEAR) + TRUE_CURVATURE**2 * DIM / 2)
"""Standard deviation of R* under the base policy (Var |x|^2 = 2 DIM for x ~ N(0, I))."""


def _dot(a: Array, b: Array) -> float:
    """Dot product of two long vectors without BLAS (see `_matvec`)."""
    return float(np.einsum("i,i->", a, b))


def _matvec(matrix: Array, vector: Array) -> Array:
    """Matrix-vector product over the last axis, without BLAS.

    Products over the pool go through einsum's own loop, not BLAS: a multi-threaded BLAS
    splits long sums by thread count (so the bits could depend on it) and, on a busy
    two-core machine, spends milliseconds synchronising threads for microseconds of work.
    """
    return np.asarray(np.einsum("...n,n->...", matrix, vector))


def _logsumexp_rows(logits: Array) -> Array:
    """Log sum exp along each row (a lean version of scipy's, for small hot matrices)."""
    peak = logits.max(axis=1)
    return np.asarray(peak + np.log(np.exp(logits - peak[:, None]).sum(axis=1)))


def weighted_quantile(values: Array, mass: Array, q: float) -> float:
    """The q-quantile of `values` under probability masses `mass` (lower quantile).

    Examples:
        >>> weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([0.2, 0.5, 0.3]), 0.6)
        2.0
    """
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(mass[order])
    index = min(int(np.searchsorted(cumulative, q * cumulative[-1])), values.shape[0] - 1)
    return float(values[order][index])


def weighted_correlation(a: Array, b: Array, mass: Array) -> float:
    """Pearson correlation of `a` and `b` under probability masses `mass`."""
    da, db = a - _dot(mass, a), b - _dot(mass, b)
    denom = math.sqrt(_dot(mass, da * da) * _dot(mass, db * db))
    return _dot(mass, da * db) / denom if denom > 0 else 1.0


def n_labels(fidelity: float) -> int:
    """Number of preference labels behind the learned proxy at `fidelity` < 1.

    Examples:
        >>> n_labels(0.0), n_labels(0.5)
        (32, 750)
    """
    low, span = LABELS_LOG10
    return round(10 ** (low + span * fidelity))


def _stream(key: int, stream: int) -> np.random.Generator:
    """A child generator for one named stream, seeded by a key drawn from the run's rng."""
    return np.random.default_rng([key, stream])


# ---------------------------------------------------------------------------------------
# The pool of base-policy outputs and the proxies: pure functions of (key, ...), cached
# so that dragging a slider does not redo work. Cached arrays are read-only.
# ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _pool(key: int, size: int) -> tuple[Array, Array, Array]:
    """Base-policy outputs x (size x DIM), their true rewards and their pool masses.

    The pool is a defensive importance sample (Hesterberg 1995): half the outputs come
    from the base policy N(0, I), half from a widened N(0, WIDEN_X^2 I), and each carries
    the mass p(x) / (p(x) / 2 + q(x) / 2) <= 2, normalised to sum 1. The weighted pool is
    still a consistent stand-in for the base policy (the weights are bounded, so none
    dominates), while the tail that hard optimisation reaches is populated by thousands of
    outputs instead of a handful.
    """
    x = _stream(key, 1).standard_normal((size, DIM))
    x[size // 2 :] *= WIDEN_X
    squared = np.einsum("ij,ij->i", x, x)
    log_ratio = -DIM * math.log(WIDEN_X) + 0.5 * squared * (1.0 - WIDEN_X**-2)  # log q/p
    mass = 1.0 / (0.5 + 0.5 * np.exp(log_ratio))
    mass /= mass.sum()
    true = true_reward(x)
    for array in (x, true, mass):
        array.flags.writeable = False
    return x, true, mass


@functools.lru_cache(maxsize=8)
def _typical_true(key: int, size: int) -> float:
    """The base policy's median true reward on the pool (the 'typical output' in FR)."""
    _, true, mass = _pool(key, size)
    return weighted_quantile(true, mass, TYPICAL_QUANTILE)


def fit_bradley_terry(
    differences: Array,
    preferred: Array,
    label_weights: Array,
    prior_precision: float,
    start: Array | None = None,
) -> Array:
    """Fit linear Bradley-Terry reward models by MAP logistic regression (Newton steps).

    Args:
        differences: phi(a) - phi(b) for each labelled pair, shape (labels, features).
        preferred: 1.0 where the rater preferred a, else 0.0.
        label_weights: Per-label weights, one row per model (ones = a plain fit; Poisson
            counts = a bootstrap resample), shape (models, labels).
        prior_precision: Precision of the Gaussian prior on the weights (weight decay).
        start: Optional starting weights (e.g. the full-data fit, for bootstrap refits).

    Returns:
        The fitted weights, shape (models, features).

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> diff = rng.standard_normal((4000, 2))
        >>> pref = (rng.random(4000) < special.expit(diff @ [2.0, -1.0])).astype(float)
        >>> np.round(fit_bradley_terry(diff, pref, np.ones((1, 4000)), 1.0), 1)
        array([[ 1.9, -0.9]])
    """
    models, features = label_weights.shape[0], differences.shape[1]
    theta = np.zeros((models, features)) if start is None else np.tile(start, (models, 1))
    # Every model's Hessian in one matrix product: sum_n c_mn d_n d_n^T.
    outer = np.einsum("ni,nj->nij", differences, differences).reshape(-1, features**2)
    prior = prior_precision * np.eye(features)
    for _ in range(NEWTON_STEPS):
        prob = special.expit(np.einsum("ni,mi->nm", differences, theta))
        # Sums over the labels use einsum, not BLAS (see `_matvec`).
        residual = label_weights.T * (prob - preferred[:, None])
        gradient = np.einsum("nm,ni->mi", residual, differences) + prior_precision * theta
        curvature = label_weights.T * prob * (1.0 - prob)
        hessian = np.einsum("nm,nk->mk", curvature, outer).reshape(models, features, features)
        hessian += prior
        step = np.linalg.solve(hessian, gradient[:, :, None])[:, :, 0]
        theta -= step
        if float(np.max(np.abs(step))) < 1e-10 * (1.0 + float(np.max(np.abs(theta)))):
            break
    return theta


@functools.lru_cache(maxsize=64)
def _label_block(key: int, block: int) -> tuple[Array, Array, Array, Array]:
    """One block of LABEL_BLOCK labels: the pairs a and b, choices, resample counts.

    Every block has its own child stream, so the first n labels are the same whatever
    fidelity asked for them: more fidelity means strictly more of the same labels, and a
    low fidelity draws only the blocks it uses. The bootstrap counts are Poisson(1), one
    row per extra ensemble member.
    """
    rng = np.random.default_rng([key, 2, block])
    a = rng.standard_normal((LABEL_BLOCK, DIM))
    b = rng.standard_normal((LABEL_BLOCK, DIM))
    uniforms = rng.random(LABEL_BLOCK)
    resamples = rng.poisson(1.0, (ENSEMBLE_EXTRA, LABEL_BLOCK)).astype(np.float64)
    p_prefer_a = special.expit((true_reward(a) - true_reward(b)) / RATER_TEMPERATURE)
    preferred = (uniforms < p_prefer_a).astype(np.float64)
    for array in (a, b, preferred, resamples):
        array.flags.writeable = False
    return a, b, preferred, resamples


def _preference_labels(key: int, labels: int) -> tuple[Array, Array, Array, Array]:
    """The run's first `labels` preference labels (see `_label_block`)."""
    blocks = [_label_block(key, k) for k in range(-(-labels // LABEL_BLOCK))]
    first = np.concatenate([block[0] for block in blocks])[:labels]
    second = np.concatenate([block[1] for block in blocks])[:labels]
    preferred = np.concatenate([block[2] for block in blocks])[:labels]
    resamples = np.concatenate([block[3] for block in blocks], axis=1)[:, :labels]
    return first, second, preferred, resamples


@functools.lru_cache(maxsize=64)
def _hidden_layer(key: int, units: int, member: int) -> tuple[Array, Array]:
    """The frozen first layer (input weights, biases) of one reward model's hidden units.

    Each ensemble member draws its own layer (a different initialisation); the extra
    members' units see only a random SUBSPACE of the inputs (the random subspace method,
    Ho 1998), so members differ in the features they can build, as in real ensembles.
    """
    rng = np.random.default_rng([key, 4, member])
    weights = rng.standard_normal((DIM, units)) * (HIDDEN_INPUT_SCALE / math.sqrt(DIM))
    if member > 0:
        dropped = rng.choice(DIM, DIM - SUBSPACE, replace=False)
        weights[dropped] = 0.0
        weights *= math.sqrt(DIM / SUBSPACE)
    bias = rng.standard_normal(units)
    weights.flags.writeable = False
    bias.flags.writeable = False
    return weights, bias


def reward_features(x: Array, layer: tuple[Array, Array] | None) -> Array:
    """What a reward model reads from outputs x: x itself, plus tanh hidden units if any.

    A reward model is r(x) = w . x + sum_k a_k tanh(v_k . x + b_k) with the first layer
    (v, b) frozen at its random initialisation and (w, a) learned: a random-features
    network (Rahimi & Recht 2007), whose capacity grows with its number of hidden units.

    Examples:
        >>> reward_features(np.ones((2, DIM)), None).shape
        (2, 8)
    """
    if layer is None or layer[0].shape[1] == 0:
        return x
    weights, bias = layer
    hidden = np.tanh(np.einsum("ni,ik->nk", x, weights) + bias)
    return np.concatenate([x, hidden], axis=1)


def _fit_one(
    differences: Array, preferred: Array, label_weights: Array, start: Array | None
) -> Array:
    """MAP Bradley-Terry fit of one model with many features (Hessian by matrix product).

    The batched `fit_bradley_terry` precomputes every label's outer product, which is
    cheap for 8 features and far too big for 8 + hidden units; here each Newton step
    forms the Hessian as D^T diag(c) D instead.
    """
    features = differences.shape[1]
    theta = np.zeros(features) if start is None else start.copy()
    prior = PRIOR_PRECISION * np.eye(features)
    # Products go through einsum, not BLAS (see `_matvec`): on a busy machine BLAS threads
    # cost more than these products.
    for _ in range(NEWTON_STEPS):
        prob = special.expit(_matvec(differences, theta))
        residual = label_weights * (prob - preferred)
        gradient = np.einsum("ni,n->i", differences, residual) + PRIOR_PRECISION * theta
        curvature = label_weights * prob * (1.0 - prob)
        hessian = np.einsum("ni,nj->ij", differences * curvature[:, None], differences) + prior
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-10 * (1.0 + float(np.max(np.abs(theta)))):
            break
    return np.asarray(theta)


@functools.lru_cache(maxsize=32)
def _proxy_scores(key: int, size: int, fidelity: float, units: int, ensemble: bool) -> Array:
    """Scores of the learned reward model (row 0) and its ensemble members on the pool.

    Members differ as real ensembles do: each is fitted on its own bootstrap resample of
    the labels and, with hidden units, has its own initialisation of them over its own
    random subspace of the inputs. A linear ensemble differs only in its labels, so it
    shares the linear model's misspecification (a finding the docs measure).
    """
    labels = n_labels(fidelity)
    first, second, preferred, resamples = _preference_labels(key, labels)
    x = _pool(key, size)[0]
    members = 1 + ENSEMBLE_EXTRA if ensemble else 1
    if units == 0:
        scores = np.asarray(np.einsum("mi,ni->mn", _reward_models(key, fidelity, ensemble), x))
    else:
        scores = np.empty((members, size))
        for member in range(members):
            layer = _hidden_layer(key, units, member)
            differences = reward_features(first, layer) - reward_features(second, layer)
            weights = np.ones(labels) if member == 0 else resamples[member - 1]
            theta_m = _fit_one(differences, preferred, weights, None)
            scores[member] = _matvec(reward_features(x, layer), theta_m)
    scores.flags.writeable = False
    return scores


def _reward_models(key: int, fidelity: float, ensemble: bool) -> Array:
    """Weights of the linear reward model (row 0) and, if asked, its bootstrap ensemble."""
    labels = n_labels(fidelity)
    first, second, preferred, resamples = _preference_labels(key, labels)
    differences = first - second
    theta = fit_bradley_terry(differences, preferred, np.ones((1, labels)), PRIOR_PRECISION)
    if ensemble:
        # Bootstrap refits start from the full-data fit, so they converge in a few steps.
        members = fit_bradley_terry(
            differences, preferred, resamples, PRIOR_PRECISION, start=theta[0]
        )
        theta = np.concatenate([theta, members])
    return theta


_IQR_NORMAL = float(stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
_IQR_T = float(stats.t.ppf(0.75, STUDENT_T_DOF) - stats.t.ppf(0.25, STUDENT_T_DOF))
_IQR_LOGNORMAL = math.exp(LOGNORMAL_SIGMA * _IQR_NORMAL / 2) - math.exp(
    -LOGNORMAL_SIGMA * _IQR_NORMAL / 2
)


@functools.lru_cache(maxsize=16)
def _additive_errors(key: int, size: int, tail: str) -> tuple[Array, Array]:
    """Errors (1 + ENSEMBLE_EXTRA, size) with median 0 and the IQR of N(0, 1), and masses.

    Each error is a monotone function of a driving draw (a normal for ``gaussian`` and
    ``lognormal``, a Student t for ``student-t``). The proxy's own error (row 0) is a
    defensive importance sample like the pool: every other output's driving draw is
    widened (WIDEN_ERROR[tail] times), and the returned factor p / (p/2 + q/2) <= 2
    corrects its mass, so that the error's far tail, which heavy-tailed optimisation
    selects, is well populated. The ensemble's extra errors share the proxy's error with
    correlation ADDITIVE_SHARED, plus an independent plain draw of the same tail.
    """
    rng = _stream(key, 3)
    shape = (1 + ENSEMBLE_EXTRA, size)
    widen = WIDEN_ERROR[tail]
    if tail == "student-t":
        driver = rng.standard_t(STUDENT_T_DOF, shape)
    else:
        driver = rng.standard_normal(shape)
    driver[0, 1::2] *= widen
    # q / p for the widened density q(z) = p(z / widen) / widen, in closed form.
    squared = driver[0] ** 2
    if tail == "student-t":
        dof = STUDENT_T_DOF
        ratio = ((1 + squared / dof) / (1 + squared / (dof * widen**2))) ** ((dof + 1) / 2)
    else:
        ratio = np.exp(0.5 * squared * (1 - widen**-2))
    factor = 1.0 / (0.5 + 0.5 * ratio / widen)
    if tail == "gaussian":
        errors = driver
    elif tail == "student-t":
        errors = driver * (_IQR_NORMAL / _IQR_T)
    else:
        errors = np.expm1(LOGNORMAL_SIGMA * driver) * (_IQR_NORMAL / _IQR_LOGNORMAL)
    # Members of a real ensemble, trained on the same data, share much of their error:
    # each extra member's error is mostly the proxy's own (correlation ADDITIVE_SHARED).
    errors[1:] = ADDITIVE_SHARED * errors[0] + math.sqrt(1 - ADDITIVE_SHARED**2) * errors[1:]
    errors.flags.writeable = False
    factor.flags.writeable = False
    return errors, factor


# ---------------------------------------------------------------------------------------
# Optimisers: exact expectations over the pool
# ---------------------------------------------------------------------------------------


def _monte_carlo(weights: Array, moments: Array, mean: float) -> tuple[float, float]:
    """Effective sample size (Kish) and Monte Carlo standard error of a weighted mean.

    For a weighted mean sum_i w_i v_i over a pool of independent draws (weights summing
    to 1), the standard error is sqrt(sum_i w_i^2 (v_i - mean)^2); `moments` holds the
    rows v and v^2, so that one product gives both sums.
    """
    squared = weights * weights
    total = float(squared.sum())
    first, second = _matvec(moments, squared)
    variance = float(second) - 2.0 * mean * float(first) + mean * mean * total
    return 1.0 / total, math.sqrt(max(variance, 0.0))


def bon_n_for_kl(kl: Array) -> Array:
    """Solve log n - (n - 1) / n = kl for n >= 1, elementwise (Newton's method).

    Examples:
        >>> bon_n_for_kl(np.array([0.0, math.log(4) - 0.75]))
        array([1., 4.])
    """
    # In m = log n the equation is g(m) = m + expm1(-m) = kl, with g convex and rising;
    # Newton's method from a start right of the root converges monotonically.
    target = np.maximum(kl, 0.0)
    log_n = np.sqrt(2.0 * target) + target
    for _ in range(60):
        slope = -np.expm1(-log_n)
        step = np.where(
            slope > 0, (log_n + np.expm1(-log_n) - target) / np.maximum(slope, 1e-300), 0.0
        )
        log_n = np.maximum(log_n - step, 0.0)
    return np.asarray(np.exp(log_n), dtype=np.float64)


def best_of_n(
    objective: Array, mass: Array, columns: Array, kl: Array, error_row: int = 0
) -> tuple[Array, Array, Array, Array]:
    """Exact best-of-n expectations over a weighted pool, for each KL budget.

    With the pool sorted by the objective and F its cumulative mass, the best of n draws
    is the i-th output with probability F_i^n - F_(i-1)^n.

    Args:
        objective: What the sampler maximises, one value per pool output, ascending.
        mass: Each output's probability under the base policy (sums to 1).
        columns: Values to average under the best-of-n policy, shape (k, pool).
        kl: KL budgets; n solves log n - (n - 1) / n = kl.
        error_row: The column whose Monte Carlo standard error is returned.

    Returns:
        (n, expectations of shape (len(kl), k), effective sample sizes, Monte Carlo
        standard errors of column `error_row`'s expectations).

    Examples:
        >>> pool = np.arange(4.0)
        >>> n, means, *_ = best_of_n(
        ...     pool, np.full(4, 0.25), pool[None, :], np.array([0.0, math.log(2) - 0.5])
        ... )
        >>> means[:, 0].tolist()  # the best of 2 draws from {0, 1, 2, 3} averages 2.125
        [1.5, 2.125]
    """
    # 1 - F from the top, so that F^n stays accurate when n is in the tens of thousands.
    above = np.cumsum(mass[::-1])[::-1]  # mass at or above each rank
    log_cdf = np.log1p(-np.minimum(np.append(above[1:], 0.0), 1.0 - 1e-16))
    ns = bon_n_for_kl(kl)
    means = np.empty((ns.shape[0], columns.shape[0]))
    ess, errors = np.empty(ns.shape[0]), np.empty(ns.shape[0])
    moments = np.stack([columns[error_row], columns[error_row] ** 2])
    for j, n in enumerate(ns):
        # The ranks below F = 1 - 37/n together weigh F^n < e^-37 < 1e-16 (the weights
        # telescope): skipping them is exact to double precision, and keeps the cost
        # near 37 N / n for large n.
        start = max(0, int(np.searchsorted(-above, -37.0 / n)) - 1)
        cdf_n = np.exp(n * log_cdf[start:])
        below = 0.0 if start == 0 else math.exp(n * log_cdf[start - 1])
        weights = np.diff(cdf_n, prepend=below)
        weights /= weights.sum()
        means[j] = _matvec(columns[:, start:], weights)
        ess[j], errors[j] = _monte_carlo(weights, moments[:, start:], means[j, error_row])
    return ns, means, ess, errors


def kl_regularised(
    objective: Array, mass: Array, columns: Array, kl: Array, error_row: int = 0
) -> tuple[Array, Array, Array, Array, Array]:
    """Exact KL-regularised optima pi proportional to pi0 exp(objective / beta) on a pool.

    beta is found for every budget at once on a compressed copy of the pool (the top 512
    outputs exactly, the rest as 1024 bins of consecutive objective values) by monotone
    interpolation of KL over a log-spaced grid of 1 / beta and three Newton steps; every
    reported quantity, the
    achieved KL included, is then computed exactly on the full pool at that beta.

    Args:
        objective: What the policy maximises, one value per pool output, ascending.
        mass: Each output's probability under the base policy (sums to 1).
        columns: Values to average under the optimised policy, shape (k, pool).
        kl: KL budgets.
        error_row: The column whose Monte Carlo standard error is returned.

    Returns:
        (beta, achieved KL, expectations of shape (len(kl), k), effective sample sizes,
        Monte Carlo standard errors of column `error_row`'s expectations).

    Examples:
        >>> pool = np.linspace(-3, 3, 2001)
        >>> mass = np.exp(-pool**2 / 2); mass /= mass.sum()  # a discretised N(0, 1)
        >>> beta, kl, means, *_ = kl_regularised(pool, mass, pool[None, :], np.array([0.5]))
        >>> round(float(kl[0]), 3), round(float(means[0, 0]), 2)  # shift ~ sqrt(2 KL) = 1
        (0.5, 0.98)
    """
    size = objective.shape[0]
    shifted = objective - objective[-1]
    top = min(COMPRESSED_TOP, size)
    atoms, atom_mass = shifted[size - top :], mass[size - top :]
    bins = min(COMPRESSED_BINS, size - top)
    if bins:
        edges = np.linspace(0, size - top, bins + 1).astype(np.int64)[:-1]
        bin_mass = np.add.reduceat(mass[: size - top], edges)
        bin_mean = np.add.reduceat(shifted[: size - top] * mass[: size - top], edges)
        atoms = np.concatenate([bin_mean / bin_mass, atoms])
        atom_mass = np.concatenate([bin_mass, atom_mass])
    spread = math.sqrt(_dot(mass, (objective - _dot(mass, objective)) ** 2)) or 1.0
    log_tau = np.linspace(math.log(1e-3 / spread), math.log(1e4 / spread), 160)
    logits = np.multiply.outer(np.exp(log_tau), atoms) + np.log(atom_mass)
    log_z = _logsumexp_rows(logits)
    probs = np.exp(logits - log_z[:, None])
    grid_kl = np.maximum.accumulate(np.maximum(np.exp(log_tau) * (probs @ atoms) - log_z, 0.0))
    log_taus = np.interp(kl, grid_kl, log_tau)
    log_atom_mass = np.log(atom_mass)
    for _ in range(3):  # Newton steps in log tau: dKL / dlog tau = tau^2 Var_pi(objective)
        taus = np.exp(log_taus)
        logits = np.multiply.outer(taus, atoms) + log_atom_mass
        log_z = _logsumexp_rows(logits)
        probs = np.exp(logits - log_z[:, None])
        mean = probs @ atoms
        variance = np.maximum(probs @ atoms**2 - mean**2, 1e-300)
        excess = taus * mean - log_z - kl
        log_taus = np.clip(log_taus - excess / (taus**2 * variance), log_tau[0], log_tau[-1])
    taus = np.where(kl > 0, np.exp(log_taus), 0.0)

    means = np.empty((taus.shape[0], columns.shape[0]))
    achieved, ess = np.empty(taus.shape[0]), np.empty(taus.shape[0])
    errors = np.empty(taus.shape[0])
    moments = np.stack([columns[error_row], columns[error_row] ** 2])
    # The outputs with tau * shifted < -cutoff together weigh less than e^-cutoff / m_top
    # relative to the best output alone (their masses sum to < 1; m_top is the best
    # output's mass): with cutoff = 37 - log m_top, skipping them changes every sum by
    # less than 1e-16 relative, and large tau then touches only the top of the pool.
    cutoff = 37.0 - math.log(mass[-1])
    for j, tau in enumerate(taus):
        start = 0 if tau == 0 else int(np.searchsorted(shifted, -cutoff / tau))
        weights = np.exp(tau * shifted[start:])  # <= 1: shifted <= 0
        weights *= mass[start:]
        total = float(weights.sum())
        weights /= total
        means[j] = _matvec(columns[:, start:], weights)
        # KL(pi || pi0) = tau E_pi[shifted] - log Z.
        achieved[j] = max(0.0, tau * _dot(weights, shifted[start:]) - math.log(total))
        ess[j], errors[j] = _monte_carlo(weights, moments[:, start:], means[j, error_row])
    beta = np.where(taus > 0, 1.0 / np.maximum(taus, 1e-300), np.inf)
    return beta, achieved, means, ess, errors


PG_STEPS = 32
"""Natural-gradient steps of the `pg` optimiser along its whole KL path."""
PG_SUBSAMPLE = 32
"""The `pg` path is trained on every PG_SUBSAMPLE-th output of the pool."""
PG_REPORT_SUBSAMPLE = 4
"""`pg` reports its curve on every PG_REPORT_SUBSAMPLE-th output of the pool (for speed; the
effective sample size and standard error say what that costs)."""


def _policy_statistics(x: Array) -> Array:
    """Sufficient statistics (x, x^2 - 1) of the `pg` policy family (a diagonal Gaussian)."""
    return np.concatenate([x, x * x - 1.0], axis=1)


def gaussian_policy_kl(theta: Array) -> float:
    """KL(pi_theta || N(0, I)) of the `pg` policy, in closed form.

    pi_theta is proportional to N(0, I) exp(theta . (x, x^2 - 1)): per feature a Gaussian
    with variance s2 = 1 / (1 - 2 theta_2) and mean theta_1 s2, so the KL is
    sum (s2 + mean^2 - 1 - ln s2) / 2.

    Examples:
        >>> gaussian_policy_kl(np.concatenate([np.ones(DIM), np.zeros(DIM)]))  # shift by 1
        4.0
    """
    linear, quadratic = theta[:DIM], theta[DIM:]
    variance = 1.0 / (1.0 - 2.0 * quadratic)
    mean = linear * variance
    return float(0.5 * np.sum(variance + mean * mean - 1.0 - np.log(variance)))


def _tilt(stats: Array, mass: Array, theta: Array) -> Array:
    """Normalised weights of pi_theta on a pool: mass * exp(theta . stats), scaled to sum 1."""
    logits = _matvec(stats, theta)
    weights = np.exp(logits - logits.max()) * mass
    return np.asarray(weights / weights.sum())


def policy_gradient(
    stats: Array, objective: Array, mass: Array, columns: Array, kl: Array, error_row: int = 0
) -> tuple[Array, Array, Array, Array, Array, Array]:
    """Train a diagonal-Gaussian policy by natural policy gradient; read it off at each KL.

    The policy is pi_theta(x) proportional to pi0(x) exp(theta . (x, x^2 - 1)): a Gaussian
    with its own mean *and* per-feature width, so its shape can change along the path (an
    exact tilt of a Gaussian base by a linear reward only shifts it). Starting from the
    base policy (theta = 0), each step follows the natural gradient of E_pi[objective]
    (Kakade 2001; the regression of the objective on the statistics under pi, exact on a
    subsample of the pool) with a step length of sqrt(2 KL_max) / PG_STEPS in the Fisher
    metric (the policy's Fisher distance from the base is about sqrt(2 KL)). The path is
    the training run; budget k reads the policy at the first point of the path whose KL
    reaches it (linear interpolation between steps), so KL grows with training as in Gao
    et al.'s RL runs.
    The KL is the policy's own, in closed form (`gaussian_policy_kl`); every expectation
    is an importance-weighted average over every PG_REPORT_SUBSAMPLE-th output of the
    weighted pool, whose effective sample size and standard error say how far to trust
    it (the path stops where its training subsample has fewer than 2 effective outputs).

    Args:
        stats: `_policy_statistics` of every PG_REPORT_SUBSAMPLE-th pool output.
        objective: What the policy maximises, one value per pool output.
        mass: Each output's probability under the base policy (sums to 1).
        columns: Values to average under the trained policy, shape (k, pool).
        kl: KL budgets.
        error_row: The column whose Monte Carlo standard error is returned.

    Returns:
        (training step at each budget (fractional), the policy's mean per-feature standard
        deviation, its KL, expectations of shape (len(kl), k), effective sample sizes,
        Monte Carlo standard errors of column `error_row`'s expectations).
    """
    thin = PG_SUBSAMPLE // PG_REPORT_SUBSAMPLE
    sub_stats, sub_mass = stats[::thin], mass[::PG_SUBSAMPLE]
    sub_mass = sub_mass / sub_mass.sum()
    sub_objective = objective[::PG_SUBSAMPLE]
    features = stats.shape[1]
    # Fisher distance from the base grows by `stride` a step; KL ~ distance^2 / 2.
    stride = math.sqrt(2.0 * float(np.max(kl, initial=0.0))) / PG_STEPS
    thetas = [np.zeros(features)]
    path_kl = [0.0]
    theta = thetas[0]
    ridge = 1e-9 * np.eye(features)
    # Each output's s s^T, once: the Fisher matrix E_pi[s s^T] - mu mu^T is then one
    # weighted sum per step (an einsum over contiguous rows, far cheaper than forming
    # the centred outer products every step).
    sub_outer = np.einsum("ni,nj->nij", sub_stats, sub_stats).reshape(len(sub_stats), -1)
    weights = sub_mass
    for _ in range(2 * PG_STEPS):  # curvature can make a step add less than its stride
        mean_stats = np.einsum("n,ni->i", weights, sub_stats)
        centred = sub_stats - mean_stats
        second = np.einsum("n,nk->k", weights, sub_outer).reshape(features, features)
        fisher = second - np.outer(mean_stats, mean_stats) + ridge
        advantage = sub_objective - _dot(weights, sub_objective)
        gradient = np.einsum("ni,n->i", centred, weights * advantage)
        direction = np.linalg.solve(fisher, gradient)
        length = math.sqrt(max(float(direction @ fisher @ direction), 1e-300))
        theta = theta + (stride / length) * direction
        if float(np.max(theta[DIM:])) >= 0.45:  # a width past 3 base sds: stop there
            break
        weights = _tilt(sub_stats, sub_mass, theta)
        if 1.0 / float(weights @ weights) < 2.0:  # the subsample is exhausted: stop
            break
        thetas.append(theta)
        path_kl.append(gaussian_policy_kl(theta))
        if path_kl[-1] >= kl.max():
            break
    steps = np.interp(kl, np.asarray(path_kl), np.arange(len(path_kl), dtype=np.float64))
    path = np.asarray(thetas)
    low = np.minimum(steps.astype(np.int64), len(thetas) - 1)
    high = np.minimum(low + 1, len(thetas) - 1)
    at_budget = path[low] + (steps - low)[:, None] * (path[high] - path[low])
    mass = mass[::PG_REPORT_SUBSAMPLE] / mass[::PG_REPORT_SUBSAMPLE].sum()
    columns = columns[:, ::PG_REPORT_SUBSAMPLE]
    # Budgets past the end of the path share its last policy: weigh each policy once.
    policies, budget_policy = np.unique(at_budget, axis=0, return_inverse=True)
    budget_policy = budget_policy.ravel()
    # One product for all policies (inner dimension 2 DIM, so no long sums; einsum, not
    # BLAS, see `_matvec`), over the statistics laid out feature by feature.
    log_weights = np.einsum("jk,kn->jn", policies, np.ascontiguousarray(stats.T))
    log_weights -= log_weights.max(axis=1, keepdims=True)
    log_weights += np.log(mass)
    weights = np.exp(log_weights)
    totals = weights.sum(axis=1)
    weights /= totals[:, None]
    means = np.einsum("jn,kn->jk", weights, columns)
    # Kish's effective sample size and the standard error of column `error_row`'s mean
    # from one product: sum w^2, sum w^2 v and sum w^2 v^2 (see `_monte_carlo`).
    values = columns[error_row]
    squared = weights * weights
    sums = np.einsum("jn,kn->jk", squared, np.stack([np.ones_like(values), values, values**2]))
    ess = 1.0 / sums[:, 0]
    mean = means[:, error_row]
    errors = np.sqrt(
        np.maximum(sums[:, 2] - 2.0 * mean * sums[:, 1] + mean * mean * sums[:, 0], 0.0)
    )
    achieved = np.array([gaussian_policy_kl(theta_j) for theta_j in at_budget])
    widths = np.sqrt(1.0 / (1.0 - 2.0 * at_budget[:, DIM:])).mean(axis=1)
    at = budget_policy
    return steps, widths, achieved, means[at], ess[at], errors[at]


def kl_penalised_choice(kl: Array, objective_mean: Array, eta: float) -> NDArray[np.int64]:
    """Index of the point each budget settles on under a KL penalty eta.

    Within budget kl[j] the optimiser maximises E[objective] - eta * KL over the points
    0..j of its path (a larger budget only adds options).

    Examples:
        >>> kl_penalised_choice(np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 1.2]), 0.5)
        array([0, 1, 1])
    """
    score = objective_mean - eta * kl
    best = np.zeros(kl.shape[0], dtype=np.int64)
    for j in range(1, kl.shape[0]):
        best[j] = j if score[j] > score[best[j - 1]] else best[j - 1]
    return best


def fit_gao(kl: Array, gain: Array, form: str) -> dict[str, float]:
    """Least-squares fit of Gao et al.'s form to true-reward gain against d = sqrt(KL).

    `form` is "bon" for R(d) = d (alpha - beta d) or "rl" for R(d) = d (alpha - beta ln d).
    Besides alpha, beta and R^2 it reports where the fit fails worst: the largest
    residual (data minus fit) and the KL at which it occurs.

    Examples:
        >>> kl = np.linspace(0, 9, 30); d = np.sqrt(kl)
        >>> fit = fit_gao(kl, d * (1.0 - 0.2 * d), "bon")
        >>> round(fit["alpha"], 6), round(fit["beta"], 6), round(fit["r2"], 6)
        (1.0, 0.2, 1.0)
    """
    d = np.sqrt(np.maximum(kl, 0.0))
    second = -d * d if form == "bon" else -d * np.log(np.where(d > 0, d, 1.0))
    design = np.stack([d, second], axis=1)
    coef, *_ = np.linalg.lstsq(design, gain, rcond=None)
    residual = gain - design @ coef
    total = float(np.sum((gain - gain.mean()) ** 2))
    r2 = 1.0 - float(residual @ residual) / total if total > 0 else 1.0
    worst = int(np.argmax(np.abs(residual)))
    return {
        "alpha": float(coef[0]),
        "beta": float(coef[1]),
        "r2": r2,
        "max_residual": float(residual[worst]),
        "max_residual_kl": float(kl[worst]),
    }


# ---------------------------------------------------------------------------------------
# The experiment
# ---------------------------------------------------------------------------------------

SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Optimisation pressure",
        "How far the optimiser may move the policy from the base policy (a KL budget).",
        "KL budget",
        "nats",
        default=0.8,
        to_physical=lambda p: KL_MAX * p,
    ),
    fidelity=Slider(
        "fidelity",
        "Proxy fidelity",
        "How good the proxy is: preference labels on a log scale (learned) or a smaller "
        "error (additive); 1 is a perfect proxy.",
        "preference labels (learned; 1 = perfect)",
        "labels",
        default=0.5,
        to_physical=lambda f: float(n_labels(f)),
    ),
    oversight=Slider(
        "oversight",
        "Oversight",
        "Conservative optimisation: blend in an ensemble's mean - 2 std and/or a KL "
        "penalty (option mitigation).",
        "weight of the conservative ensemble objective and of the KL penalty",
        "",
        default=0.0,
        to_physical=lambda o: o,
    ),
    options=(
        Option(
            "proxy",
            "choice",
            "learned",
            "learned: a reward model fitted to Bradley-Terry preferences; additive: true "
            "reward plus an independent error",
            choices=("learned", "additive"),
        ),
        Option(
            "method",
            "choice",
            "bon",
            "bon: best-of-n sampling; rl: the exact KL-regularised optimum; pg: a Gaussian "
            "policy trained by natural policy gradient",
            choices=("bon", "rl", "pg"),
        ),
        Option(
            "tail",
            "choice",
            "gaussian",
            "distribution of the additive error (with proxy=additive)",
            choices=("gaussian", "student-t", "lognormal"),
        ),
        Option(
            "mitigation",
            "choice",
            "both",
            "what oversight turns on: both, the conservative ensemble only, or the KL penalty only",
            choices=("both", "ensemble", "kl-penalty"),
        ),
        Option(
            "hidden_units",
            "int",
            0,
            "capacity of the learned reward model: tanh hidden units beside its linear part "
            "(0: linear)",
            low=0,
            high=128,
        ),
        Option(
            "pool_size",
            "int",
            DEFAULT_POOL,
            "base-policy samples the optimum is computed on (cost grows about linearly)",
            low=2**10,
            high=2**18,
        ),
    ),
)

FR_DEFINITION = (
    "Of 100 outputs of the optimised policy, those the optimiser's objective rates above "
    "its 90th percentile over base-policy outputs (a clear improvement) while their true "
    "reward is below the base policy's median (worse than a typical unoptimised output)."
)


@dataclass(frozen=True)
class _Reading:
    """The numbers the agent-loop diagram and the explanation are written from."""

    proxy_kind: str
    method: str
    tail: str
    kl_now: float
    kl_peak: float
    true_now: float
    true_peak: float
    true_end: float
    kl_budget: float
    kl_curve_max: float
    objective_now: float
    objective_base: float
    objective_top: float
    fr: float
    oversight: float
    eta: float
    correlation: float
    ess: float
    size: int


@register(
    "goodhart",
    title="Reward-model over-optimisation (Goodhart's law)",
    summary="Optimise a proxy reward hard enough and the true reward peaks, then falls.",
    schema=SCHEMA,
    fr_definition=FR_DEFINITION,
    # 3: pg reads its budgets off once per distinct policy, its Fisher matrix from
    #    precomputed outer products: results move by rounding only (~1e-13).
    version=3,
)
def goodhart(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Optimise a learned or additive proxy by best-of-n or RL over 64 KL budgets."""
    key = int(rng.integers(2**63))
    size = int(options["pool_size"])
    proxy_kind, method, tail = str(options["proxy"]), str(options["method"]), str(options["tail"])
    fidelity, oversight = sliders.fidelity, sliders.oversight
    mitigation, units = str(options["mitigation"]), int(options["hidden_units"])
    ensemble = oversight > 0 and mitigation in ("both", "ensemble")
    budget = KL_MAX * sliders.pressure
    x, true, mass = _pool(key, size)
    physical: dict[str, float | int | str] = {"kl_budget": budget}

    if proxy_kind == "learned":
        scores = _proxy_scores(key, size, fidelity, units, ensemble)
        physical["labels"] = n_labels(fidelity)
        physical["hidden_units"] = units
    elif fidelity >= 1.0:
        scores = true[None, :]  # the perfect proxy: no error, so no disagreement either
        physical["proxy_quality"] = "perfect"
    else:
        noise_scale = NOISE_SCALE_MAX * (1.0 - fidelity) * TRUE_SD
        errors, factor = _additive_errors(key, size, tail)
        scores = true[None, :] + noise_scale * (errors if ensemble else errors[:1])
        if noise_scale > 0:
            mass = mass * factor / _dot(mass, factor)
        physical["noise_scale"] = noise_scale
    if proxy_kind == "additive":
        physical["noise_scale"] = physical.get("noise_scale", 0.0)
    proxy = scores[0]
    objective = proxy
    if scores.shape[0] > 1:
        conservative = scores.mean(axis=0) - ENSEMBLE_LAMBDA * scores.std(axis=0, ddof=1)
        objective = (1.0 - oversight) * proxy + oversight * conservative
    objective_base = _dot(mass, objective)
    penalty = oversight if mitigation in ("both", "kl-penalty") else 0.0
    eta = ETA_MAX * penalty * math.sqrt(_dot(mass, (objective - objective_base) ** 2))
    physical["conservative_weight"] = oversight if ensemble else 0.0
    physical["kl_penalty"] = eta

    base_true = _dot(mass, true)
    typical = _typical_true(key, size)
    # Both optimisers work on the pool sorted by the objective; sort it once.
    order = np.argsort(objective)
    objective, mass, true, proxy = objective[order], mass[order], true[order], proxy[order]
    cumulative = np.cumsum(mass)
    clear_rank = min(int(np.searchsorted(cumulative, CLEAR_IMPROVEMENT_QUANTILE)), size - 1)
    clear = float(objective[clear_rank])
    goodharted = ((objective > clear) & (true < typical)).astype(np.float64)
    columns = np.stack([objective, true, goodharted, proxy])

    # The 64 curve budgets and the slider's own budget, in one pass.
    budgets = np.append(np.linspace(0.0, KL_MAX, CURVE_POINTS), budget)
    extra: dict[str, Array] = {}
    if method == "bon":
        ns, means, ess, errors = best_of_n(objective, mass, columns, budgets, error_row=1)
        used = budgets.copy()
    elif method == "pg":
        steps, widths, used, means, ess, errors = policy_gradient(
            _policy_statistics(x[order[::PG_REPORT_SUBSAMPLE]]),
            objective,
            mass,
            columns,
            budgets,
            error_row=1,
        )
    else:
        betas, used, means, ess, errors = kl_regularised(
            objective, mass, columns, budgets, error_row=1
        )

    # The KL penalty: each budget settles where more drift stops paying (its own path).
    curve_pick = kl_penalised_choice(used[:-1], means[:-1, 0], eta)
    below = np.flatnonzero(budgets[:-1] <= budget)
    options_now = np.append(curve_pick[below], CURVE_POINTS)
    now = int(options_now[np.argmax(means[options_now, 0] - eta * used[options_now])])
    pick = np.append(curve_pick, now)
    means, ess, used, errors = means[pick], ess[pick], used[pick], errors[pick]
    if method == "bon":
        extra["n"] = ns[pick]
        physical["n"] = round(float(ns[pick][-1]), 2)
    elif method == "pg":
        extra["step"] = steps[pick]
        extra["policy_width"] = widths[pick]
        physical["training_steps"] = round(float(steps[pick][-1]), 2)
    else:
        extra["beta"] = np.minimum(betas[pick], 1e12)
        physical["beta"] = float(min(betas[pick][-1], 1e12))
    physical["kl"] = float(used[-1])
    physical["effective_samples"] = round(float(ess[-1]), 1)

    curve_means, now_means = means[:-1], means[-1]
    failing_share = min(1.0, max(0.0, float(now_means[2])))  # clip rounding only
    fr, fr_ci = fr_per_100(failing_share * float(ess[-1]), float(ess[-1]))
    kl_curve = used[:-1]
    gain = curve_means[:, 1] - base_true
    fit: dict[str, object]
    if method == "bon":
        fit = {"form": "R(d) = d (alpha - beta d)", **fit_gao(kl_curve, gain, "bon")}
    else:
        log_form, quadratic = fit_gao(kl_curve, gain, "rl"), fit_gao(kl_curve, gain, "bon")
        fit = {
            "form": "R(d) = d (alpha - beta ln d)",
            **log_form,
            "r2_log": log_form["r2"],
            "r2_quadratic": quadratic["r2"],
            "quadratic_alpha": quadratic["alpha"],
            "quadratic_beta": quadratic["beta"],
            "better": "log" if log_form["r2"] >= quadratic["r2"] else "quadratic",
        }
    curve: dict[str, Array] = {
        "pressure": np.linspace(0.0, 1.0, CURVE_POINTS),
        "proxy": curve_means[:, 0],
        "true": curve_means[:, 1],
        "fr": 100.0 * np.clip(curve_means[:, 2], 0.0, 1.0),  # clip rounding only
        "kl": kl_curve,
        "kl_budget": budgets[:-1],
        "proxy_uncorrected": curve_means[:, 3],
        "effective_samples": ess[:-1],
        "true_se": errors[:-1],
        **{k: v[:-1] for k, v in extra.items()},
    }
    peak = int(np.argmax(curve_means[:, 1]))
    reading = _Reading(
        proxy_kind=proxy_kind,
        method=method,
        tail=tail,
        kl_now=float(used[-1]),
        kl_peak=float(kl_curve[peak]),
        true_now=float(now_means[1]),
        true_peak=float(curve_means[peak, 1]),
        true_end=float(curve_means[-1, 1]),
        kl_budget=budget,
        kl_curve_max=float(kl_curve.max()),
        objective_now=float(now_means[0]),
        objective_base=objective_base,
        objective_top=float(curve_means[:, 0].max()),
        fr=fr,
        oversight=oversight,
        eta=eta,
        correlation=weighted_correlation(proxy, true, mass),
        ess=float(ess[-1]),
        size=size,
    )
    return Measurement(
        physical=physical,
        fr=fr,
        fr_ci=fr_ci,
        fr_ci_covers=(
            "within-seed: 95% Wilson interval over the optimised policy's "
            f"{float(ess[-1]):.0f} effective outputs of the pool (Kish), with this seed's "
            "labels, reward model and pool held fixed; it does not cover other labels or "
            "another reward model (run several seeds: --seeds K)"
        ),
        proxy=float(now_means[0]),
        true=float(now_means[1]),
        curve=curve,
        loop=_loop(reading, base_true),
        explanation=_explain(reading, base_true),
        extras={
            "fit": fit,
            "base": {"true": base_true, "proxy": reading.objective_base},
            "thresholds": {"clear_improvement": clear, "typical_true": typical},
        },
    )


def _unit(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _loop(s: _Reading, base_true: float) -> list[LoopStage]:
    """One reading per agent-loop stage, each scaled to [0, 1] for the diagram."""
    optimiser = {
        "bon": "best-of-n sampler",
        "rl": "KL-regularised RL (exact optimum)",
        "pg": "policy gradient (Gaussian policy)",
    }[s.method]
    if s.proxy_kind == "learned":
        specification = "reward model fitted to preference labels"
    else:
        specification = f"true reward + {s.tail} error"
    objective_gain = s.objective_now - s.objective_base
    true_gain = s.true_now - base_true
    best_gain = max(s.true_peak - base_true, 1e-12)
    stages = {
        "intent": ("hidden true reward R*", 1.0, f"peak gain on this curve {best_gain:+.2f}"),
        "specification": (
            specification,
            _unit(s.correlation),
            f"correlation with R* on base outputs {s.correlation:.2f}",
        ),
        "optimiser": (
            optimiser,
            _unit(s.kl_now / KL_MAX),
            f"KL {s.kl_now:.2f} nats; conservative weight {s.oversight:.2f}, "
            f"KL penalty {s.eta:.2f}",
        ),
        "model": (
            "optimised policy",
            _unit(1.0 - s.ess / s.size),
            f"rests on about {s.ess:.0f} of {s.size} base outputs",
        ),
        "behaviour": ("Goodharted outputs", _unit(s.fr / 100.0), f"FR {s.fr:.1f} /100"),
        "proxy": (
            "objective (what the optimiser sees)",
            _unit(objective_gain / max(s.objective_top - s.objective_base, 1e-12)),
            f"{objective_gain:+.2f} over base",
        ),
        "true": (
            "true reward (what we meant)",
            _unit(true_gain / best_gain),
            f"{true_gain:+.2f} over base",
        ),
    }
    return [LoopStage(name, *stages[name]) for name in LOOP_STAGES]


def _explain(s: _Reading, base_true: float) -> str:
    """One or two plain sentences on what happened at this setting."""
    gain = s.true_peak - base_true
    scale = max(gain, 1e-12)
    lost = s.true_peak - s.true_now
    capped = s.eta > 0 and s.kl_curve_max < KL_MAX - 0.05
    if s.proxy_kind == "learned":
        cause = "the reward model's errors far from the data it was fitted on"
    else:
        cause = f"the outputs with the largest {s.tail} measurement errors"
    stopped = s.kl_now < s.kl_budget - 0.05
    if gain < 0.1 * TRUE_SD:
        text = (
            f"True reward hardly moves from the unoptimised level ({s.true_now - base_true:+.2f}) "
            f"while the proxy rises by {s.objective_now - s.objective_base:.2f}: the "
            f"optimisation goes almost entirely into {cause}."
        )
    elif s.true_peak - s.true_end <= 0.01 * scale:
        if capped:
            text = (
                f"The KL penalty stops the optimiser at {s.kl_curve_max:.1f} nats, before it "
                f"exploits {cause}, so true reward never falls along the curve."
            )
            stopped = False
        else:
            text = (
                f"True reward rises with the proxy over the whole curve (to {KL_MAX:.0f} "
                f"nats): at these settings the proxy is faithful enough that optimising it "
                f"harder does not hurt."
            )
    elif s.kl_now < 0.98 * s.kl_peak:
        text = (
            f"At KL {s.kl_now:.1f} nats true reward still rises with the proxy; it peaks at "
            f"{s.kl_peak:.1f} nats, and pushing further loses "
            f"{s.true_peak - s.true_end:.2f} of it by {s.kl_curve_max:.0f} nats."
        )
    elif lost <= 0.01 * scale:
        text = (
            f"At KL {s.kl_now:.1f} nats the policy sits at the true-reward peak; more "
            f"pressure would only raise the proxy while true reward falls."
        )
    else:
        back = (
            ", back to about the unoptimised level"
            if abs(s.true_now - base_true) < 0.25 * scale
            else (", below the unoptimised level" if s.true_now < base_true else "")
        )
        text = (
            f"Past KL {s.kl_peak:.1f} nats the proxy keeps rising but true reward falls "
            f"(by {lost:.2f} here{back}): the optimiser is exploiting {cause}."
        )
    if stopped and s.eta > 0:
        text += (
            f" The KL penalty stopped the optimiser at {s.kl_now:.1f} of its "
            f"{s.kl_budget:.1f}-nat budget."
        )
    if s.ess < 10:
        text += (
            f" Here the optimum rests on about {s.ess:.0f} outputs of the pool, so its "
            f"numbers are noisy (see the interval)."
        )
    return text
