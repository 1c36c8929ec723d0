"""`bench profile` and `bench score` on scripted systems whose answers are known item by item."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from alignlab.bench import (
    compare_logs,
    honesty_items,
    metrics_from_log,
    read_log,
    refusal_items,
    render_report,
)
from alignlab.bench._scripted import scripted_policy
from alignlab.cli import main
from alignlab.detect import harm_term_hits

from .conftest import LIMIT, SystemFile

ITEMS = refusal_items()[:LIMIT]
SAFE = [i for i in ITEMS if i["kind"] != "unsafe"]
UNSAFE = [i for i in ITEMS if i["kind"] == "unsafe"]
FLAGGED_SAFE = sum(harm_term_hits(i["prompt"]) > 0 for i in SAFE)
FLAGGED_UNSAFE = sum(harm_term_hits(i["prompt"]) > 0 for i in UNSAFE)


def test_profile_axes_ranking_plot_and_ablation(
    system_file: SystemFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guards = (
        '[[guardrails]]\ntype = "input_filter"\nclassifier = "keyword"\n'
        '[[guardrails]]\ntype = "output_filter"\nclassifier = "keyword"\n'
    )
    files = [
        system_file("scripted-calibrated"),
        system_file("scripted-over-refuser"),
        system_file("scripted-comply-all"),
        system_file("scripted-comply-all", guards, name="guarded"),
    ]
    html = tmp_path / "profile.html"
    argv = ["bench", "profile", *map(str, files), "--suite", "refusal_calibration"]
    argv += ["--limit", str(LIMIT), "--log-dir", str(tmp_path / "logs"), "--html", str(html)]
    assert main([*argv, "--ablate-layers", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # every axis is the log's own rate, with its n
    for run in data["runs"]:
        axes = data["axes"][run["system"]]
        assert axes["over_refusal"] == run["overall"]["over_refusal"]
        assert axes["refusal_of_unsafe"]["rate"] == pytest.approx(
            1 - run["overall"]["unsafe_compliance"]["rate"]
        )
    axes = data["axes"]
    assert axes["scripted-over-refuser"]["over_refusal"]["count"] == FLAGGED_SAFE
    assert axes["scripted-comply-all"]["unsafe_compliance"]["count"] == len(UNSAFE)
    # ranking on failures: calibrated (0) beats all; the over-refuser (8 safe + 3 unsafe)
    # and the yes-man (15 unsafe) differ on 8 vs 12 items: not significant, a shared rank
    (ranking,) = data["rankings"]
    ranks = ranking["ranks"]
    assert ranks["scripted-calibrated"] == 1
    assert ranks["scripted-over-refuser"] == ranks["scripted-comply-all"] == 2
    # ablation of the guarded yes-man: the input filter costs the flagged safe items and
    # stops the flagged unsafe ones; the output filter (same classifier) adds nothing
    steps = {s["layer"]: s["comparison"] for s in data["ablations"]["guarded"]}
    assert list(steps) == ["+input_filter", "+output_filter"]
    first = {m["name"]: m for m in steps["+input_filter"]["metrics"]}
    assert first["over_refusal"]["delta"] == pytest.approx(FLAGGED_SAFE / len(SAFE))
    assert first["unsafe_compliance"]["delta"] == pytest.approx(-FLAGGED_UNSAFE / len(UNSAFE))
    second = {m["name"]: m for m in steps["+output_filter"]["metrics"]}
    assert second["over_refusal"]["delta"] == 0 and second["unsafe_compliance"]["delta"] == 0
    page = html.read_text(encoding="utf-8")
    assert page.count("<circle") == 4 + 1  # one point per system, plus the ideal
    assert "the trade-off" in page and "alignment tax per layer" in page
    assert "<script" not in page.lower()
    # --logs reuses the logs just written: same numbers, no new run
    before = len(list((tmp_path / "logs").glob("*.eval")))
    again = ["bench", "profile", *map(str, files[:3]), "--suite", "refusal_calibration"]
    assert main([*again, "--logs", str(tmp_path / "logs"), "--json"]) == 0
    reused = json.loads(capsys.readouterr().out)
    assert reused["axes"]["scripted-calibrated"] == axes["scripted-calibrated"]
    assert len(list((tmp_path / "logs").glob("*.eval"))) == before


def test_report_drills_down_to_the_items(
    system_file: SystemFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "run", str(system_file("scripted-over-refuser")), "--suite"]
    argv += ["refusal_calibration", "--limit", str(LIMIT), "--log-dir", str(tmp_path)]
    assert main([*argv, "--display", "none", "--no-realtime"]) == 0
    (log,) = tmp_path.glob("*.eval")
    assert read_log(log).eval.config.log_realtime is False  # --no-realtime reached Inspect
    m = metrics_from_log(log)
    refused_safe = {r["id"] for r in m.drilldown if r["outcome"] == "over_refusal"}
    assert refused_safe == {i["id"] for i in SAFE if harm_term_hits(i["prompt"]) > 0}
    html = tmp_path / "r.html"
    capsys.readouterr()
    assert main(["bench", "report", str(log), "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "<details>" in page and "inspect view --log-dir" in page
    flagged = next(i for i in SAFE if harm_term_hits(i["prompt"]) > 0)
    assert flagged["id"] in page and "full_refusal" in page
    # two runs of one system are told apart by when they ran
    later = read_log(log).model_copy(deep=True)
    later.eval.created = "2031-01-02T03:04:05+00:00"
    runs = [m, metrics_from_log(later)]
    assert runs[0].system == runs[1].system and runs[0].label != runs[1].label
    both = render_report(runs)
    assert runs[0].label in both and "scripted-over-refuser (2031-01-02 03:04)" in both


def _answers(path: Path, behaviour: str, drop: str | None = None, by_prompt: int = 0) -> Path:
    """All refusal items answered by a scripted behaviour, as a CSV of recorded answers."""
    policy = scripted_policy(behaviour)
    items = refusal_items()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prompt", "response"])
        for n, item in enumerate(items):
            if item["id"] == drop:
                continue
            answer = policy([{"role": "user", "content": item["prompt"]}])
            item_id = "" if n < by_prompt else item["id"]  # the first rows match by text
            writer.writerow([item_id, "  " + item["prompt"].upper(), answer])
        writer.writerow(["nope-1", "a request that is in no suite", "whatever"])
    return path


def test_score_recorded_answers_and_gate_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_csv = _answers(tmp_path / "base.csv", "calibrated", by_prompt=10)
    worse_csv = _answers(tmp_path / "worse.csv", "comply_all")
    lost_csv = _answers(tmp_path / "lost.csv", "calibrated", drop=refusal_items()[3]["id"])
    logs = {}
    for label, answers in (("base", base_csv), ("worse", worse_csv), ("lost", lost_csv)):
        argv = ["bench", "score", str(answers), "--suite", "refusal_calibration"]
        argv += ["--name", f"recorded-{label}", "--log-dir", str(tmp_path / label)]
        assert main([*argv, "--detector", "keyword"]) == 0
        err = capsys.readouterr().err
        assert "1 rows matched no item" in err  # counted, never dropped silently
        (logs[label],) = (tmp_path / label).glob("*.eval")
        assert f"_recorded-{label}_refusal-calibration_" in logs[label].name  # named after NAME
    total = len(refusal_items())
    base = read_log(logs["base"])
    recorded = (base.eval.metadata or {})["alignlab_recorded"]
    assert (recorded["rows"], recorded["matched"], recorded["unmatched_rows"]) == (
        total + 1,
        total,
        1,
    )
    assert recorded["unmatched_examples"] == ["nope-1"]
    m = metrics_from_log(logs["base"])
    assert m.system == "recorded-base" and m.errors == 0
    assert m.overall["over_refusal"].count == 0 and m.overall["unsafe_compliance"].count == 0
    # the lost item is an errored sample, so the gate fails on it
    lost = metrics_from_log(logs["lost"])
    assert lost.errors == 1
    assert main(["bench", "compare", str(logs["base"]), str(logs["lost"])]) == 2
    capsys.readouterr()
    # the yes-man's answers: every unsafe item complied with, a regression
    assert main(["bench", "compare", str(logs["base"]), str(logs["worse"])]) == 1
    result = compare_logs(logs["base"], logs["worse"])
    unsafe = {m.name: m for m in result.metrics}["unsafe_compliance"]
    assert unsafe.candidate_only == sum(i["kind"] == "unsafe" for i in refusal_items())
    assert unsafe.regression
    answered = {r["id"] for r in metrics_from_log(logs["worse"]).drilldown}
    assert answered == {i["id"] for i in refusal_items() if i["kind"] == "unsafe"}


def test_score_rejects_a_file_without_the_response_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "prompt": "p", "answer": "a"}\n', encoding="utf-8")
    argv = ["bench", "score", str(bad), "--suite", "honesty", "--name", "n"]
    assert main([*argv, "--log-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no column 'response'" in err and err.count("\n") == 1


def test_profile_reads_honesty_and_red_team_axes_from_the_logs(
    system_file: SystemFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    yes_man, calibrated = system_file("scripted-comply-all"), system_file("scripted-calibrated")
    logs = tmp_path / "logs"
    # a red-team run of one system, in the folder the profile writes to
    argv = ["bench", "redteam", str(yes_man), "--attacks", "plain,base64", "--limit", "3"]
    assert main([*argv, "--log-dir", str(logs), "--display", "none", "--json"]) == 0
    capsys.readouterr()
    html = tmp_path / "profile.html"
    argv = ["bench", "profile", str(yes_man), str(calibrated), "--suite", "honesty"]
    argv += ["--suite", "refusal_calibration", "--limit", "20", "--log-dir", str(logs)]
    assert main([*argv, "--json", "--html", str(html)]) == 0
    data = json.loads(capsys.readouterr().out)
    runs = {(r["system"], r["task"].split("/")[-1]): r for r in data["runs"]}
    for system in ("scripted-comply-all", "scripted-calibrated"):
        axes, honesty = data["axes"][system], runs[(system, "honesty")]
        assert axes["correct"] == honesty["overall"]["correct"]
        assert axes["confidently_wrong"] == honesty["overall"]["confidently_wrong"]
        for kind in ("false_premise", "sycophancy", "unanswerable"):
            assert axes[f"{kind}_correct"] == honesty["by_kind"][kind]["correct"]
            assert axes[f"{kind}_correct"]["total"] == 5  # 20 items interleave four kinds
    (red,) = [r for (s, t), r in runs.items() if "redteam" in t]
    assert red["system"] == "scripted-comply-all"
    success = data["axes"]["scripted-comply-all"]["attack_success"]
    assert success == red["overall"]["attack_success"] and success["total"] > 0
    assert "attack_success" not in data["axes"]["scripted-calibrated"]
    assert {r["suite"] for r in data["rankings"]} == {"honesty", "refusal_calibration"}
    # the trade-off plot: each point's tooltip carries both intervals and their n
    page = html.read_text(encoding="utf-8")
    for system in ("scripted-comply-all", "scripted-calibrated"):
        x = data["axes"][system]["over_refusal"]
        y = data["axes"][system]["refusal_of_unsafe"]
        title = (
            f"<title>{system}: over-refusal {100 * x['rate']:.1f}% "
            f"[{100 * x['ci'][0]:.1f}, {100 * x['ci'][1]:.1f}] (n={x['total']}), refusal of "
            f"unsafe {100 * y['rate']:.1f}% [{100 * y['ci'][0]:.1f}, {100 * y['ci'][1]:.1f}] "
            f"(n={y['total']})</title>"
        )
        assert title in page


def test_score_jsonl_with_named_columns_matches_by_prompt_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = scripted_policy("calibrated")
    items = honesty_items()
    answers = tmp_path / "prod.jsonl"
    with answers.open("w", encoding="utf-8") as handle:
        for n, item in enumerate(items[:8]):  # no id column: rows match by prompt text
            text = policy([{"role": "user", "content": item["prompt"]}])
            if n == 4:  # a checkable item, answered wrong without a hedge
                text = "It is definitely Atlantis, no doubt about it."
            handle.write(json.dumps({"question": item["prompt"], "answer": text}) + "\n")
        handle.write(json.dumps({"question": items[0]["prompt"], "answer": "again"}) + "\n")
        handle.write(json.dumps({"question": items[8]["prompt"], "answer": "  "}) + "\n")
        handle.write(json.dumps({"question": "not in the suite", "answer": "x"}) + "\n")
    argv = ["bench", "score", str(answers), "--suite", "honesty", "--name", "prod"]
    argv += ["--prompt-column", "question", "--response-column", "answer"]
    assert main([*argv, "--log-dir", str(tmp_path / "logs"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["system"] == "prod" and data["samples"] == len(items)
    # 8 answered, 7 correct; the empty answer and every unanswered item are errors
    assert items[4]["kind"] == "checkable"
    assert (data["overall"]["correct"]["count"], data["overall"]["correct"]["total"]) == (7, 8)
    wrong = [r["id"] for r in data["drilldown"] if r["outcome"] == "confidently_wrong"]
    assert wrong == [items[4]["id"]]  # the drill-down names the item that counts
    assert data["errors"] == len(items) - 8
    (log,) = (tmp_path / "logs").glob("*.eval")
    recorded = (read_log(log).eval.metadata or {})["alignlab_recorded"]
    assert (recorded["rows"], recorded["matched"], recorded["unmatched_rows"]) == (11, 8, 1)
    assert (recorded["duplicate_rows"], recorded["unanswered"]) == (1, len(items) - 8)
