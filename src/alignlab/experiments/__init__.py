"""The Lab's experiments; importing this package registers each of them.

Each module is one readable file per alignment failure, pure NumPy/SciPy, seeded only
by the `numpy.random.Generator` it is given. Import a module as
`from alignlab.experiments import goodhart` (the top-level function
`alignlab.experiments()` shares this package's name).
"""

from alignlab.experiments import refusal_calibration

__all__: list[str] = ["refusal_calibration"]
