"""The README's test command does its own set-up, and CI runs exactly that command."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.lab._browser import CHROMIUM_ENV, ChromiumNotFound, find_chromium

ROOT = Path(__file__).resolve().parents[1]


def _commands(script: Path) -> list[str]:
    lines = script.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_readme_test_command_is_the_set_up_script() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block is not None
    second = block.group(1).splitlines()[1].split("#")[0].strip()
    assert second == "scripts/test"
    assert os.access(ROOT / "scripts" / "test", os.X_OK)


def test_ci_runs_only_the_readme_command() -> None:
    commands = _commands(ROOT / ".ci" / "run")
    allowed = {"set -euo pipefail", 'cd "$(dirname "$0")/.."', "exec scripts/test"}
    assert set(commands) <= allowed and "exec scripts/test" in commands


def test_set_up_script_installs_the_test_extra_chromium_and_runs_lint_types_and_pytest() -> None:
    text = "\n".join(_commands(ROOT / "scripts" / "test"))
    assert 'pip install -q -e ".[test]"' in text
    assert "apt-get install -y -qq chromium" in text
    for tool in ("-m ruff check", "-m mypy", "-m pytest"):
        assert tool in text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    test_extra = re.search(r"^test = \[\n(.*?)^\]", pyproject, re.S | re.M)
    assert test_extra is not None
    for package in ("pytest", "hypothesis", "playwright", "ruff", "mypy"):
        assert f'"{package}>=' in test_extra.group(1)


def test_explicit_browser_wins_and_a_wrong_one_is_one_clear_line(tmp_path: Path) -> None:
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    assert find_chromium({CHROMIUM_ENV: str(fake)}) == fake
    with pytest.raises(ChromiumNotFound, match="is not an executable file"):
        find_chromium({CHROMIUM_ENV: str(tmp_path / "missing")})


def test_browser_found_at_usual_places_or_on_path(tmp_path: Path) -> None:
    fake = tmp_path / "chromium-browser"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    assert find_chromium({"PATH": "/nonexistent"}, places=(str(fake),)) == fake
    assert find_chromium({"PATH": str(tmp_path)}, places=()) == fake
    with pytest.raises(ChromiumNotFound, match=r"apt-get install chromium.*ALIGNLAB_CHROMIUM"):
        find_chromium({"PATH": str(tmp_path / "empty")}, places=())


def test_set_up_script_stops_at_once_on_a_wrong_browser_setting(tmp_path: Path) -> None:
    # It must fail before installing anything, with the one line that says why.
    env = {**os.environ, CHROMIUM_ENV: str(tmp_path / "nope"), "PYTHON": "python3"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "test")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"chromium: {CHROMIUM_ENV}={tmp_path / 'nope'} is not an executable file"
    ]
    assert done.stdout == ""
