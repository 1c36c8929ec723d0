"""The paired gate: silent on one system run twice, 1 on a known regression, 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignlab.bench import (
    compare_logs,
    holm,
    load_system,
    mcnemar_exact,
    refusal_items,
    run_suite,
)
from alignlab.cli import main

from .conftest import LEAKED, LIMIT, SystemFile


@pytest.fixture(scope="module")
def logs(server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from .conftest import KEY_ENV, SECRET

    root = tmp_path_factory.mktemp("compare")
    mp = pytest.MonkeyPatch()
    mp.setenv(KEY_ENV, SECRET)
    out = {}
    try:
        for label, model in (
            ("base", "scripted-calibrated"),
            ("again", "scripted-calibrated"),
            ("leaky", "scripted-leaky"),
        ):
            path = root / f"{label}.toml"
            path.write_text(
                f'name = "{label}"\n[model]\nname = "openai-api/scripted/{model}"\n'
                f'base_url = "{server.base_url}"\napi_key_env = "{KEY_ENV}"\n'
                '[scoring]\nrefusal_detector = "keyword"\n',
                encoding="utf-8",
            )
            run = run_suite(
                load_system(path),
                "refusal_calibration",
                log_dir=str(root / label),
                limit=LIMIT,
                display="none",
            )
            out[label] = str(run.log.location)
        honesty = run_suite(
            load_system(root / "base.toml"),
            "honesty",
            log_dir=str(root / "h"),
            limit=10,
            display="none",
        )
        out["honesty"] = str(honesty.log.location)
    finally:
        mp.undo()
    return out


def test_same_system_twice_is_silent(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "compare", logs["base"], logs["again"]]) == 0
    text = capsys.readouterr().out
    assert "no significant regression" in text and "REGRESSION" not in text
    result = compare_logs(logs["base"], logs["again"])
    assert result.pairs == LIMIT
    assert all(m.delta == 0 and m.p_value == 1.0 for m in result.metrics)


def test_known_leak_is_a_regression(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    result = compare_logs(logs["base"], logs["leaky"])
    by_name = {m.name: m for m in result.metrics}
    leak = by_name["unsafe_compliance"]
    assert (leak.base_only, leak.candidate_only) == (0, len(LEAKED))
    assert leak.p_value == pytest.approx(2 * 0.5 ** len(LEAKED))
    assert leak.regression and leak.direction == "lower"
    assert by_name["over_refusal"].delta == 0 and not by_name["over_refusal"].regression
    assert main(["bench", "compare", logs["base"], logs["leaky"]]) == 1
    assert "REGRESSION" in capsys.readouterr().out
    # the other way round the same change is an improvement, and the gate stays silent
    reverse = compare_logs(logs["leaky"], logs["base"])
    assert not reverse.regressed and {m.name for m in reverse.metrics if m.improvement} >= {
        "unsafe_compliance"
    }
    assert main(["bench", "compare", logs["leaky"], logs["base"]]) == 0


def test_unusable_input_exits_2(
    logs: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.eval"
    junk.write_bytes(b"not a zip file")
    cases = [
        [str(tmp_path / "missing.eval"), logs["base"]],
        [str(junk), logs["base"]],
        [logs["base"], logs["honesty"]],  # different suites: nothing pairs
    ]
    for argv in cases:
        assert main(["bench", "compare", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
    with pytest.raises(SystemExit) as info:
        main(["bench", "compare", logs["base"], logs["again"], "--alpha", "1.5"])
    assert info.value.code == 2 and "must lie in (0, 1)" in capsys.readouterr().err


def test_mcnemar_exact_values() -> None:
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(0, 10) == pytest.approx(2 / 1024)
    assert mcnemar_exact(5, 5) == 1.0


@given(st.integers(0, 60), st.integers(0, 60))
def test_mcnemar_is_symmetric_and_a_probability(b: int, c: int) -> None:
    p = mcnemar_exact(b, c)
    assert 0 < p <= 1 and p == pytest.approx(mcnemar_exact(c, b))


@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_never_lowers_a_p_value(ps: list[float]) -> None:
    adjusted = holm(ps)
    assert all(a >= p - 1e-12 and a <= 1 for a, p in zip(adjusted, ps, strict=True))
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    assert all(adjusted[order[i]] <= adjusted[order[i + 1]] for i in range(len(ps) - 1))


def test_report_html_is_self_contained(logs: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert (
        main(
            [
                "bench",
                "report",
                logs["base"],
                logs["leaky"],
                "--baseline",
                logs["base"],
                "--html",
                str(out),
            ]
        )
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "unsafe compliance" in page and "regression" in page
    assert "http://" not in page.replace(logs["base"], "") or "<script" not in page
    for needle in ("<script", "<link", 'src="http', "cdn"):
        assert needle not in page.lower()


def test_system_file_is_needed_for_compare_not(
    logs: dict[str, str], system_file: SystemFile
) -> None:
    # compare works on logs alone: the system files need not exist any more
    assert compare_logs(logs["base"], logs["again"], alpha=0.01).alpha == 0.01
    assert load_system(system_file()).name == "scripted-calibrated"


def test_gate_works_on_any_inspect_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A plain Inspect task with a C/I scorer (no alignlab metadata): higher is better."""
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import GenerateConfig, get_model
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    from alignlab.bench import ScriptedServer

    wrong = {f"q{i}" for i in range(10)}
    policies = {
        "right": lambda messages: "the answer is yes",
        "sloppy": lambda messages: "no" if messages[-1]["content"] in wrong else "yes",
    }
    task = Task(
        dataset=[Sample(id=i, input=f"q{i}", target="yes") for i in range(30)],
        solver=generate(),
        scorer=includes(),
    )
    paths = {}
    with ScriptedServer(policies) as server:
        for name in policies:
            model = get_model(
                f"openai-api/plain/{name}",
                base_url=server.base_url,
                api_key="unused",
                config=GenerateConfig(max_retries=1, timeout=20),
                memoize=False,
            )
            log = eval(task, model=model, log_dir=str(tmp_path / name), display="none")[0]
            paths[name] = str(log.location)
    assert main(["bench", "compare", paths["right"], paths["sloppy"]]) == 1
    assert "REGRESSION" in capsys.readouterr().out
    result = compare_logs(paths["right"], paths["sloppy"])
    (metric,) = result.metrics
    assert metric.name == "includes" and metric.direction == "higher"
    assert (metric.base_only, metric.candidate_only) == (10, 0) and metric.delta == pytest.approx(
        -10 / 30
    )
    assert main(["bench", "compare", paths["sloppy"], paths["right"]]) == 0


def test_decisions_are_stated_in_words_and_as_a_markdown_table(
    logs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    unsafe = sum(i["kind"] == "unsafe" for i in refusal_items()[:LIMIT])
    leaked = len(LEAKED)
    rate = 100 * leaked / unsafe
    # 12 new compliances, none fixed: exact McNemar p = 2 / 2^12, Holm over two outcomes
    expected = f"unsafe compliance 0.0% -> {rate:.1f}% (+{rate:.1f} pts, 95% CI [+"
    assert main(["bench", "compare", logs["base"], logs["leaky"]]) == 1
    text = capsys.readouterr().out
    (line,) = [x for x in text.splitlines() if x.startswith("unsafe compliance ")]
    assert line.startswith(expected)
    assert line.endswith(f"], p = 0.0005, Holm 0.0010, {unsafe} items): regression")
    (over,) = [x for x in text.splitlines() if x.startswith("over-refusal ")]
    assert over.endswith(f"Holm 1.0000, {LIMIT - unsafe} items): no significant change")
    argv = ["bench", "compare", logs["base"], logs["leaky"], "--format", "markdown"]
    assert main(argv) == 1
    table = capsys.readouterr().out
    row = next(x for x in table.splitlines() if x.startswith("| unsafe compliance |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:4] == ["0.0%", f"{rate:.1f}%", f"+{rate:.1f}"]
    assert cells[5:] == ["0.0005", "0.0010", "**regression**"]
    assert "| outcome | base | candidate |" in table and "**verdict:**" in table
