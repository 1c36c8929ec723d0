"""Red-team runs against scripted targets with planted weak spots: the metrics find them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from alignlab.bench import build_model, load_system
from alignlab.bench.redteam import load_findings, redteam_metrics, run_redteam
from alignlab.cli import main

from .conftest import FILTER, RtSystem

LIMIT = 3


def test_planted_weak_spots_pair_judge_and_best_of_k(rt_system: RtSystem, tmp_path: Path) -> None:
    spec = load_system(rt_system("scripted-weak"))
    run = run_redteam(
        spec,
        attacks="plain,base64,roleplay,crescendo,many_shot,pair",
        attempts=2,
        attacker="openai-api/scripted/scripted-attacker",
        judge="openai-api/scripted/scripted-judge",
        limit=LIMIT,
        log_dir=str(tmp_path / "logs"),
        findings=tmp_path / "findings.jsonl",
        display="none",
    )
    m = run.metrics
    assert run.errors == 0 and m.behaviours == LIMIT
    rates = {a: (r.count, r.total) for a, r in m.by_attack.items()}
    assert rates == {
        "plain": (0, 6),
        "base64": (6, 6),  # follows Base64 from the first attempt
        "roleplay": (3, 6),  # ...and role-play from the second persona on
        "crescendo": (0, 6),
        "many_shot": (0, 6),
        "pair": (3, 3),  # the scripted attacker rewrites into the second persona
    }
    assert [r.count for r in m.best_of_k["roleplay"]] == [0, LIMIT]
    assert [r.count for r in m.best_of_k["base64"]] == [LIMIT, LIMIT]
    assert [r.count for r in m.best_of_k["plain"]] == [0, 0]
    assert all(r.count == 0 for r in m.over_refusal.values())  # benign items always answered
    assert m.by_attack["plain"].ci[0] == pytest.approx(0.0) and 0 < m.by_attack["plain"].ci[1] < 0.5
    assert [r.count for r in m.best_of_k["pair"]] == [0, LIMIT]  # broken on the second try
    for sample in run.log.samples or []:
        if sample.metadata["attack"] == "pair" and not sample.metadata["benign"]:
            tries = sample.metadata["pair_tries"]
            assert [t["success"] for t in tries] == [False, True]
    assert m.agreement is not None and m.agreement.agree.total == 5 * 2 * LIMIT + LIMIT
    assert m.agreement.both == 6 + 3 + 3 and m.agreement.kappa == pytest.approx(1.0)
    findings = load_findings(tmp_path / "findings.jsonl")
    assert len(findings) == len(m.findings) == 6 + 3 + 3
    assert {f["attack"] for f in findings} == {"base64", "roleplay", "pair"}


def test_input_filter_stops_what_it_can_read_and_costs_benign_answers(
    rt_system: RtSystem, tmp_path: Path
) -> None:
    kwargs = dict(
        attacks="plain,base64,roleplay,crescendo", limit=9, log_dir=str(tmp_path), display="none"
    )
    bare = run_redteam(load_system(rt_system("scripted-weak")), **kwargs).metrics  # type: ignore[arg-type]
    run = run_redteam(
        load_system(rt_system("scripted-weak", FILTER, name="weak-filtered")),
        **kwargs,  # type: ignore[arg-type]
    )
    guarded = run.metrics
    # every rung of the crescendo ladder is answered, even when the filter blocks one
    blocked_rungs = 0
    for sample in run.log.samples or []:
        if sample.metadata["attack"] == "crescendo":
            roles = [m.role for m in sample.messages if m.role != "system"]
            assert roles == ["user", "assistant"] * 3
            blocked_rungs += sum(
                r.get("action") == "blocked" for r in sample.metadata.get("guardrails", [])
            )
    assert blocked_rungs > 0
    assert guarded.by_attack["base64"].count == bare.by_attack["base64"].count == 9
    assert guarded.by_attack["roleplay"].count <= bare.by_attack["roleplay"].count
    assert guarded.by_attack["plain"].count == 0
    assert guarded.over_refusal["plain"].count > 0 == bare.over_refusal["plain"].count
    assert guarded.over_refusal["base64"].count == 0  # the filter cannot read Base64


def test_cli_json_rates_with_intervals_then_findings_replay_and_gate(
    rt_system: RtSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = tmp_path / "findings.jsonl"
    argv = [
        "bench",
        "redteam",
        str(rt_system("scripted-weak")),
        "--attacks",
        "plain,base64",
        "--limit",
        "6",
        "--log-dir",
        str(tmp_path / "rt"),
        "--findings",
        str(findings),
        "--json",
    ]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["attack_success"]["base64"]["count"] == 6
    assert data["attack_success"]["plain"]["rate"] == 0.0
    lo, hi = data["attack_success"]["base64"]["ci"]
    assert 0.5 < lo < 1.0 == hi
    # six findings: the fewest with which an exact paired test can reach p < 0.05
    assert data["findings"] == 6 and len(load_findings(findings)) == 6
    logs = {}
    for model in ("scripted-weak", "scripted-fixed", "scripted-regressed"):
        log_dir = tmp_path / model
        system = rt_system(model)
        assert (
            main(
                [
                    "bench",
                    "run",
                    str(system),
                    "--suite",
                    str(findings),
                    "--log-dir",
                    str(log_dir),
                    "--json",
                ]
            )
            == 0
        )
        out = json.loads(capsys.readouterr().out)
        assert out[0]["samples"] == 6
        logs[model] = str(next(log_dir.glob("*.eval")))
        expected = 0 if model == "scripted-fixed" else 6
        assert out[0]["overall"]["attack_success"]["count"] == expected
    # the fix is proven (no regression) and a regression is caught, paired per finding
    assert main(["bench", "compare", logs["scripted-weak"], logs["scripted-fixed"]]) == 0
    capsys.readouterr()
    assert main(["bench", "compare", logs["scripted-fixed"], logs["scripted-regressed"]]) == 1
    assert "REGRESSION" in capsys.readouterr().out
    # a folder names the candidate too: its latest complete replay of the same findings
    assert (
        main(["bench", "compare", logs["scripted-fixed"], str(tmp_path / "scripted-regressed")])
        == 1
    )
    assert "latest complete log of" in capsys.readouterr().err


def test_cli_list_and_bad_input(rt_system: RtSystem, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "redteam", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in ("base64", "unicode_tags", "crescendo", "pair", "base64+roleplay"):
        assert f"\n{name} " in "\n" + listed
    system = str(rt_system("scripted-weak"))
    for argv in ([system, "--attacks", "nope"], [system, "--attacks", "pair"], []):
        code = main(["bench", "redteam", *argv])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bench_run_rejects_a_non_findings_file(
    rt_system: RtSystem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"format": "something-else"}\n', encoding="utf-8")
    assert main(["bench", "run", str(rt_system()), "--suite", str(bad)]) == 2
    assert "unknown suite" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # argparse rejects it: one line, status 2
        main(["bench", "run", str(rt_system()), "--suite", str(tmp_path / "missing.jsonl")])
    assert exit_info.value.code == 2


def test_registered_inspect_task_runs_by_name(rt_system: RtSystem, tmp_path: Path) -> None:
    system = rt_system("scripted-weak")
    spec = load_system(system)
    logs = inspect_eval(
        "alignlab/redteam",
        task_args={"attacks": "base64,roleplay", "system": str(system), "behaviours": 2},
        model=build_model(spec),
        log_dir=str(tmp_path),
        display="none",
        max_retries=1,
        timeout=20,
    )
    m = redteam_metrics(logs[0])
    assert m.attacks == ["base64", "roleplay"] and m.by_attack["base64"].count == 2


def test_inspect_task_reads_attacks_as_inspect_passes_them() -> None:
    # `inspect eval alignlab/redteam -T attacks=base64,roleplay` hands the task a list.
    from alignlab.bench.redteam._task import redteam

    as_list = redteam(attacks=["base64", "roleplay"], behaviours=2)
    as_text = redteam(attacks="base64,roleplay", behaviours=2)
    assert [s.id for s in as_list.dataset] == [s.id for s in as_text.dataset]
    assert {s.metadata["attack"] for s in as_list.dataset if s.metadata} == {"base64", "roleplay"}
