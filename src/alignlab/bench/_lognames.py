"""Name Inspect logs after the system that produced them, so a folder of logs reads at a glance.

Inspect names a log `<created>_<task>_<id>.eval`; a folder holding the runs of three
candidate systems then shows three identical-looking `refusal-calibration` logs. While
the Bench runs a system, the log is named `<created>_<system>_<task>_<id>.eval` instead,
through Inspect's own `INSPECT_EVAL_LOG_FILE_PATTERN`. A pattern the user set
themselves is left alone.

The system's name comes from a system file that may come from a pull request, so it is
reduced to letters, digits, single dots and hyphens: it can never name a path outside the log
directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

LOG_PATTERN_ENV = "INSPECT_EVAL_LOG_FILE_PATTERN"
"""Inspect's variable for the log file name after its creation time."""

MAX_SLUG_CHARS = 60
"""Longest system name kept in a log file name."""


def system_slug(name: str) -> str:
    """A system name as a safe file-name component (`support bot/v2` -> `support-bot-v2`).

    Example:
        >>> system_slug("../../etc/passwd")
        'etc-passwd'
        >>> system_slug("support_bot v2")
        'support-bot-v2'
    """
    slug = re.sub(r"[^A-Za-z0-9]+", lambda m: "." if m.group() == "." else "-", name)
    slug = slug.strip("-.")[:MAX_SLUG_CHARS].strip("-.")
    return slug or "system"


@contextmanager
def logs_named_after(system: str) -> Iterator[None]:
    """Inside this block, Inspect names new logs `<created>_<system>_<task>_<id>.eval`.

    Underscores separate the parts, as in Inspect's own names; the system's part has
    none. When the user has set `INSPECT_EVAL_LOG_FILE_PATTERN`, their pattern is used.
    """
    if os.environ.get(LOG_PATTERN_ENV):
        yield
        return
    os.environ[LOG_PATTERN_ENV] = system_slug(system) + "_{task}_{id}"
    try:
        yield
    finally:
        os.environ.pop(LOG_PATTERN_ENV, None)
