"""Benchmark the offline detectors and the refusal-calibration experiment.

    PYTHONPATH=src python benchmarks/bench_detect.py [--repeats 3] [--json OUT.json]

Measures, on this machine (onnxruntime with 2 threads):
- refusal-detector throughput (answers/s, batch 64) on answers of realistic length (median
  about 130 words, a tail to 500), and harm-classifier throughput (prompts/s);
- time from `import` to the first label in a fresh Python process (the process start
  itself excluded), and the whole process wall time;
- on the development set (`alignlab.detect._dev_data`: answers in the voices of seven
  assistant families, written apart from the training generator and never trained on):
  3-way accuracy, refused-or-not accuracy, per assistant family and per answer style,
  and the confusion matrix, for the trained detector and the keyword baseline side by side;
- held-out accuracy and macro-F1 with 95% Wilson intervals, trained vs baseline, on the
  generated `test` split (unseen topics *and* unseen styles), the prompt `test` split
  (unseen templates, actions and frames) and the hand-written prompt dev set
  (`alignlab.detect._prompt_dev_data`), with the share of safe prompts flagged;
- one `refusal-calibration` run (median ms).
Every figure is a median over `--repeats` runs. The machine is shared; say so when quoting.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import alignlab
from alignlab.detect import HARM_LABELS, REFUSAL_LABELS, harm_classifier, refusal_detector
from alignlab.detect._data import load_prompts, load_responses
from alignlab.detect._dev_data import dev_answers
from alignlab.detect._metrics import agreement
from alignlab.detect._prompt_dev_data import DEV_PROMPTS

SRC = Path(__file__).resolve().parents[1] / "src"
FIRST_LABEL = """
import time
t0 = time.perf_counter()
from alignlab.detect import refusal_detector
label = refusal_detector().detect(["q"], ["I can't help with that."])[0].label
print(time.perf_counter() - t0, label)
"""
FIRST_HARM_LABEL = """
import time
t0 = time.perf_counter()
from alignlab.detect import harm_classifier
label = harm_classifier().detect(["How do I kill a zombie process?"])[0].label
print(time.perf_counter() - t0, label)
"""


def realistic_answers(n: int = 1024, seed: int = 0) -> tuple[list[str], list[str]]:
    """Prompts and answers whose lengths follow real chat answers: median ~130 words, tail 500.

    Each answer is a generated answer, extended with further answers to the same prompt
    until it reaches a length drawn from a log-normal (median 130 words, capped at 500).
    """
    import numpy as np

    rows = load_responses()
    by_prompt: dict[str, list[str]] = {}
    for r in rows:
        by_prompt.setdefault(r.prompt, []).append(r.response)
    keys = sorted(by_prompt)
    rng = np.random.default_rng(seed)
    prompts, answers = [], []
    for _ in range(n):
        prompt = keys[int(rng.integers(len(keys)))]
        target = min(500, int(rng.lognormal(np.log(130), 0.55)))
        pool = by_prompt[prompt]
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < target:
            parts.append(pool[int(rng.integers(len(pool)))])
        words = "\n\n".join(parts).split(" ")
        prompts.append(prompt)
        answers.append(" ".join(words[:target]))
    return prompts, answers


def throughput(repeats: int) -> dict[str, float]:
    prompts_r, responses = realistic_answers()
    prompts = [p.prompt for p in load_prompts()]
    refusal, harm = refusal_detector("trained"), harm_classifier("trained")
    refusal.detect(["warm-up"], ["warm-up"])
    out: dict[str, list[float]] = {
        "refusal_per_s": [],
        "refusal_per_cpu2_s": [],
        "harm_per_s": [],
        "keyword_per_s": [],
    }
    keyword = refusal_detector("keyword")
    for _ in range(repeats):
        t, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(responses), 64):
            refusal.detect(prompts_r[start : start + 64], responses[start : start + 64])
        out["refusal_per_s"].append(len(responses) / (time.perf_counter() - t))
        # CPU seconds spent, spread over the 2 threads: the rate 2 free cores would give.
        out["refusal_per_cpu2_s"].append(2 * len(responses) / (time.process_time() - cpu))
        t = time.perf_counter()
        for start in range(0, len(prompts), 64):
            harm.detect(prompts[start : start + 64])
        out["harm_per_s"].append(len(prompts) / (time.perf_counter() - t))
        t = time.perf_counter()
        keyword.detect([""] * len(responses), responses)
        out["keyword_per_s"].append(len(responses) / (time.perf_counter() - t))
    words = statistics.median(len(r.split()) for r in responses)
    longest = max(len(r.split()) for r in responses)
    return {
        **{k: statistics.median(v) for k, v in out.items()},
        "median_words": words,
        "max_words": longest,
    }


def first_label(repeats: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    in_process, wall, harm = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", FIRST_LABEL],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall.append(time.perf_counter() - t)
        in_process.append(float(done.stdout.split()[0]))
        done = subprocess.run(
            [sys.executable, "-c", FIRST_HARM_LABEL],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        harm.append(float(done.stdout.split()[0]))
    return {
        "import_to_label_s": statistics.median(in_process),
        "process_s": statistics.median(wall),
        "import_to_harm_label_s": statistics.median(harm),
    }


def _refused(label: str) -> bool:
    return label != "full_compliance"


def dev_figures() -> dict[str, Any]:
    """Trained vs keyword on the dev set: overall, per family, per style, confusion."""
    answers = dev_answers()
    truth = [a.label for a in answers]
    out: dict[str, Any] = {"n": len(answers)}
    for kind in ("keyword", "trained"):
        pred = [
            d.label
            for d in refusal_detector(kind).detect(
                [a.prompt for a in answers], [a.response for a in answers]
            )
        ]
        fig = agreement(truth, pred, REFUSAL_LABELS).to_dict()
        fig["refused_or_not"] = statistics.mean(
            _refused(t) == _refused(p) for t, p in zip(truth, pred, strict=True)
        )
        for group in ("family", "style"):
            table: dict[str, dict[str, float]] = {}
            for key in sorted({getattr(a, group) for a in answers}):
                idx = [i for i, a in enumerate(answers) if getattr(a, group) == key]
                table[key] = {
                    "n": len(idx),
                    "accuracy": statistics.mean(pred[i] == truth[i] for i in idx),
                    "refused_or_not": statistics.mean(
                        _refused(pred[i]) == _refused(truth[i]) for i in idx
                    ),
                }
            fig[f"by_{group}"] = table
        out[kind] = fig
    return out


def ece(confidence: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error: the bin-weighted gap between confidence and accuracy."""
    total, n = 0.0, len(confidence)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidence) if lo < c <= hi or (b == 0 and c == 0)]
        if idx:
            gap = statistics.mean(confidence[i] for i in idx) - statistics.mean(
                correct[i] for i in idx
            )
            total += len(idx) / n * abs(gap)
    return total


def accuracy() -> dict[str, Any]:
    responses, prompts = load_responses("test"), load_prompts("test")
    out: dict[str, Any] = {}
    for kind in ("keyword", "trained"):
        dets = refusal_detector(kind).detect(
            [r.prompt for r in responses], [r.response for r in responses]
        )
        out[f"refusal_{kind}"] = agreement(
            [r.label for r in responses], [d.label for d in dets], REFUSAL_LABELS
        ).to_dict()
        out[f"refusal_{kind}"]["ece"] = ece(
            [d.score for d in dets],
            [d.label == r.label for d, r in zip(dets, responses, strict=True)],
        )
        hdets = harm_classifier(kind).detect([p.prompt for p in prompts])
        out[f"harm_{kind}"] = agreement(
            [p.label for p in prompts], [d.label for d in hdets], HARM_LABELS
        ).to_dict()
        out[f"harm_{kind}"]["ece"] = ece(
            [d.score for d in hdets],
            [d.label == p.label for d, p in zip(hdets, prompts, strict=True)],
        )
        ddets = harm_classifier(kind).detect([prompt for _, _, prompt in DEV_PROMPTS])
        out[f"harm-dev_{kind}"] = agreement(
            [label for label, _, _ in DEV_PROMPTS], [d.label for d in ddets], HARM_LABELS
        ).to_dict()
        out[f"harm-dev_{kind}"]["ece"] = ece(
            [d.score for d in ddets],
            [d.label == row[0] for d, row in zip(ddets, DEV_PROMPTS, strict=True)],
        )
    return out


def experiment(repeats: int) -> dict[str, float]:
    times = []
    for i in range(max(repeats, 20)):
        t = time.perf_counter()
        alignlab.run("refusal-calibration", pressure=0.7, seed=i)
        times.append(time.perf_counter() - t)
    data = alignlab.run("refusal-calibration").to_dict()
    return {
        "run_ms": 1000 * statistics.median(times),
        "fr": data["fr"],
        "fr_lo": data["fr_ci"][0],
        "fr_hi": data["fr_ci"][1],
    }


def tax_plot(path: Path) -> None:
    """Plot FR, over-refusal and unsafe compliance against guardrail strictness."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, pressure in zip(axes, (0.0, 0.6), strict=True):
        for fidelity, name, colour in ((0.0, "keyword", "tab:grey"), (1.0, "trained", "tab:blue")):
            data = alignlab.run("refusal-calibration", pressure=pressure, fidelity=fidelity)
            tax = data.to_dict()["tax"]
            x = tax["strictness"]
            ax.plot(x, tax["fr"], color=colour, lw=2, label=f"FR /100, {name}")
            over = [100 * (1 - h) for h in tax["helpfulness"]]
            unsafe = [100 * (1 - h) for h in tax["harm_prevented"]]
            ax.plot(x, over, color=colour, ls="--", label=f"safe prompts refused %, {name}")
            ax.plot(x, unsafe, color=colour, ls=":", label=f"unsafe prompts answered %, {name}")
        words = "no rewording" if pressure == 0 else "attacker tries 3 rewordings"
        ax.set_title(f"pressure {pressure:.1f} ({words})")
        ax.set_xlabel("guardrail strictness (threshold = 1 - strictness)")
    axes[0].set_ylabel("per 100")
    axes[0].legend(fontsize=7, loc="upper center")
    fig.suptitle("refusal-calibration: the alignment tax (held-out prompt suite)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(fig: dict[str, Any]) -> str:
    lo, hi = fig["accuracy_ci"]
    text = (
        f"{100 * fig['accuracy']:.1f}% ({100 * lo:.1f}-{100 * hi:.1f}) | {fig['macro_f1']:.3f} "
        f"| {fig['correct']}/{fig['n']} | ECE {fig['ece']:.3f}"
    )
    if len(fig["confusion"]) == 2:  # harm: the share of safe prompts flagged unsafe
        safe = fig["confusion"][0]
        text += f" | safe flagged {safe[1]}/{sum(safe)} ({100 * safe[1] / sum(safe):.1f}%)"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--tax-plot", type=Path, help="write the alignment-tax plot here")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = {
        "cpus": os.cpu_count(),
        "load_1min": load,
        "throughput": throughput(args.repeats),
        "first_label": first_label(args.repeats),
        "dev": dev_figures(),
        "accuracy": accuracy(),
        "experiment": experiment(args.repeats),
    }
    tp, fl, acc, ex = (results[k] for k in ("throughput", "first_label", "accuracy", "experiment"))
    after = os.getloadavg()[0]
    print(
        f"machine: {results['cpus']} CPUs, 1-min load average {load:.1f} at start, "
        f"{after:.1f} at end (shared)"
    )
    print(
        f"refusal detector: {tp['refusal_per_s']:.0f} answers/s wall clock, "
        f"{tp['refusal_per_cpu2_s']:.0f}/s per 2 cores of CPU time (batch 64, 2 threads, "
        f"median {tp['median_words']:.0f} words, longest {tp['max_words']}); "
        f"keyword baseline {tp['keyword_per_s']:.0f}/s"
    )
    print(f"harm classifier: {tp['harm_per_s']:.0f} prompts/s")
    print(
        f"import to first label: {fl['import_to_label_s']:.2f} s "
        f"(whole fresh process {fl['process_s']:.2f} s); harm classifier "
        f"{fl['import_to_harm_label_s']:.2f} s (loads the ONNX encoder)"
    )
    print(
        f"refusal-calibration run: {ex['run_ms']:.2f} ms median; default FR "
        f"{ex['fr']:.1f}/100 ({ex['fr_lo']:.1f}-{ex['fr_hi']:.1f})"
    )
    dev = results["dev"]
    kw, tr = dev["keyword"], dev["trained"]
    print()
    print(f"dev set ({dev['n']} answers, 7 assistant families; never trained on)")
    print("| | trained 3-way | keyword 3-way | trained refused-or-not | keyword refused-or-not |")
    print("|---|---|---|---|---|")
    print(
        f"| all | {tr['accuracy']:.3f} | {kw['accuracy']:.3f} | {tr['refused_or_not']:.3f} "
        f"| {kw['refused_or_not']:.3f} |"
    )
    for group in ("family", "style"):
        for key, row in tr[f"by_{group}"].items():
            k = kw[f"by_{group}"][key]
            print(
                f"| {group} {key} (n={row['n']}) | {row['accuracy']:.3f} | {k['accuracy']:.3f} "
                f"| {row['refused_or_not']:.3f} | {k['refused_or_not']:.3f} |"
            )
    for kind, fig in (("trained", tr), ("keyword", kw)):
        print(
            f"\nconfusion ({kind}; rows reference, columns predicted: {', '.join(REFUSAL_LABELS)})"
        )
        for label, row in zip(REFUSAL_LABELS, fig["confusion"], strict=True):
            print(f"  {label:16s} " + " ".join(f"{c:5d}" for c in row))
    print()
    print("| held-out split | detector | accuracy (95% CI) | macro-F1 | correct |")
    print("|---|---|---|---|---|")
    for task in ("refusal", "harm", "harm-dev"):
        for kind, name in (("keyword", "string match"), ("trained", "trained")):
            print(f"| {task} | {name} | {_pct(acc[f'{task}_{kind}'])} |")
    if args.tax_plot:
        tax_plot(args.tax_plot)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
