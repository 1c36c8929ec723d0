"""Generation that never scores a broken reply: empty or malformed replies are retried, then errors.

An OpenAI-compatible server can answer 200 with `content: null`, an empty string,
`choices: []` or a body that is not JSON. Inspect scores the first two as a real answer
(an empty answer is "confidently wrong" to the honesty scorer and "compliance" to a
refusal detector) and does not retry the last two. Either way a broken endpoint would
produce a confident, wrong score. `checked_generate` retries all four like a 5xx, with
backoff, and when the retries run out raises `ReplyError`, so the sample is recorded as
an error (and retried by the next run), never scored.
"""

from __future__ import annotations

import asyncio
import json

from inspect_ai.solver import Generate, Solver, TaskState, solver

from alignlab.core import AlignlabError

DEFAULT_BACKOFF_S = 0.5
"""Seconds before the first retry of a broken reply; doubled on each further retry."""


class ReplyError(AlignlabError, RuntimeError):
    """The model gave no usable reply (empty, or malformed) after every retry."""


def _malformed_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [json.JSONDecodeError, IndexError]
    try:
        from openai import APIResponseValidationError

        errors.append(APIResponseValidationError)
    except ImportError:  # pragma: no cover - openai is a dependency
        pass
    return tuple(errors)


@solver
def checked_generate(max_retries: int = 3, backoff_s: float = DEFAULT_BACKOFF_S) -> Solver:
    """Generate, retrying empty and malformed replies; raise `ReplyError` when they persist.

    Args:
        max_retries: retries after the first attempt (the system file's `max_retries`).
        backoff_s: seconds before the first retry, doubled on each next one.
    """
    malformed = _malformed_errors()

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        problem = ""
        for attempt in range(max_retries + 1):
            if attempt:
                await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
            before = len(state.messages)
            try:
                state = await generate(state)
            except malformed as exc:
                problem = f"a malformed reply ({type(exc).__name__}: {exc})"
                del state.messages[before:]
                continue
            if state.output.completion.strip():
                return state
            problem = "an empty reply (no text)"
            del state.messages[before:]
        raise ReplyError(
            f"the model gave no usable answer in {max_retries + 1} attempt(s); last was {problem}"
        )

    return solve
