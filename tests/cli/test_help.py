"""Every command's --help has a description, examples and shown defaults."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from alignlab.cli import build_parser, main


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


PARSERS = list(_parsers(build_parser()))


@pytest.mark.parametrize("parser", PARSERS, ids=[p.prog for p in PARSERS])
def test_every_command_has_a_description_and_an_example(
    parser: argparse.ArgumentParser,
) -> None:
    assert parser.description
    text = parser.format_help()
    assert "examples:\n  alignlab" in text
    # defaults are shown for every option that has one
    for action in parser._actions:
        if action.default not in (None, False, argparse.SUPPRESS, []) and action.help:
            assert "default" in parser._get_formatter()._expand_help(action), action.dest


def test_detect_help_shows_the_response_column_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["detect", "refusal", "--help"])
    assert "(default: completion)" in " ".join(capsys.readouterr().out.split())
