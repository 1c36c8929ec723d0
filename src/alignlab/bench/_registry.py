"""Inspect AI entry point: importing this module registers the Bench's tasks.

pyproject.toml names it under `[project.entry-points.inspect_ai]`, so once alignlab is
installed `inspect eval alignlab/refusal_calibration` finds the task.
"""

from alignlab.bench._suites import honesty, refusal_calibration, xstest

__all__ = ["honesty", "refusal_calibration", "xstest"]
