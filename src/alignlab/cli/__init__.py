"""The `alignlab` command line: thin wrappers that parse, call the library and print.

Each subcommand lives in its own module exposing `add_parser(subparsers)`; the parser
stores the handler in `func`. Any `AlignlabError` (bad input) becomes one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from alignlab._version import __version__
from alignlab.cli import _bench, _detect, _experiments, _lab, _sweep
from alignlab.core import AlignlabError

# Each module here adds its subcommands; order is the order shown in --help.
COMMAND_MODULES = [_experiments, _lab, _sweep, _bench, _detect]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the full `alignlab` parser with every subcommand."""
    parser = _Parser(
        prog="alignlab",
        description="Make the alignment gap visible and measurable.",
    )
    parser.add_argument("--version", action="version", version=f"alignlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMAND_MODULES:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return its exit status (0 ok, 1 a failed check, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except AlignlabError as exc:
        print(f"alignlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("alignlab: interrupted", file=sys.stderr)
        return 130
    return status


def _entry() -> NoReturn:  # pragma: no cover - exercised through the console script
    sys.exit(main())
