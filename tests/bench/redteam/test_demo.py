"""The red-team demo: the heat map shows the planted weak spots; the gate exits 0 then 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignlab.bench import render_report
from alignlab.bench.redteam._demo import run_redteam_demo
from alignlab.bench.redteam._report import redteam_section
from alignlab.cli import main


def test_demo_finds_the_planted_weak_spots_and_gates_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_redteam_demo(tmp_path / "rt", behaviours=6, attacks="plain,base64,hex,roleplay")
    weak, filtered = demo.metrics
    assert (weak.system, filtered.system) == ("scripted-weak", "scripted-weak-filtered")
    rates = {a: r.rate for a, r in weak.by_attack.items()}
    assert rates == {"plain": 0.0, "base64": 1.0, "hex": 0.0, "roleplay": 0.5}
    assert [r.rate for r in weak.best_of_k["roleplay"]] == [0.0, 1.0]
    # every category is broken by base64 and by nothing else in the first attempt
    assert all(weak.cells["base64"][c].rate == 1.0 for c in weak.categories)
    assert all(weak.cells["hex"][c].count == 0 for c in weak.categories)
    # behind the input filter Base64 still gets through; plain requests never do
    assert filtered.by_attack["base64"].rate == 1.0 and filtered.by_attack["plain"].count == 0
    assert filtered.by_attack["roleplay"].count < weak.by_attack["roleplay"].count
    assert sum(r.count for r in filtered.over_refusal.values()) > 0
    # the findings are the weak system's successes; fixed passes the gate, regressed fails
    assert demo.findings.is_file() and len(weak.findings) == 6 * 2 + 6
    assert [(b, c, status) for b, c, _, status in demo.gates] == [
        ("scripted-weak", "scripted-fixed", 0),
        ("scripted-fixed", "scripted-regressed", 1),
    ]
    logs = {name: str(log.location) for name, log in demo.replays.items()}
    assert main(["bench", "compare", logs["scripted-weak"], logs["scripted-fixed"]]) == 0
    assert main(["bench", "compare", logs["scripted-fixed"], logs["scripted-regressed"]]) == 1
    capsys.readouterr()
    # the report section: a heat map with intervals, the best-of-K curve, transcripts
    page = render_report([], sections=[redteam_section(demo.metrics)])
    assert "Red-teaming" in page and "best-of-K curve" in page and "<details>" in page
    assert "100%<small>[76, 100] 12/12</small>" in page  # base64, all: Wilson, count
    assert "<script" not in page
    # bench report picks the red-team section up from the logs
    html = tmp_path / "report.html"
    assert main(["bench", "report", str(tmp_path / "rt" / "logs"), "--html", str(html)]) == 0
    assert "Red-teaming" in html.read_text(encoding="utf-8")
