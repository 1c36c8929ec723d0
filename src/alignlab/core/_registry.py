"""The experiment registry: a plain dict of frozen specs, filled by a decorator.

An experiment is a pure function `(sliders, options, rng) -> Measurement`; `register`
wraps it in an `ExperimentSpec` with its id, version and schema. `run` validates input,
builds the `numpy.random.Generator` from the seed and assembles the `Result`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from alignlab.core._errors import UnknownExperimentError
from alignlab.core._params import OptionValue, Schema, Sliders, validate_seed
from alignlab.core._result import Measurement, Result

DEFAULT_SEED = 0


class ExperimentFn(Protocol):
    """The one call signature of an experiment: pure, seeded by the generator it is given."""

    def __call__(
        self, sliders: Sliders, options: Mapping[str, OptionValue], rng: np.random.Generator
    ) -> Measurement:
        """Run the experiment at one setting."""
        ...


@dataclass(frozen=True)
class ExperimentSpec:
    """Everything needed to list, validate and rebuild a run of one experiment.

    Attributes:
        id: Registry id, e.g. "goodhart".
        version: Bumped whenever results for the same inputs change.
        title: Human title for lists and the page.
        summary: One sentence on the alignment failure the experiment shows.
        schema: Sliders and options.
        fn: The experiment function.
        fr_definition: What one "failure" is in FR /100 for this experiment.
    """

    id: str
    version: int
    title: str
    summary: str
    schema: Schema
    fn: ExperimentFn
    fr_definition: str

    def run(
        self,
        pressure: object = None,
        fidelity: object = None,
        oversight: object = None,
        seed: object = DEFAULT_SEED,
        options: Mapping[str, object] | None = None,
    ) -> Result:
        """Validate the inputs, run the experiment and return its `Result`.

        Raises:
            ParameterError: for any invalid slider, option or seed.
        """
        sliders = self.schema.validate_sliders(pressure, fidelity, oversight)
        opts = self.schema.validate_options(options)
        seed_value = validate_seed(seed)
        rng = np.random.default_rng(seed_value)
        measurement = self.fn(sliders, opts, rng)
        return Result(
            experiment=self.id,
            params=sliders.to_dict(),
            options=opts,
            seed=seed_value,
            measurement=measurement,
        )

    def to_dict(self) -> dict[str, Any]:
        """Describe the experiment as JSON (for `alignlab list --json` and the page)."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "summary": self.summary,
            "fr_definition": self.fr_definition,
            **self.schema.to_dict(),
        }


_REGISTRY: dict[str, ExperimentSpec] = {}


def _load_experiments() -> None:
    """Import `alignlab.experiments` (which registers every experiment) on first use.

    Registration is lazy so that `import alignlab` (and with it `alignlab.detect`, whose
    first label must come within 3 s of import) does not pay for SciPy's stats module.
    While that package is itself importing, it is already in `sys.modules` and this is a
    no-op.
    """
    import alignlab.experiments  # noqa: F401


def register(
    id: str,
    *,
    title: str,
    summary: str,
    schema: Schema,
    fr_definition: str,
    version: int = 1,
) -> Callable[[ExperimentFn], ExperimentFn]:
    """Register an experiment function under `id` (a decorator).

    Examples:
        >>> from alignlab.core import register, Schema  # doctest: +SKIP
        >>> @register("toy", title="Toy", summary="...", schema=SCHEMA, fr_definition="...")
        ... def toy(sliders, options, rng): ...
    """

    def decorate(fn: ExperimentFn) -> ExperimentFn:
        _load_experiments()
        if id in _REGISTRY:
            raise ValueError(f"experiment {id!r} is already registered")
        _REGISTRY[id] = ExperimentSpec(
            id=id,
            version=version,
            title=title,
            summary=summary,
            schema=schema,
            fn=fn,
            fr_definition=fr_definition,
        )
        return fn

    return decorate


def unregister(id: str) -> None:
    """Remove an experiment (used by tests that register throwaway experiments)."""
    _REGISTRY.pop(id, None)


def get(id: str) -> ExperimentSpec:
    """Return the spec registered under `id`.

    Raises:
        UnknownExperimentError: if there is none, naming the ids that exist.
    """
    _load_experiments()
    try:
        return _REGISTRY[id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownExperimentError(f"unknown experiment {id!r} (experiments: {known})") from None


def specs() -> list[ExperimentSpec]:
    """Return every registered spec, in registration order."""
    _load_experiments()
    return list(_REGISTRY.values())
