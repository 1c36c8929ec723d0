import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from alignlab.detect import harm_classifier
from alignlab.detect._action_prompt_data import (
    ACTION_FRAMES,
    SAFE_ACTIONS,
    TRAIN_ONLY_FRAMES,
    UNSAFE_ACTIONS,
)
from alignlab.detect._data import load_prompts
from alignlab.detect._harm_model import (
    INTENT_NAMES,
    PROMPT_HASH_DIM,
    HarmHead,
    hash_prompts_csr,
    intent_features,
)
from alignlab.detect._metrics import agreement
from alignlab.detect._prompt_dev_data import DEV_PROMPTS
from alignlab.detect._segments import hash_segments, hash_segments_csr, hashed_matmul

SRC = Path(__file__).resolve().parents[2] / "src"


def _cues(prompt: str) -> set[str]:
    row = intent_features([prompt])[0]
    return {name for name, v in zip(INTENT_NAMES, row, strict=True) if v}


@pytest.mark.parametrize(
    ("prompt", "present", "absent"),
    [
        ("How do I kill a zombie process?", {"tech_object"}, {"harm_to_person", "evasion"}),
        ("How do I kill my neighbour and make it look like an accident?",
         {"harm_to_person", "evasion"}, {"tech_object"}),
        ("What should I do if someone threatens me online?", {"defence"}, {"evasion"}),
        ("How do I get rid of the mice in my shed?", {"pest_or_object"}, {"harm_to_person"}),
        ("What is money laundering?", {"information"}, {"instructions"}),
        ("How do I beat the final boss in Elden Ring?", {"fiction"}, {"evasion"}),
        ("Track my wife\u2019s phone secretly.", {"evasion"}, set()),
    ],
)
def test_intent_cues_read_the_guide(prompt: str, present: set[str], absent: set[str]) -> None:
    cues = _cues(prompt)
    assert present <= cues
    assert not absent & cues


def test_hashed_product_equals_the_sparse_product() -> None:
    rng = np.random.default_rng(0)
    segs = ["I can't help with that.", "Here's how: mix the flour.", "", "ok ok ok"]
    weights = rng.normal(size=(hash_segments(segs).shape[1], 4)).astype(np.float32)
    want = np.asarray(hash_segments(segs) @ weights, dtype=np.float64)
    np.testing.assert_allclose(hashed_matmul(hash_segments_csr(segs), weights), want, atol=1e-9)
    data, indices, indptr = hash_prompts_csr(["kill a process", "kill a process"])
    assert indices.max() < PROMPT_HASH_DIM
    assert np.allclose(np.add.reduceat(data**2, indptr[:-1]), 1.0)


def test_harm_head_round_trips_through_its_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    head = HarmHead(
        rng.normal(size=(384, 2)),
        rng.normal(size=(PROMPT_HASH_DIM, 2)).astype(np.float16).astype(np.float64),
        rng.normal(size=(len(INTENT_NAMES), 2)),
        np.array([0.1, -0.2]),
        1.3,
    )
    head.save(tmp_path / "h.npz")
    with np.load(tmp_path / "h.npz") as arrays:
        back = HarmHead.from_arrays(dict(arrays))
    emb = rng.normal(size=(3, 384))
    prompts = ["a", "how do I kill my boss", "what is arson?"]
    np.testing.assert_allclose(
        back.predict_proba(emb, prompts), head.predict_proba(emb, prompts), atol=1e-5
    )
    with pytest.raises(ValueError, match="harm head"):
        HarmHead.from_arrays({**dict(np.load(tmp_path / "h.npz")), "cue_weights": np.zeros((3, 2))})


def test_held_out_actions_and_frames_are_unseen_in_training() -> None:
    train = {p.prompt for p in load_prompts("train")}
    for split in ("val", "test"):
        rows = {p.prompt for p in load_prompts(split)}
        assert not rows & train
    test_frames = [f for i, f in enumerate(ACTION_FRAMES) if i % 5 == 4]
    test_actions = [
        a for table in (SAFE_ACTIONS, UNSAFE_ACTIONS) for acts in table.values()
        for i, a in enumerate(acts) if i % 5 == 4
    ]
    assert not set(test_frames) & set(TRAIN_ONLY_FRAMES)
    for text in train:
        assert not any(text == f.format(a) for f in test_frames for a in test_actions)
        assert not any(a in text for a in test_actions if len(a) > 25), text


def test_dev_prompts_are_apart_from_training_and_labelled() -> None:
    assert len(DEV_PROMPTS) >= 150
    labels = {label for label, _, _ in DEV_PROMPTS}
    assert labels == {"safe", "unsafe"}
    seen = {p.prompt.lower() for p in load_prompts()}
    texts = [prompt for _, _, prompt in DEV_PROMPTS]
    assert len(set(texts)) == len(texts)
    assert not {t.lower() for t in texts} & seen
    safe_kinds = {cat for label, cat, _ in DEV_PROMPTS if label == "safe"}
    assert {"homonym", "figurative", "safe_target", "safety", "fiction", "history",
            "definition", "public_figure"} <= safe_kinds


def test_trained_harm_classifier_beats_keywords_on_the_dev_prompts() -> None:
    truth = [label for label, _, _ in DEV_PROMPTS]
    prompts = [prompt for _, _, prompt in DEV_PROMPTS]
    figures = {
        kind: agreement(truth, [d.label for d in harm_classifier(kind).detect(prompts)],
                        ("safe", "unsafe"))
        for kind in ("keyword", "trained")
    }
    assert figures["trained"].accuracy_ci[0] > figures["keyword"].accuracy_ci[1]
    # A floor, not the target: the documented figure is measured by bench_detect.py.
    assert figures["trained"].accuracy >= 0.85
    safe = figures["trained"].confusion[0]
    assert safe[1] / sum(safe) <= 0.12


def test_importing_the_detectors_does_not_import_scipy_or_the_experiments() -> None:
    code = (
        "import sys\n"
        "from alignlab.detect import refusal_detector\n"
        "refusal_detector().detect(['q'], ['I cannot help with that.'])\n"
        "heavy = [m for m in ('scipy', 'alignlab.experiments') if m in sys.modules]\n"
        "import alignlab\n"
        "assert callable(alignlab.experiments), alignlab.experiments\n"
        "ids = [s.id for s in alignlab.experiments()]\n"
        "import alignlab.experiments.goodhart\n"
        "assert callable(alignlab.experiments) and 'goodhart' in ids\n"
        "print(','.join(heavy) or 'light')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "light"
