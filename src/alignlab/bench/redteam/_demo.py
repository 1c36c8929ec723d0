"""The red-team part of `alignlab bench demo`: planted weak spots found, then gated.

Against scripted targets (canned answers, not models) on 127.0.0.1:

1. `scripted-weak` refuses plain requests but follows Base64 at once and role-play from
   the second persona on; `scripted-weak-filtered` is the same behind a keyword input
   filter. Both are red-teamed with every attack; the heat map shows exactly those weak
   spots (and that the filter, which cannot read Base64, stops only the role-play it
   can read, at the price of some benign over-refusal).
2. The weak system's successful attacks are written to a findings file.
3. The findings are replayed against the weak system, a `scripted-fixed` one and a
   `scripted-regressed` one (the fix with Base64 reopened), and gated with the paired
   test of `alignlab bench compare`: weak -> fixed passes (exit 0), fixed -> regressed
   fails (exit 1).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inspect_ai import Task, eval
from inspect_ai.log import EvalLog

from alignlab.bench._compare import Comparison, compare_logs, format_comparison
from alignlab.bench._stub import ScriptedServer
from alignlab.bench._system import load_system
from alignlab.bench.redteam._findings import findings_from_log, write_findings
from alignlab.bench.redteam._metrics import RedteamMetrics, redteam_metrics
from alignlab.bench.redteam._scripted import scripted_targets
from alignlab.bench.redteam._task import findings_task, redteam_task

KEY_ENV = "ALIGNLAB_SCRIPTED_API_KEY"
"""The variable the demo's system files name for the key (the scripts ignore it)."""

DEMO_BEHAVIOURS = 9
"""Behaviours the demo attacks (the first 9 span all 9 categories), with their contrasts."""

DEMO_ATTEMPTS = 2
"""Attempts per attack in the demo (role-play opens on the second)."""

DEMO_ATTACKS = (
    "plain,base64,hex,rot13,homoglyph,unicode_tags,roleplay,fiction,past_tense,"
    "prefix_injection,refusal_suppression,many_shot,crescendo,base64+roleplay"
)
"""Attacks the demo runs: one or more of every family (`all` works too, in twice the time)."""

FILTER = '\n[[guardrails]]\ntype = "input_filter"\nclassifier = "keyword"\n'

ATTACKED: dict[str, tuple[str, str]] = {
    "scripted-weak": ("scripted-weak", ""),
    "scripted-weak-filtered": ("scripted-weak", FILTER),
}
"""Systems the demo red-teams: name -> (scripted model, guardrail TOML)."""

REPLAYED: tuple[str, ...] = ("scripted-weak", "scripted-fixed", "scripted-regressed")
"""Systems the findings are replayed against, in gate order."""


@dataclass(frozen=True)
class RedteamDemo:
    """What the red-team demo wrote.

    Attributes:
        out: its directory.
        metrics: the red-team metrics of each attacked system.
        findings: the findings file (from `scripted-weak`).
        replays: the replay log of each system in `REPLAYED`.
        gates: (base, candidate, comparison, exit status of `bench compare`) per gate.
    """

    out: Path
    metrics: list[RedteamMetrics]
    findings: Path
    replays: dict[str, EvalLog]
    gates: list[tuple[str, str, Comparison, int]]


def _toml(name: str, model: str, base_url: str, guardrails: str) -> str:
    return (
        "# A SCRIPTED red-team target written by `alignlab bench demo`: canned answers.\n"
        f'name = "{name}"\n\n[model]\nname = "openai-api/scripted/{model}"\n'
        f'base_url = "{base_url}"\napi_key_env = "{KEY_ENV}"\n\n'
        "[generation]\ntemperature = 0.0\nmax_retries = 2\ntimeout = 120\nattempt_timeout = 60\n"
        # The keyword detector reads the scripts' canned answers as the trained one does,
        # thousands of times faster; a real system would keep the trained default.
        '\n[scoring]\nrefusal_detector = "keyword"\n'
        f"{guardrails}"
    )


def _eval(tasks: list[tuple[str, Task]], log_dir: Path, max_connections: int) -> list[EvalLog]:
    return eval(
        [t for _, t in tasks],
        log_dir=str(log_dir),
        display="none",
        max_tasks=len(tasks),
        max_connections=max_connections,
        fail_on_error=False,
        score_display=False,
        max_retries=2,
        timeout=120,
        attempt_timeout=60,
        log_buffer=100,
    )


def run_redteam_demo(
    out: str | Path,
    *,
    behaviours: int = DEMO_BEHAVIOURS,
    attempts: int = DEMO_ATTEMPTS,
    attacks: str = DEMO_ATTACKS,
    max_connections: int = 50,
    on_progress: Callable[[str], None] | None = None,
) -> RedteamDemo:
    """Run the red-team demo into `out` (see the module docstring)."""
    from alignlab.bench._run import build_model

    say = on_progress or (lambda _message: None)
    root = Path(out)
    (root / "systems").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(KEY_ENV, "scripted-no-key")
    with ScriptedServer(scripted_targets()) as server:
        specs = {}
        for name, (model, guardrails) in {
            **ATTACKED,
            **{n: (n, "") for n in REPLAYED if n not in ATTACKED},
        }.items():
            path = root / "systems" / f"{name}.toml"
            path.write_text(_toml(name, model, server.base_url, guardrails), encoding="utf-8")
            specs[name] = load_system(path)
        say(f"red-teaming {', '.join(ATTACKED)} (scripted, planted weak spots: base64, roleplay)")
        tasks = []
        for name in ATTACKED:
            task = redteam_task(specs[name], attacks=attacks, attempts=attempts, limit=behaviours)
            task.model = build_model(specs[name], max_connections)
            tasks.append((name, task))
        logs = _eval(tasks, root / "logs", max_connections)
        metrics = [redteam_metrics(log) for log in logs]
        findings = write_findings(findings_from_log(logs[0]), root / "findings.jsonl")
        say(f"replaying {findings} against {', '.join(REPLAYED)}")
        replay_tasks = []
        for name in REPLAYED:
            task = findings_task(str(findings), specs[name])
            task.model = build_model(specs[name], max_connections)
            replay_tasks.append((name, task))
        replays = dict(
            zip(REPLAYED, _eval(replay_tasks, root / "logs", max_connections), strict=True)
        )
    gates = []
    texts = []
    for base, candidate in itertools.pairwise(REPLAYED):
        comparison = compare_logs(replays[base], replays[candidate])
        status = 1 if comparison.regressed else 0
        gates.append((base, candidate, comparison, status))
        texts.append(
            f"== findings replay: {base} (base) vs {candidate} (candidate): exit {status}\n"
            f"{format_comparison(comparison)}\n"
        )
    (root / "gate.txt").write_text("\n".join(texts), encoding="utf-8")
    return RedteamDemo(root, metrics, findings, replays, gates)
