"""One parameter schema per experiment: it drives validation, CLI flags, sliders and URLs.

Every experiment has the same three sliders, normalised to [0, 1]; each experiment says
what physical quantity a slider maps to. Extra named options (a choice, a number or a
flag) are declared beside them. Everything a user types is validated here, once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from alignlab.core._errors import ParameterError

SLIDERS: tuple[str, str, str] = ("pressure", "fidelity", "oversight")
"""The three sliders every experiment has, in display order."""

OptionValue = str | float | int | bool
OptionKind = Literal["choice", "float", "int", "bool"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Slider:
    """One of the three normalised sliders and the physical quantity it maps to.

    Attributes:
        name: `pressure`, `fidelity` or `oversight`.
        label: Short label shown next to the control.
        help: One sentence on what moving the slider does in this experiment.
        quantity: The physical quantity it maps to, e.g. "KL budget".
        unit: Unit of that quantity ("nats", "labels", "" for a pure number).
        default: Default position in [0, 1].
        to_physical: Maps a slider position to the physical value (for display).
    """

    name: str
    label: str
    help: str
    quantity: str
    unit: str = ""
    default: float = 0.5
    to_physical: Callable[[float], float] | None = None

    def __post_init__(self) -> None:
        if self.name not in SLIDERS:
            raise ValueError(f"slider name must be one of {SLIDERS}, got {self.name!r}")
        if not 0.0 <= self.default <= 1.0:
            raise ValueError(f"default of slider {self.name!r} must lie in [0, 1]")

    def physical(self, value: float) -> float | None:
        """Return the physical value at slider position `value`, if a mapping is declared."""
        return None if self.to_physical is None else float(self.to_physical(value))

    def to_dict(self) -> dict[str, Any]:
        """Describe the slider as JSON, including its physical value at 11 positions."""
        grid = [i / 10 for i in range(11)]
        return {
            "name": self.name,
            "label": self.label,
            "help": self.help,
            "quantity": self.quantity,
            "unit": self.unit,
            "default": self.default,
            "min": 0.0,
            "max": 1.0,
            "physical_grid": None
            if self.to_physical is None
            else {"x": grid, "y": [self.physical(x) for x in grid]},
        }


@dataclass(frozen=True)
class Option:
    """An extra named option of one experiment (beyond the three sliders).

    Attributes:
        name: Identifier used in `--option name=value`, the API and the URL.
        kind: `choice`, `float`, `int` or `bool`.
        default: Value used when the option is not given.
        help: One sentence on what the option changes.
        choices: Allowed values for a `choice` option.
        low: Inclusive lower bound for numeric options.
        high: Inclusive upper bound for numeric options.
    """

    name: str
    kind: OptionKind
    default: OptionValue
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"default of option {self.name!r} must be one of its choices")

    def parse(self, raw: object) -> OptionValue:
        """Validate `raw` (a string from the CLI/URL or a JSON value) into the option's type.

        Raises:
            ParameterError: if the value has the wrong type or lies outside the allowed set.
        """
        where = f"option {self.name!r}"
        if self.kind == "choice":
            value = str(raw).strip()
            if value not in self.choices:
                raise ParameterError(
                    f"{where} must be one of {', '.join(self.choices)}; got {raw!r}"
                )
            return value
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ParameterError(f"{where} must be true or false; got {raw!r}")
        number = _as_number(raw, where, integer=self.kind == "int")
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ParameterError(f"{where} must lie in [{self.low}, {self.high}]; got {raw!r}")
        return number

    def to_dict(self) -> dict[str, Any]:
        """Describe the option as JSON."""
        return {
            "name": self.name,
            "kind": self.kind,
            "default": self.default,
            "help": self.help,
            "choices": list(self.choices),
            "low": self.low,
            "high": self.high,
        }


def _as_number(raw: object, where: str, *, integer: bool) -> float | int:
    if isinstance(raw, bool):
        raise ParameterError(f"{where} must be a number; got {raw!r}")
    if isinstance(raw, int | float):
        try:
            number: float = float(raw)
        except OverflowError:  # a 400-digit integer: out of every range, not a crash
            raise ParameterError(f"{where} is far out of range") from None
    else:
        try:
            number = float(str(raw).strip())
        except ValueError:
            raise ParameterError(f"{where} must be a number; got {raw!r}") from None
    if not math.isfinite(number):
        raise ParameterError(f"{where} must be a finite number; got {raw!r}")
    if integer:
        if number != int(number):
            raise ParameterError(f"{where} must be a whole number; got {raw!r}")
        return int(number)
    return number


@dataclass(frozen=True)
class Sliders:
    """Validated positions of the three sliders, each in [0, 1]."""

    pressure: float
    fidelity: float
    oversight: float

    def to_dict(self) -> dict[str, float]:
        """Return the positions as a plain dict."""
        return {"pressure": self.pressure, "fidelity": self.fidelity, "oversight": self.oversight}


@dataclass(frozen=True)
class Schema:
    """The full parameter schema of one experiment: three sliders and its options."""

    pressure: Slider
    fidelity: Slider
    oversight: Slider
    options: tuple[Option, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in SLIDERS:
            if getattr(self, name).name != name:
                raise ValueError(f"the {name} slot must hold a slider named {name!r}")
        names = [o.name for o in self.options]
        if len(set(names)) != len(names) or set(names) & {*SLIDERS, "seed"}:
            raise ValueError("option names must be unique and not clash with sliders or seed")

    @property
    def sliders(self) -> tuple[Slider, Slider, Slider]:
        """The three sliders in display order."""
        return (self.pressure, self.fidelity, self.oversight)

    def option(self, name: str) -> Option:
        """Return the option called `name`.

        Raises:
            ParameterError: if the experiment has no such option.
        """
        for opt in self.options:
            if opt.name == name:
                return opt
        known = ", ".join(o.name for o in self.options) or "none"
        raise ParameterError(f"unknown option {name!r} (options: {known})")

    def defaults(self) -> dict[str, OptionValue]:
        """Return every option at its default value."""
        return {o.name: o.default for o in self.options}

    def validate_sliders(
        self,
        pressure: object = None,
        fidelity: object = None,
        oversight: object = None,
    ) -> Sliders:
        """Validate slider values (None means the slider's default) into `Sliders`.

        Raises:
            ParameterError: if a value is not a finite number in [0, 1].
        """
        values: dict[str, float] = {}
        for slider, raw in zip(self.sliders, (pressure, fidelity, oversight), strict=True):
            if raw is None:
                values[slider.name] = slider.default
                continue
            number = float(_as_number(raw, slider.name, integer=False))
            if not 0.0 <= number <= 1.0:
                raise ParameterError(f"{slider.name} must lie in [0, 1]; got {raw!r}")
            values[slider.name] = number
        return Sliders(**values)

    def validate_options(self, raw: Mapping[str, object] | None) -> dict[str, OptionValue]:
        """Validate user options, filling in defaults for those not given.

        Raises:
            ParameterError: for an unknown option or a bad value.
        """
        values = self.defaults()
        for name, value in (raw or {}).items():
            values[name] = self.option(name).parse(value)
        return values

    def to_dict(self) -> dict[str, Any]:
        """Describe the schema as JSON (used by `alignlab list --json` and the page)."""
        return {
            "sliders": [s.to_dict() for s in self.sliders],
            "options": [o.to_dict() for o in self.options],
        }


def validate_seed(raw: object) -> int:
    """Validate a seed: a whole number in [0, 2**32).

    Raises:
        ParameterError: if the seed is not such a number.
    """
    seed = _as_number(raw, "seed", integer=True)
    if not 0 <= seed < 2**32:
        raise ParameterError(f"seed must be a whole number in [0, 2**32); got {raw!r}")
    return int(seed)
