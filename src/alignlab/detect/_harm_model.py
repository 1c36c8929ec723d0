"""The prompt-harm head: MiniLM embedding, hashed words and readable intent cues, one softmax.

The embedding alone (the first build) read the *topic* of a prompt: "What should I do if
I see a post threatening a school shooting?" sits near threats, so it was flagged. What
decides the label in the guide is the *use*: who the harm is aimed at (a process, weeds,
a character in a game, or a person), whether the asker hides it ("without her knowing",
"make it look like an accident"), and whether the request is for information, defence
or a story. So the head reads three blocks side by side:

1. the MiniLM sentence embedding of the prompt (384 numbers);
2. hashed words and word pairs of the prompt (`PROMPT_HASH_DIM` buckets), which carry
   the exact wording ("kill my", "without getting caught", "in Minecraft");
3. `INTENT_CUES`: ten regular expressions written from the labelling guide, readable.

The weights are fitted jointly (`alignlab.detect.train`), deterministic L-BFGS; inference
is plain NumPy.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from alignlab.detect._segments import hashed_matmul

PROMPT_HASH_DIM = 1 << 14
"""Buckets of the hashed prompt words and word pairs."""

_HARM_VERB = (
    r"(?:kill|murder|poison|stab|hurt|harm|injure|beat|strangle|suffocate|smother|drown"
    r"|kidnap|attack|shoot|burn|choke|torture|threaten|harass|bully|stalk|track|spy on"
    r"|blackmail|scam|drug|spike|rob|assault|run over|push|knock out|get rid of|hit)"
)
_PERSON = (
    r"(?:my|his|her|their|our|a|the|some|that|this)?\s*(?:\w+\s){0,2}?(?:neighbou?r|wife"
    r"|husband|ex|girlfriend|boyfriend|partner|child|children|kid|kids|baby|toddler|boss"
    r"|coworker|co-worker|colleague|roommate|flatmate|teacher|student|classmate|mother"
    r"|father|mum|mom|dad|stepdad|stepfather|stepmother|sister|brother|uncle|aunt|cousin"
    r"|grandmother|grandfather|relative|landlord|tenant|officer|cop|police|journalist"
    r"|politician|president|stranger|woman|women|girl|girls|man|men|boy|boys|person"
    r"|people|someone|somebody|him|her|them|crowd|victim|minor|teenager|family|dog|cat"
    r"|puppy)\b"
)

INTENT_CUES: dict[str, str] = {
    # The asker hides the act or evades the law: the strongest sign of real-world use.
    "evasion": (
        r"without (?:getting |being )?(?:caught|noticed|traced|detected)|without (?:anyone"
        r"|anybody|him|her|them|the police|my \w+|the \w+) (?:knowing|noticing|finding out"
        r"|seeing)|make it look (?:like|natural|accidental)|look(?:s)? like (?:an accident"
        r"|natural causes|a suicide|a robbery)|untraceable|can'?t be traced|won'?t be traced"
        r"|not be traced|get away with|undetected|so (?:nobody|no one) (?:finds out|knows"
        r"|notices)|secretly|without (?:a|any) (?:licence|license|prescription"
        r"|background check|id)|cover (?:it|my tracks) up|so (?:the )?police (?:can'?t|won'?t)"
    ),
    # A harm verb aimed at a person or an animal (not at a process, a weed or a boss fight).
    "harm_to_person": _HARM_VERB + r"\s+" + _PERSON,
    # Harm to oneself, asked for as a means ("how do I overdose"), not as a danger to
    # recognise ("signs of an overdose", which is `defence`).
    "self_harm": (
        r"\b(?:kill|hurt|cut|burn|starve|harm) myself\b|end (?:my life|it all)"
        r"|never wake up|not wake up|don'?t want to (?:be here|live)"
        r"|(?:how (?:to|do i|can i)|want to|going to) overdose|overdose on my"
        r"|lethal dose|\bend it\b"
    ),
    # Defence and safety questions: how to tell, protect, prevent, report, help.
    "defence": (
        r"^(?:what should i do|what do i do|how (?:can|do|should) (?:i|we|you) (?:tell|know"
        r"|spot|recogni[sz]e|protect|prevent|report|keep|secure|avoid|stop|help|support|talk"
        r"|explain|warn|check|make my)|is it safe|which .* (?:dangerous|safe))|\bsigns? of\b"
        r"|warning signs|\bsafely\b|\bsafe\b|\bprotect\b|\bprevent\b"
        r"|so i can (?:warn|protect|avoid)|\bdetect\b|\bsymptoms\b"
    ),
    # Requests for information: definitions, history, how something works.
    "information": (
        r"^(?:what is|what's|what are|what was|what were|what does|what did|define|why did"
        r"|why was|why were|why is|why does|what happened|how did|how does|how do .* work"
        r"|who was|who is|when was|when did|where was|where is|explain what|what caused"
        r"|what counts)\b"
    ),
    "fiction": (
        r"\b(?:novel|story|book|fiction|game|games|campaign|film|movie|tv show|series"
        r"|character|characters|villain|boss fight|final boss|level \d+|quest|scene|poem"
        r"|d&d|dungeons|minecraft|fortnite|skyrim|elden ring|gta|grand theft auto|zelda"
        r"|mario|chess|board game|video game|role-?play|screenplay|plot)\b"
    ),
    # Objects of computing: "kill a process", "execute a script", "nuke the cache".
    "tech_object": (
        r"\b(?:process|processes|server|container|containers|linux|terminal|script|scripts"
        r"|code|cache|pod|session|docker|git|python|sql|app|apps|thread|query|job|cron"
        r"|browser|kubernetes|instance|pipeline|build|database|laptop|program|file|files"
        r"|repo|function)\b"
    ),
    # Safe targets: pests, weeds, things.
    "pest_or_object": (
        r"\b(?:weeds?|mou?ld|pests?|ants|wasps?|mice|mouse|rats?|fleas|bacteria|germs"
        r"|termites|slugs|aphids|stump|hard drives?|documents|paper|shed|cardboard"
        r"|balloons?|photo|image|picture|egg|eggs|wall|tree|knotweed|moles|fruit flies"
        r"|cockroaches|bed bugs)\b"
    ),
    "figurative": (
        r"\b(?:kill it|killing it|crush(?:ed)? it|nail(?:ed)? it|slay|bomb(?:ed)?"
        r"|knock (?:them|'em) dead|break a leg|make a killing|steal the show|dying to"
        r"|killing me|blow (?:them|my audience|people) away)\b"
    ),
    # Asks for operational detail.
    "instructions": (
        r"\b(?:step[- ]by[- ]step|instructions|recipe|exact(?:ly)?|in detail|detailed"
        r"|synthes\w+|where can i (?:buy|get)|how much .* (?:to|would)"
        r"|how many .* (?:to|would|it take))\b"
    ),
}
"""Readable cues from the labelling guide (`docs/labelling.md`), matched on lower case."""

INTENT_NAMES: tuple[str, ...] = tuple(INTENT_CUES)
_CUES = tuple(re.compile(pattern) for pattern in INTENT_CUES.values())

INTENT_SCALE = 3.0 / math.sqrt(len(INTENT_CUES))
"""Scale of the cue block against the unit-length embedding and hashed rows (chosen on
the validation split among 1, 3 and 5 over the square root of the cue count)."""


def _clean(prompt: str) -> str:
    return " ".join(prompt.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def intent_features(prompts: Sequence[str]) -> np.ndarray:
    """Return a (len(prompts), len(INTENT_NAMES)) 0/1 array: which cue each prompt shows.

    Examples:
        >>> f = intent_features(["How do I kill my neighbour without getting caught?"])
        >>> [n for n, v in zip(INTENT_NAMES, f[0]) if v]
        ['evasion', 'harm_to_person']
    """
    rows = [[float(bool(c.search(_clean(p)))) for c in _CUES] for p in prompts]
    return np.array(rows, dtype=np.float64).reshape(len(prompts), len(INTENT_NAMES))


def prompt_tokens(prompt: str) -> list[str]:
    """Words and word pairs of a prompt (lower case), the hashed block's tokens."""
    words = re.findall(r"[a-z0-9']+", _clean(prompt))
    return [f"w:{w}" for w in words] + [f"b:{a}_{b}" for a, b in pairwise(words)]


def hash_prompts_csr(prompts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashed words and word pairs as CSR arrays (data, indices, indptr), rows unit length."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for prompt in prompts:
        counts: dict[int, float] = {}
        for tok in prompt_tokens(prompt):
            b = zlib.crc32(tok.encode("utf-8")) & (PROMPT_HASH_DIM - 1)
            counts[b] = counts.get(b, 0.0) + 1.0
        norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
        for b, v in counts.items():
            indices.append(b)
            data.append(v / norm)
        indptr.append(len(indices))
    return (
        np.asarray(data, dtype=np.float64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(indptr, dtype=np.int64),
    )


def harm_design(embedding: np.ndarray, prompts: Sequence[str]) -> Any:
    """The training design matrix (SciPy sparse): embedding, hashed words, scaled cues."""
    from scipy import sparse

    data, indices, indptr = hash_prompts_csr(prompts)
    hashed = sparse.csr_matrix((data, indices, indptr), shape=(len(prompts), PROMPT_HASH_DIM))
    cues = sparse.csr_matrix(intent_features(prompts) * INTENT_SCALE)
    return sparse.hstack([sparse.csr_matrix(embedding), hashed, cues]).tocsr()


@dataclass(frozen=True)
class HarmHead:
    """Softmax over [embedding, hashed words, cues]; temperature; bias holds the threshold.

    Attributes:
        embed_weights: (384, 2) weights of the embedding block.
        hash_weights: (PROMPT_HASH_DIM, 2) weights of the hashed block.
        cue_weights: (len(INTENT_NAMES), 2) weights of the (scaled) cue block.
        bias: (2,) bias; the unsafe threshold chosen on validation is folded in.
        temperature: Calibration temperature fitted on validation data.
    """

    embed_weights: np.ndarray
    hash_weights: np.ndarray
    cue_weights: np.ndarray
    bias: np.ndarray
    temperature: float = 1.0

    @classmethod
    def from_stacked(
        cls, weights: np.ndarray, bias: np.ndarray, embed_dim: int, temperature: float = 1.0
    ) -> HarmHead:
        """Split the weights of `harm_design`'s columns into the three blocks."""
        e, h = embed_dim, embed_dim + PROMPT_HASH_DIM
        return cls(
            np.asarray(weights[:e]),
            np.asarray(weights[e:h]),
            np.asarray(weights[h:]),
            np.asarray(bias, dtype=np.float64),
            temperature,
        )

    def logits(self, embedding: np.ndarray, prompts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits, (n, 2)."""
        out = np.asarray(embedding, dtype=np.float64) @ self.embed_weights
        out = out + hashed_matmul(hash_prompts_csr(prompts), self.hash_weights)
        out = out + (intent_features(prompts) * INTENT_SCALE) @ self.cue_weights
        return np.asarray(out + self.bias)

    def predict_proba(self, embedding: np.ndarray, prompts: Sequence[str]) -> np.ndarray:
        """Calibrated (n, 2) probabilities of safe, unsafe."""
        z = self.logits(embedding, prompts) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        exp = np.exp(z)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def replace(
        self, *, bias: np.ndarray | None = None, temperature: float | None = None
    ) -> HarmHead:
        """The same head with another bias and/or temperature."""
        return HarmHead(
            self.embed_weights,
            self.hash_weights,
            self.cue_weights,
            self.bias if bias is None else np.asarray(bias, dtype=np.float64),
            self.temperature if temperature is None else float(temperature),
        )

    def save(self, path: Path) -> None:
        """Write the head compressed (float16 hashed weights)."""
        np.savez_compressed(
            path,
            embed_weights=self.embed_weights.astype(np.float32),
            hash_weights=self.hash_weights.astype(np.float16),
            cue_weights=self.cue_weights,
            bias=self.bias,
            temperature=np.array(self.temperature),
        )

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> HarmHead:
        """Rebuild a head from saved arrays."""
        hashed = np.asarray(arrays["hash_weights"], dtype=np.float64)
        cues = np.asarray(arrays["cue_weights"], dtype=np.float64)
        if hashed.shape[0] != PROMPT_HASH_DIM or cues.shape[0] != len(INTENT_NAMES):
            raise ValueError(f"harm head has shapes {hashed.shape} and {cues.shape}")
        return cls(
            np.asarray(arrays["embed_weights"], dtype=np.float64),
            hashed,
            cues,
            np.asarray(arrays["bias"], dtype=np.float64),
            float(arrays["temperature"]),
        )
