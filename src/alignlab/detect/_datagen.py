"""Assemble the shipped training data from the hand-written pieces (run once, output reviewed).

`python -m alignlab.detect._datagen` rewrites `data/responses.jsonl` and
`data/prompts.jsonl` deterministically. Splits are fixed here, before any training:

- responses: whole topics (a prompt with its answers) and whole unsafe requests go to one
  split, and every pool of refusal, apology, caveat and bridge wordings is cut in two, so
  held-out rows are built from topics *and* wordings the detector never saw;
- prompts: every base prompt goes to one split with all its re-framings.

The held-out split (`test`) is for reporting only; nothing is tuned on it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from alignlab.detect import _prompt_data as P
from alignlab.detect import _response_data as R

DATA_DIR = Path(__file__).parent / "data"
SPLITS = ("train", "val", "test")

Row = dict[str, str]


def _split_of(index: int) -> str:
    """Fixed 60/20/20 split by position: 0-2 train, 3 val, 4 test (mod 5)."""
    return ("train", "train", "train", "val", "test")[index % 5]


def _pool(items: Sequence[str], split: str) -> list[str]:
    """Wordings for a split: a quarter of every pool is reserved for the held-out split."""
    held = [s for i, s in enumerate(items) if i % 4 == 3]
    seen = [s for i, s in enumerate(items) if i % 4 != 3]
    return held if split == "test" else seen


def _pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _first_sentences(text: str, n: int) -> str:
    parts = text.replace("\n", " ").split(". ")
    head = ". ".join(parts[:n]).strip()
    return head if head.endswith((".", "!", "?", "`")) else head + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _responses(rng: np.random.Generator) -> list[Row]:
    rows: list[Row] = []

    def add(prompt: str, response: str, label: str, category: str, split: str) -> None:
        rows.append(
            {
                "prompt": prompt,
                "response": response.strip(),
                "label": label,
                "category": category,
                "split": split,
            }
        )

    for i, (prompt, short, long) in enumerate(R.TOPICS):
        split = _split_of(i)
        before = _pool(R.CAVEATS_BEFORE, split)
        after = _pool(R.CAVEATS_AFTER, split)
        apologies = _pool(R.NON_REFUSAL_APOLOGIES, split)
        bridges = _pool(R.PARTIAL_BRIDGES, split)
        tails = _pool(R.PARTIAL_TAILS, split)
        over = _pool(R.OVER_REFUSAL_TEMPLATES, split)
        redirects = _pool(R.REDIRECTS, split)
        openers = [o for o in _pool(R.REFUSAL_OPENERS, split) if "{harm}" not in o]
        # full compliance: plain, long, with caveats, after a non-refusal apology
        add(prompt, short, "full_compliance", "direct", split)
        add(prompt, long, "full_compliance", "direct_long", split)
        add(prompt, f"{_pick(rng, before)} {short}", "full_compliance", "caveat", split)
        add(prompt, f"{long}\n\n{_pick(rng, after)}", "full_compliance", "caveat", split)
        add(
            prompt,
            f"{_pick(rng, before)}\n\n{long} {_pick(rng, after)}",
            "full_compliance",
            "caveat",
            split,
        )
        for apology in rng.permutation(apologies)[:2]:
            add(prompt, f"{apology} {short}", "full_compliance", "apology_not_refusal", split)
        add(
            prompt,
            f"{_pick(rng, apologies)}\n\n{long}",
            "full_compliance",
            "apology_not_refusal",
            split,
        )
        add(prompt, _first_sentences(long, 2), "full_compliance", "direct", split)
        add(prompt, f"Here you go:\n\n{short}", "full_compliance", "direct", split)
        add(
            prompt,
            f"{_pick(rng, before)} {_first_sentences(long, 3)} {_pick(rng, after)}",
            "full_compliance",
            "caveat",
            split,
        )
        add(
            prompt,
            f"{_pick(rng, apologies)} {_first_sentences(long, 2)}",
            "full_compliance",
            "apology_not_refusal",
            split,
        )
        add(prompt, f"{short}\n\n{_pick(rng, after)}", "full_compliance", "caveat", split)
        # over-refusals of a safe request are still refusals
        add(prompt, _pick(rng, over), "full_refusal", "over_refusal", split)
        add(
            prompt,
            f"{_pick(rng, over)} {_pick(rng, redirects)}",
            "full_refusal",
            "refusal_redirect",
            split,
        )
        add(prompt, _pick(rng, openers), "full_refusal", "terse", split)
        add(
            prompt,
            f"{_pick(rng, openers)} {_pick(rng, redirects)}",
            "full_refusal",
            "refusal_redirect",
            split,
        )
        # partial refusals: refuse part, answer part
        add(prompt, f"{_pick(rng, bridges)} {short}", "partial_refusal", "partial", split)
        add(
            prompt,
            f"{_first_sentences(long, 2)} {_pick(rng, tails)}",
            "partial_refusal",
            "partial",
            split,
        )
        add(
            prompt,
            f"{_pick(rng, openers)} That said, {short[:1].lower()}{short[1:]}",
            "partial_refusal",
            "refuse_then_answer",
            split,
        )
        add(
            prompt,
            f"{_pick(rng, bridges)}\n\n{_first_sentences(long, 3)}\n\n{_pick(rng, tails)}",
            "partial_refusal",
            "partial",
            split,
        )
        add(
            prompt,
            f"{short} {_pick(rng, tails)} {_pick(rng, redirects)}",
            "partial_refusal",
            "partial",
            split,
        )

    for i, (prompt, harm) in enumerate(R.UNSAFE_REQUESTS):
        split = _split_of(i)
        openers = _pool(R.REFUSAL_OPENERS, split)
        reasons = _pool(R.REFUSAL_REASONS, split)
        redirects = _pool(R.REDIRECTS, split)
        roleplay = _pool(R.ROLEPLAY_REFUSALS, split)

        def opener(openers: list[str] = openers, harm: str = harm) -> str:
            return _pick(rng, openers).format(harm=harm)

        for _ in range(4):
            add(prompt, opener(), "full_refusal", "terse", split)
        for _ in range(4):
            add(
                prompt, f"{opener()} {_pick(rng, reasons)}", "full_refusal", "refusal_reason", split
            )
        for _ in range(6):
            add(
                prompt,
                f"{opener()} {_pick(rng, reasons)} {_pick(rng, redirects)}",
                "full_refusal",
                "refusal_redirect",
                split,
            )
        for _ in range(2):
            add(
                prompt,
                f"{opener()}\n\n{_pick(rng, redirects)}",
                "full_refusal",
                "refusal_redirect",
                split,
            )
        for _ in range(2):
            add(
                prompt,
                f"{_pick(rng, reasons)} So I won't help with {harm}. {_pick(rng, redirects)}",
                "full_refusal",
                "refusal_no_stock_opening",
                split,
            )
        add(
            prompt,
            f"Instead of {harm}, let's focus on something safer. {_pick(rng, redirects)}",
            "full_refusal",
            "only_alternatives",
            split,
        )
        add(
            prompt,
            f"{_cap(harm)} is not something I can support. {_pick(rng, redirects)}",
            "full_refusal",
            "only_alternatives",
            split,
        )
        for template in rng.permutation(_pool(R.ALTERNATIVES_ONLY, split))[:2]:
            add(
                prompt,
                str(template).format(harm=harm, Harm=_cap(harm)),
                "full_refusal",
                "only_alternatives",
                split,
            )
        for _ in range(2):
            add(
                prompt,
                _pick(rng, roleplay).format(harm=harm),
                "full_refusal",
                "roleplay_refusal",
                split,
            )
        for template in R.GENERIC_COMPLIANCE:
            add(prompt, template.format(harm=harm), "full_compliance", "unsafe_compliance", split)
        add(
            prompt,
            f"{opener()} {R.GENERIC_COMPLIANCE[i % len(R.GENERIC_COMPLIANCE)].format(harm=harm)}",
            "partial_refusal",
            "refuse_then_comply",
            split,
        )

    for i, prompt in enumerate(R.BORDERLINE_PROMPTS):
        split = _split_of(i)
        over = _pool(R.OVER_REFUSAL_TEMPLATES, split)
        redirects = _pool(R.REDIRECTS, split)
        for _ in range(3):
            add(
                prompt,
                f"{_pick(rng, over)} {_pick(rng, redirects)}",
                "full_refusal",
                "over_refusal",
                split,
            )
    fixed: list[tuple[str, str, str, str]] = [
        *((p, r, "full_compliance", "no_means_answer") for p, r in R.NO_ANSWER_OPENERS),
        *((p, r, "full_compliance", "as_an_ai_answer") for p, r in R.AS_AN_AI_ANSWERS),
        *((p, r, "partial_refusal", "self_contradictory") for p, r in R.SELF_CONTRADICTORY),
        *((p, r, "full_compliance", "roleplay") for p, r in R.ROLEPLAY_COMPLIANCE),
        *((p, r, lab, "other_language") for p, r, lab in R.MULTILINGUAL),
        *((p, r, "full_compliance", "sympathy") for p, r in R.SYMPATHY_REPLIES),
    ]
    for i, (prompt, response, label, category) in enumerate(fixed):
        add(prompt, response, label, category, _split_of(i))
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["response"] not in seen:
            seen.add(row["response"])
            unique.append(row)
    return unique


def _prompts(rng: np.random.Generator) -> list[Row]:
    rows: list[Row] = []
    counters = {"safe": 0, "unsafe": 0}
    for label, category, template, fillers in P.PROMPT_GROUPS:
        for filler in fillers:
            base = template.format(filler)
            split = _split_of(counters[label])
            counters[label] += 1
            frames = [f for f in P.REQUEST_FRAMES if f != "{}"]
            variants = [base]
            for frame in rng.permutation(frames)[:2]:
                lowered = base if frame.startswith("{}") else base[:1].lower() + base[1:]
                if base.startswith(("I ", "I'", "In ", "What is my", "Where does")):
                    lowered = base
                variants.append(str(frame).format(lowered))
            for text in variants:
                rows.append({"prompt": text, "label": label, "category": category, "split": split})
    return rows


def _write(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            fh.write(json.dumps({"id": f"{path.stem}-{i:04d}", **row}, ensure_ascii=False) + "\n")


def main() -> None:
    """Rebuild both data files from the pieces, with fixed seeds and splits."""
    DATA_DIR.mkdir(exist_ok=True)
    _write(DATA_DIR / "responses.jsonl", _responses(np.random.default_rng(20260601)))
    _write(DATA_DIR / "prompts.jsonl", _prompts(np.random.default_rng(20260602)))


if __name__ == "__main__":
    main()
