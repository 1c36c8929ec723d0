"""The Bench: alignment evals of a real LLM system (model + system prompt + guardrails).

Built on Inspect AI: the suites are registered Inspect tasks (`alignlab/refusal_calibration`,
`alignlab/honesty`, `alignlab/xstest`), the guardrails are Inspect solvers, and the
regression gate reads any Inspect log with per-sample scores.

Examples:
    >>> from alignlab.bench import parse_system, mcnemar_exact
    >>> parse_system({"model": {"name": "openai-api/local/llama3"}}).timeout
    120
    >>> mcnemar_exact(0, 0)
    1.0
"""

from alignlab.bench._compare import (
    CompareError,
    Comparison,
    IncompleteRunError,
    MetricComparison,
    ScoringMismatchError,
    compare_logs,
    decision_line,
    format_comparison,
    format_markdown,
    format_p,
    holm,
    mcnemar_exact,
    paired_permutation,
)
from alignlab.bench._demo import DEMO_SYSTEMS, DemoResult, run_demo
from alignlab.bench._detectors import detector_version
from alignlab.bench._guardrails import (
    default_constitution,
    input_filter,
    literal_system_prompt,
    output_filter,
    self_critique,
    system_solvers,
)
from alignlab.bench._metrics import (
    GuardrailEffect,
    LayerEffect,
    LogError,
    Rate,
    RunMetrics,
    cluster_wilson,
    metrics_from_log,
    read_log,
)
from alignlab.bench._profile import (
    Profile,
    Ranking,
    ablation_effects,
    ablation_specs,
    profile_axes,
    profile_logs,
    rank_systems,
)
from alignlab.bench._recorded import (
    RecordedAnswersError,
    RecordedRun,
    read_answers,
    score_answers,
)
from alignlab.bench._report import render_profile, render_report, tradeoff_svg
from alignlab.bench._rescore import rescore_in_memory, rescore_log
from alignlab.bench._run import (
    DEFAULT_LOG_DIR,
    SuiteRun,
    build_model,
    find_resumable,
    run_suite,
    run_system,
)
from alignlab.bench._scorers import (
    DIRECTIONS_KEY,
    honesty_outcome,
    honesty_scorer,
    rate,
    refusal_outcomes,
    refusal_scorer,
)
from alignlab.bench._scripted import (
    REFUSAL,
    SCRIPTED_BEHAVIOURS,
    scripted_policies,
    scripted_policy,
)
from alignlab.bench._stub import FaultPlan, ScriptedFault, ScriptedServer, serve
from alignlab.bench._suite_file import SuiteFile, load_suite_file, suite_file, suite_file_dataset
from alignlab.bench._suites import (
    SUITES,
    SuiteError,
    honesty,
    honesty_dataset,
    honesty_items,
    refusal_calibration,
    refusal_dataset,
    refusal_items,
    xstest,
    xstest_dataset,
)
from alignlab.bench._system import (
    GuardrailSpec,
    SystemFileError,
    SystemSpec,
    bare_system,
    check_api_key,
    load_system,
    override_model,
    parse_system,
)

__all__ = [
    "DEFAULT_LOG_DIR",
    "DEMO_SYSTEMS",
    "DIRECTIONS_KEY",
    "REFUSAL",
    "SCRIPTED_BEHAVIOURS",
    "SUITES",
    "CompareError",
    "Comparison",
    "DemoResult",
    "FaultPlan",
    "GuardrailEffect",
    "GuardrailSpec",
    "IncompleteRunError",
    "LayerEffect",
    "LogError",
    "MetricComparison",
    "Profile",
    "Ranking",
    "Rate",
    "RecordedAnswersError",
    "RecordedRun",
    "RunMetrics",
    "ScoringMismatchError",
    "ScriptedFault",
    "ScriptedServer",
    "SuiteError",
    "SuiteFile",
    "SuiteRun",
    "SystemFileError",
    "SystemSpec",
    "ablation_effects",
    "ablation_specs",
    "bare_system",
    "build_model",
    "check_api_key",
    "cluster_wilson",
    "compare_logs",
    "decision_line",
    "default_constitution",
    "detector_version",
    "find_resumable",
    "format_comparison",
    "format_markdown",
    "format_p",
    "holm",
    "honesty",
    "honesty_dataset",
    "honesty_items",
    "honesty_outcome",
    "honesty_scorer",
    "input_filter",
    "literal_system_prompt",
    "load_suite_file",
    "load_system",
    "mcnemar_exact",
    "metrics_from_log",
    "output_filter",
    "override_model",
    "paired_permutation",
    "parse_system",
    "profile_axes",
    "profile_logs",
    "rank_systems",
    "rate",
    "read_answers",
    "read_log",
    "refusal_calibration",
    "refusal_dataset",
    "refusal_items",
    "refusal_outcomes",
    "refusal_scorer",
    "render_profile",
    "render_report",
    "rescore_in_memory",
    "rescore_log",
    "run_demo",
    "run_suite",
    "run_system",
    "score_answers",
    "scripted_policies",
    "scripted_policy",
    "self_critique",
    "serve",
    "suite_file",
    "suite_file_dataset",
    "system_solvers",
    "tradeoff_svg",
    "xstest",
    "xstest_dataset",
]
