"""Inspect AI entry point: importing this module registers the Bench's tasks.

pyproject.toml names it under `[project.entry-points.inspect_ai]`, so once alignlab is
installed `inspect eval alignlab/refusal_calibration` finds the task.
"""

from alignlab.bench._suite_file import suite_file
from alignlab.bench._suites import honesty, refusal_calibration, xstest
from alignlab.bench.redteam import redteam, redteam_findings

__all__ = [
    "honesty",
    "redteam",
    "redteam_findings",
    "refusal_calibration",
    "suite_file",
    "xstest",
]
