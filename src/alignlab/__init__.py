"""alignlab: make the alignment gap visible and measurable.

The Lab runs fast, seeded simulations of the ways alignment fails, each behind three
sliders (pressure, fidelity, oversight) with a headline FR /100:

    >>> import alignlab
    >>> [spec.id for spec in alignlab.experiments()][:1]
    ['goodhart']
    >>> result = alignlab.run("goodhart", pressure=0.8, fidelity=0.3, oversight=0.0, seed=1)
    >>> 0.0 <= result.to_dict()["fr"] <= 100.0
    True
"""

from __future__ import annotations

import sys
import types
from typing import Any

from alignlab._version import __version__
from alignlab.core import (
    DEFAULT_SEED,
    AlignlabError,
    ExperimentSpec,
    ParameterError,
    Result,
    SeedBand,
    check_experiment,
    get,
    specs,
)
from alignlab.core import run_seeds as _run_seeds

__all__ = [
    "AlignlabError",
    "ExperimentSpec",
    "ParameterError",
    "Result",
    "SeedBand",
    "__version__",
    "check_experiment",
    "experiments",
    "get",
    "run",
    "run_seeds",
]


class _Package(types.ModuleType):
    """The `alignlab` module, keeping the function `experiments` under its name.

    The experiments package (SciPy-heavy) is imported on first use of the registry
    (`alignlab.core._registry`), so that `import alignlab.detect` stays light. Importing
    a subpackage sets it as an attribute of its parent, which would replace the function
    `alignlab.experiments()`; this class ignores that one assignment (the subpackage
    stays importable by its full name).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name == "experiments" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


def experiments() -> list[ExperimentSpec]:
    """Return the spec of every registered experiment, in a stable order."""
    return specs()


sys.modules[__name__].__class__ = _Package


def run(
    experiment: str,
    *,
    pressure: float | None = None,
    fidelity: float | None = None,
    oversight: float | None = None,
    seed: int = DEFAULT_SEED,
    **options: Any,
) -> Result:
    """Run one experiment at one setting of the sliders and return its `Result`.

    Sliders left as None take the experiment's defaults; `options` are its extra named
    options (see `alignlab list`).

    Raises:
        ParameterError: for an unknown experiment or any invalid input.
    """
    return get(experiment).run(pressure, fidelity, oversight, seed=seed, options=options)


def run_seeds(
    experiment: str,
    *,
    pressure: float | None = None,
    fidelity: float | None = None,
    oversight: float | None = None,
    seeds: int = 5,
    seed: int = DEFAULT_SEED,
    **options: Any,
) -> SeedBand:
    """Run one setting under `seeds` consecutive seeds from `seed`: the seed band.

    Each seed's `fr_ci` covers only its own sampling error; the band's `summary()` adds
    the across-seed mean, spread, a 95% interval of the mean and one for a new seed.

    Example:
        >>> band = alignlab.run_seeds("rater-bias", pressure=0.8, seeds=3)  # doctest: +SKIP
        >>> band.summary()["seeds"]  # doctest: +SKIP
        [0, 1, 2]

    Raises:
        ParameterError: for an unknown experiment, invalid input, or seeds outside [1, 64].
    """
    return _run_seeds(
        experiment, pressure, fidelity, oversight, seeds=seeds, seed=seed, options=options
    )
