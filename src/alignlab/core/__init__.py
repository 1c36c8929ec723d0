"""The pure core of alignlab: parameter schema, seeding, results, registry and checker.

Nothing here does I/O or prints; every random draw comes from an explicit
`numpy.random.Generator` (a test enforces both).
"""

from alignlab.core._checker import check_experiment, check_result_dict
from alignlab.core._errors import (
    AlignlabError,
    ExperimentCheckError,
    ParameterError,
    UnknownExperimentError,
)
from alignlab.core._params import (
    SLIDERS,
    Option,
    OptionValue,
    Schema,
    Slider,
    Sliders,
    validate_seed,
)
from alignlab.core._registry import (
    DEFAULT_SEED,
    ExperimentFn,
    ExperimentSpec,
    get,
    register,
    specs,
    unregister,
)
from alignlab.core._result import (
    LOOP_STAGES,
    REQUIRED_CURVE_KEYS,
    WITHIN_SEED_INTERVAL,
    LoopStage,
    Measurement,
    Result,
)
from alignlab.core._seeds import (
    ACROSS_SEEDS,
    MAX_SEEDS,
    SeedBand,
    run_seeds,
    validate_seed_count,
)
from alignlab.core._stats import cluster_fr_per_100, fr_per_100, wilson_interval

__all__ = [
    "ACROSS_SEEDS",
    "DEFAULT_SEED",
    "LOOP_STAGES",
    "MAX_SEEDS",
    "REQUIRED_CURVE_KEYS",
    "SLIDERS",
    "WITHIN_SEED_INTERVAL",
    "AlignlabError",
    "ExperimentCheckError",
    "ExperimentFn",
    "ExperimentSpec",
    "LoopStage",
    "Measurement",
    "Option",
    "OptionValue",
    "ParameterError",
    "Result",
    "Schema",
    "SeedBand",
    "Slider",
    "Sliders",
    "UnknownExperimentError",
    "check_experiment",
    "check_result_dict",
    "cluster_fr_per_100",
    "fr_per_100",
    "get",
    "register",
    "run_seeds",
    "specs",
    "unregister",
    "validate_seed",
    "validate_seed_count",
    "wilson_interval",
]
