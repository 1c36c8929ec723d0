import json
import subprocess
import sys

import pytest

from alignlab.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "alignlab" in capsys.readouterr().out


def test_list_json_includes_registered(toy: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    ids = [e["id"] for e in json.loads(capsys.readouterr().out)]
    assert toy in ids


def test_run_json_matches_library(toy: str, capsys: pytest.CaptureFixture[str]) -> None:
    import alignlab

    assert main(["run", toy, "--pressure", "0.3", "--seed", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(alignlab.run(toy, pressure=0.3, seed=4).to_dict()))


def test_run_summary_and_plot(toy: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "p.png"
    assert main(["run", toy, "--option", "tail=cauchy", "--plot", str(out)]) == 0
    text = capsys.readouterr().out
    assert "FR /100" in text and "tail=cauchy" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["run", "toy", "--pressure", "1.5"], "pressure must lie in [0, 1]"),
        (["run", "toy", "--fidelity", "abc"], "fidelity must be a number"),
        (["run", "toy", "--option", "tail=pareto"], "option 'tail' must be one of"),
        (["run", "toy", "--option", "nokey"], "KEY=VALUE"),
        (["run", "toy", "--option", "zzz=1"], "unknown option 'zzz'"),
        (["run", "toy", "--seed", "-3"], "seed"),
        (["run", "nope"], "unknown experiment 'nope'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    toy: str, argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:
        status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert needle in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_exit_code() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "alignlab", "run", "nope"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("alignlab: error: unknown experiment")
