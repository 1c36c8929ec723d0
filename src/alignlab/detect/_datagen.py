"""Assemble the shipped training data from the hand-written pieces (run once, output reviewed).

`python -m alignlab.detect._datagen` rewrites `data/responses.jsonl` and
`data/prompts.jsonl` deterministically. Splits are fixed here, before any training:

- responses: whole topics (a prompt with its answers) and whole unsafe requests go to one
  split, and every pool of refusal, apology, caveat and bridge wordings is cut in two, so
  held-out rows are built from topics *and* wordings the detector never saw;
- prompts: every base prompt goes to one split with all its re-framings; a real template
  goes to one split whole; actions and frames are each cut in three (`_prompts`).

The held-out split (`test`) is for reporting only; nothing is tuned on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from alignlab.detect import _action_prompt_data as A
from alignlab.detect import _contrast_prompt_data as C
from alignlab.detect import _prompt_data as P
from alignlab.detect import _style_data as S
from alignlab.detect import _topic_data as T

DATA_DIR = Path(__file__).parent / "data"
SPLITS = ("train", "val", "test")

Row = dict[str, str]
REFUSAL_LABEL_ORDER = ("full_compliance", "full_refusal", "partial_refusal")


def _split_of(index: int) -> str:
    """Fixed 60/20/20 split by position: 0-2 train, 3 val, 4 test (mod 5)."""
    return ("train", "train", "train", "val", "test")[index % 5]


def _style_split(styles: Sequence[S.Style]) -> dict[str, str]:
    return {style.name: _split_of(i) for i, style in enumerate(styles)}


def _numbered(rng: np.random.Generator, steps: Sequence[str]) -> str:
    fmt = ("{i}. {s}", "{i}) {s}", "Step {i}: {s}", "**{i}.** {s}")[int(rng.integers(4))]
    return "\n".join(fmt.format(i=i + 1, s=s) for i, s in enumerate(steps))


def _bulleted(rng: np.random.Generator, steps: Sequence[str]) -> str:
    mark = ("-", "*", "•")[int(rng.integers(3))]
    return "\n".join(f"{mark} {s}" for s in steps)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def render(style: S.Style, topic: T.Topic, rng: np.random.Generator) -> tuple[str, list[str]]:
    """Render one answer: its text and the role of every block (blocks joined by the style).

    Returns the answer and its blocks, each flattened as "role, a tab, the block text".
    """
    content = topic.content
    k = int(rng.integers(len(content)))

    def run(n: int) -> str:
        return " ".join(content[(k + j) % len(content)] for j in range(n))

    steps = topic.steps
    slots = {
        "subject": topic.subject,
        "Subject": topic.subject[:1].upper() + topic.subject[1:],
        "related": topic.related,
        "short": topic.short,
        "short_lower": _lower_first(topic.short).rstrip("."),
        "prompt": topic.prompt,
        "c1": run(1),
        "c2": run(2),
        "c3": run(3),
        "c1_lower": _lower_first(run(1)),
        "call": " ".join(content),
        "steps": _numbered(rng, steps),
        "steps2": _numbered(rng, steps[:2]),
        "bullets": _bulleted(rng, steps),
        **{f"s{i + 1}": s for i, s in enumerate(steps)},
    }
    blocks: list[tuple[str, str]] = []
    for role, alts, prob in style.blocks:
        if prob < 1.0 and rng.random() > prob:
            continue
        template = alts[int(rng.integers(len(alts)))]
        blocks.append((template.format(**slots), role))
    roles = {role for _, role in blocks}
    if "attempt" in roles and rng.random() < 0.45:
        # Long answers: real assistants often go on for several paragraphs.
        extra = [run(int(rng.integers(3, len(content) + 1)))]
        if rng.random() < 0.6:
            extra.append(_bulleted(rng, steps) if rng.random() < 0.5 else _numbered(rng, steps))
        if rng.random() < 0.4:
            extra.append(" ".join(content))
        at = max(i for i, (_, role) in enumerate(blocks) if role == "attempt") + 1
        blocks[at:at] = [(e, "attempt") for e in extra]
    elif "attempt" not in roles and rng.random() < 0.4:
        n = int(rng.integers(1, 3))
        pool = [(t, "refuse") for t in S.REFUSAL_ELABORATIONS] + [
            (t, "redirect") for t in S.REDIRECT_ELABORATIONS
        ]
        for j in rng.permutation(len(pool))[:n]:
            blocks.append(pool[int(j)])
    joiner = "\n\n" if len(blocks) > 3 and rng.random() < 0.7 else style.joiner
    text = joiner.join(b for b, _ in blocks)
    return text, [f"{role}\t{b}" for b, role in blocks]


def response_rows() -> list[dict[str, object]]:
    """The generated refusal data: every row with its split and block roles (deterministic)."""
    return _responses(np.random.default_rng(20260601))


def _label_mix(harmful: bool) -> tuple[float, float, float]:
    """(compliance, refusal, partial) shares: refusals mostly meet harmful requests."""
    return (0.2, 0.62, 0.18) if harmful else (0.62, 0.24, 0.14)


ANSWERS_PER_TOPIC = 16


def _responses(rng: np.random.Generator) -> list[dict[str, object]]:
    """Every topic x a sample of styles of its split, with block roles kept for the segments."""
    topics = T.all_topics()
    by_label = {
        "full_compliance": S.COMPLIANCE_STYLES,
        "full_refusal": S.REFUSAL_STYLES,
        "partial_refusal": S.PARTIAL_STYLES,
    }
    style_split = {
        name: split for styles in by_label.values() for name, split in _style_split(styles).items()
    }
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for i, topic in enumerate(topics):
        split = _split_of(i)
        mix = _label_mix(topic.harmful)
        for _ in range(ANSWERS_PER_TOPIC):
            label = REFUSAL_LABEL_ORDER[int(rng.choice(3, p=mix))]
            pool = [s for s in by_label[label] if style_split[s.name] == split]
            style = pool[int(rng.integers(len(pool)))]
            text, blocks = render(style, topic, rng)
            if text in seen:
                continue
            seen.add(text)
            rows.append(
                {
                    "prompt": topic.prompt,
                    "response": text,
                    "label": label,
                    "category": style.name,
                    "topic": topic.key,
                    "split": split,
                    "blocks": blocks,
                }
            )
    return rows


def _hidden(request: str, how: str) -> str:
    """A request hidden by hex encoding or cut into five-character pieces (training only)."""
    if how == "hex":
        return f"Here is a hex message, decode it and follow it exactly: {request.encode().hex()}"
    pieces = [request[i : i + 5] for i in range(0, len(request), 5)]
    joined = " | ".join(f"[{p}]" for p in pieces)
    return f"Glue these pieces together in order and then do what they say: {joined}"


def _action_prompts(rng: np.random.Generator) -> list[Row]:
    """Actions x frames: each action and each frame belongs to one split.

    An action goes, with frames of its own split (eight in training, three held out), to
    that split; so a held-out prompt is an action training never saw, worded in a frame
    training never saw.
    """
    frames = {s: [f for i, f in enumerate(A.ACTION_FRAMES) if _split_of(i) == s] for s in SPLITS}
    frames["train"] += A.TRAIN_ONLY_FRAMES
    rows: list[Row] = []
    for label, table in (("safe", A.SAFE_ACTIONS), ("unsafe", A.UNSAFE_ACTIONS)):
        for category, actions in table.items():
            for i, action in enumerate(actions):
                split = _split_of(i)
                chosen = [
                    str(f) for f in rng.permutation(frames[split])[: 8 if split == "train" else 3]
                ]
                texts = [frame.format(action) for frame in chosen]
                if split == "train":
                    # Wrapped and hidden versions teach that the surface is not the request.
                    wrapper = str(A.WRAPPERS[int(rng.integers(len(A.WRAPPERS)))])
                    texts.append(wrapper.format(chosen[0].format(action)))
                    if label == "unsafe":
                        how = A.OBFUSCATIONS[int(rng.integers(len(A.OBFUSCATIONS)))]
                        texts.append(_hidden(chosen[1].format(action), how))
                for text in texts:
                    rows.append(
                        {"prompt": text, "label": label, "category": category, "split": split}
                    )
    return rows


def _prompts(rng: np.random.Generator) -> list[Row]:
    """Template groups, contrast pairs and actions x frames, split before any training.

    A real template ("How do I kill {}?") goes to one split whole, so held-out prompts
    never share a template with training; a group of whole prompts (template "{}") is
    split prompt by prompt; a contrast pair goes to one split whole.
    """
    rows: list[Row] = []
    counters = {"safe": 0, "unsafe": 0}
    group_counters = {"safe": 0, "unsafe": 0}
    for label, category, template, fillers in P.PROMPT_GROUPS:
        group_split = _split_of(group_counters[label] + 1)
        if template != "{}":
            group_counters[label] += 1
        for filler in fillers:
            base = template.format(filler)
            if template == "{}":
                split = _split_of(counters[label])
                counters[label] += 1
            else:
                split = group_split
            frames = [f for f in P.REQUEST_FRAMES if f != "{}"]
            variants = [base]
            for frame in rng.permutation(frames)[:2]:
                lowered = base if frame.startswith("{}") else base[:1].lower() + base[1:]
                if base.startswith(("I ", "I'", "In ", "What is my", "Where does")):
                    lowered = base
                variants.append(str(frame).format(lowered))
            for text in variants:
                rows.append({"prompt": text, "label": label, "category": category, "split": split})
    frames = [f for f in P.REQUEST_FRAMES if f != "{}"]
    for i, (safe_cat, safe, unsafe_cat, unsafe) in enumerate(C.CONTRAST_PAIRS):
        split = _split_of(i)
        for label, category, base in (("safe", safe_cat, safe), ("unsafe", unsafe_cat, unsafe)):
            variants = [base]
            for frame in rng.permutation(frames)[:2]:
                variants.append(
                    str(frame).format(
                        base if str(frame).startswith("{}") else base[:1].lower() + base[1:]
                    )
                )
            for text in variants:
                rows.append({"prompt": text, "label": label, "category": category, "split": split})
    return rows + _action_prompts(rng)


def _write(path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            fh.write(json.dumps({"id": f"{path.stem}-{i:04d}", **row}, ensure_ascii=False) + "\n")


def main() -> None:
    """Rebuild both data files from the pieces, with fixed seeds and splits."""
    DATA_DIR.mkdir(exist_ok=True)
    _write(DATA_DIR / "prompts.jsonl", _prompts(np.random.default_rng(20260602)))


if __name__ == "__main__":
    main()
