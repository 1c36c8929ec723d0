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
    MetricComparison,
    compare_logs,
    format_comparison,
    holm,
    mcnemar_exact,
)
from alignlab.bench._demo import DEMO_SYSTEMS, DemoResult, run_demo
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
    LogError,
    Rate,
    RunMetrics,
    metrics_from_log,
    read_log,
)
from alignlab.bench._report import render_report
from alignlab.bench._rescore import rescore_log
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
from alignlab.bench._stub import FaultPlan, ScriptedServer, serve
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
    check_api_key,
    load_system,
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
    "LogError",
    "MetricComparison",
    "Rate",
    "RunMetrics",
    "ScriptedServer",
    "SuiteError",
    "SuiteRun",
    "SystemFileError",
    "SystemSpec",
    "build_model",
    "check_api_key",
    "compare_logs",
    "default_constitution",
    "find_resumable",
    "format_comparison",
    "holm",
    "honesty",
    "honesty_dataset",
    "honesty_items",
    "honesty_outcome",
    "honesty_scorer",
    "input_filter",
    "literal_system_prompt",
    "load_system",
    "mcnemar_exact",
    "metrics_from_log",
    "output_filter",
    "parse_system",
    "rate",
    "read_log",
    "refusal_calibration",
    "refusal_dataset",
    "refusal_items",
    "refusal_outcomes",
    "refusal_scorer",
    "render_report",
    "rescore_log",
    "run_demo",
    "run_suite",
    "run_system",
    "scripted_policies",
    "scripted_policy",
    "self_critique",
    "serve",
    "system_solvers",
    "xstest",
    "xstest_dataset",
]
