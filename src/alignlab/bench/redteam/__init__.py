"""Red-teaming: attack a system, measure attack success with intervals, keep what broke it.

Attacks are small deterministic components behind one Protocol (`Attack`) in a
registry (`ATTACKS`), composable as `a+b`; the adaptive `pair` loop needs an attacker
model. The run is an Inspect task (`alignlab/redteam`); scoring is offline (refusal
detector plus an on-topic check, on the decoded answer) with an optional
StrongREJECT-style judge; metrics carry Wilson intervals; every successful attack is
written to a findings file that `alignlab bench run --suite FINDINGS.jsonl` replays and
`alignlab bench compare` gates.

Example:
    >>> from alignlab.bench.redteam import get_attack, behaviours
    >>> len(behaviours()) >= 150
    True
    >>> get_attack("rot13").render("abc")[-1].content.endswith("nop")
    True
"""

from alignlab.bench.redteam._attacks import (
    ATTACKS,
    CODECS,
    DEFAULT_COMPOSITIONS,
    Attack,
    AttackError,
    Codec,
    Composition,
    TemplateAttack,
    Turn,
    get_attack,
    iter_attacks,
    morse_normal,
    parse_attacks,
    past_tense,
    register,
    split_payload,
)
from alignlab.bench.redteam._data import (
    CATEGORIES,
    Behaviour,
    behaviours,
    benign_contrasts,
    select,
)
from alignlab.bench.redteam._findings import (
    FINDINGS_FORMAT,
    findings_from_log,
    is_findings_file,
    load_findings,
    write_findings,
)
from alignlab.bench.redteam._metrics import (
    Agreement,
    Finding,
    RedteamMetrics,
    cohen_kappa,
    is_redteam_log,
    redteam_metrics,
)
from alignlab.bench.redteam._run import RedteamRun, run_redteam
from alignlab.bench.redteam._score import (
    JudgeVerdict,
    on_topic,
    parse_verdict,
    readings,
    topic_overlap,
)
from alignlab.bench.redteam._scripted import (
    WEAK_SPOTS,
    scripted_attacker,
    scripted_helpers,
    scripted_judge,
    scripted_targets,
    weak_target,
)
from alignlab.bench.redteam._task import (
    REDTEAM_DIRECTIONS,
    findings_task,
    redteam,
    redteam_findings,
    redteam_task,
)

__all__ = [
    "ATTACKS",
    "CATEGORIES",
    "CODECS",
    "DEFAULT_COMPOSITIONS",
    "FINDINGS_FORMAT",
    "REDTEAM_DIRECTIONS",
    "WEAK_SPOTS",
    "Agreement",
    "Attack",
    "AttackError",
    "Behaviour",
    "Codec",
    "Composition",
    "Finding",
    "JudgeVerdict",
    "RedteamMetrics",
    "RedteamRun",
    "TemplateAttack",
    "Turn",
    "behaviours",
    "benign_contrasts",
    "cohen_kappa",
    "findings_from_log",
    "findings_task",
    "get_attack",
    "is_findings_file",
    "is_redteam_log",
    "iter_attacks",
    "load_findings",
    "morse_normal",
    "on_topic",
    "parse_attacks",
    "parse_verdict",
    "past_tense",
    "readings",
    "redteam",
    "redteam_findings",
    "redteam_metrics",
    "redteam_task",
    "register",
    "run_redteam",
    "scripted_attacker",
    "scripted_helpers",
    "scripted_judge",
    "scripted_targets",
    "select",
    "split_payload",
    "topic_overlap",
    "weak_target",
    "write_findings",
]
