"""Property: whatever a client or a user sends, never a 500 and never a traceback.

API bodies, query strings and CLI arguments are drawn by Hypothesis; every answer is a
success, or a 4xx / exit 2 with one sentence saying what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from alignlab.cli import main
from alignlab.lab import create_app
from tests.lab.conftest import SMALL_GRID, registered_labtoy

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**400)
    | st.floats()
    | st.text(max_size=12)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_bodies = st.fixed_dictionaries(
    {},
    optional={
        "experiment": st.sampled_from(["labtoy", "toy-missing", "nope", ""]) | _json,
        "params": st.dictionaries(st.sampled_from(["pressure", "fidelity", "oversight"]), _json)
        | _json,
        "options": st.dictionaries(st.sampled_from(["tail", "audit", "scale", "x"]), _json) | _json,
        "seed": _json,
    },
)
_raw_bodies = st.binary(max_size=200) | _bodies.map(lambda b: json.dumps(b).encode())
_content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "", "application/xml"]
)
_query = st.dictionaries(
    st.sampled_from(["seed", "tail", "audit", "scale", "x", ""]),
    st.text(max_size=20) | st.integers(min_value=-(10**50), max_value=10**400).map(str),
    max_size=4,
)
_hosts = st.sampled_from(["127.0.0.1", "localhost:8000", "evil.example", "", "[::1]"])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with registered_labtoy():
        app = create_app(cache_dir=tmp_path_factory.mktemp("surfaces"), grid=SMALL_GRID)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            yield client


def _one_sentence_error(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, response.text  # type: ignore[attr-defined]
    if status >= 400:
        message = response.json()["error"]  # type: ignore[attr-defined]
        assert isinstance(message, str) and message and "\n" not in message
        assert "Traceback" not in message


_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_settings
@given(body=_raw_bodies, content_type=_content_types, host=_hosts)
def test_api_run_never_500(api: TestClient, body: bytes, content_type: str, host: str) -> None:
    headers = {"host": host}
    if content_type:
        headers["content-type"] = content_type
    _one_sentence_error(api.post("/api/run", content=body, headers=headers))


@_settings
@given(
    experiment=st.sampled_from(["labtoy", "nope", "..", "%00"]) | st.text(max_size=10),
    query=_query,
)
def test_api_surface_query_never_500(
    api: TestClient, experiment: str, query: dict[str, str]
) -> None:
    response = api.get(f"/api/surface/{quote(experiment, safe='')}", params=query)
    if response.status_code != 200:
        _one_sentence_error(response)


_words = st.sampled_from(
    [
        "run",
        "list",
        "lab",
        "bench",
        "detect",
        "refusal",
        "harm",
        "compare",
        "report",
        "rescore",
        "init",
        "goodhart",
        "spec-gaming",
        "--pressure",
        "--fidelity",
        "--seed",
        "--option",
        "--json",
        "--port",
        "--limit",
        "--alpha",
        "--input",
        "--output",
        "--detector",
        "--batch-size",
        "nan",
        "inf",
        "-1",
        "2",
        "1e999",
        "99999999999999999999",
        "tail=cauchy",
        "x=y",
        "=",
        "",
    ]
) | st.text(max_size=10)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(argv=st.lists(_words, max_size=6))
def test_cli_never_tracebacks(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if argv[:1] == ["lab"] or "lab" in argv[:1] or (argv[:2] == ["bench", "demo"]):
        return  # `lab` serves forever and `bench demo` runs a minute: fuzzed elsewhere
    if argv[:2] in (["bench", "run"],) and len(argv) > 2:
        argv = [*argv, "--log-dir", str(tmp_path / "logs")]
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2)
        code = exit_.code if isinstance(exit_.code, int) else 2
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, captured.err)
    assert "Traceback" not in captured.err
    if code == 2:
        lines = captured.err.strip().split("\n")  # \x1e in an argument is not a line break
        assert lines and lines[-1].startswith(("alignlab", "usage")), captured.err
        assert len([ln for ln in lines if "error" in ln]) == 1, captured.err
