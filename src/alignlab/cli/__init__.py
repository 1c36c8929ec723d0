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


EXAMPLES: dict[str, tuple[str, ...]] = {
    "alignlab": ("alignlab list", "alignlab run goodhart --pressure 0.9 --fidelity 0.3"),
    "alignlab list": ("alignlab list", "alignlab list --json"),
    "alignlab run": (
        "alignlab run goodhart --pressure 0.9 --fidelity 0.3 --oversight 0 --seed 1",
        "alignlab run spec-gaming --option world=absent-supervisor --plot gaming.png",
    ),
    "alignlab lab": ("alignlab lab", "alignlab lab --port 8080 --no-browser"),
    "alignlab bench": ("alignlab bench demo", "alignlab bench run my-bot.toml"),
    "alignlab bench init": (
        "alignlab bench init local --out my-bot.toml",
        "alignlab bench init suite --out my_suite.jsonl",
    ),
    "alignlab bench run": (
        "alignlab bench run my-bot.toml --limit 50",
        "alignlab bench run my-bot.toml --suite xstest --xstest xstest.csv --log-dir logs/cand",
        "alignlab bench run my-bot.toml --model openai-api/local/qwen2 --suite my_suite.jsonl",
        "alignlab bench run --model openai-api/local/llama3 --base-url http://127.0.0.1:8080/v1",
    ),
    "alignlab bench compare": (
        "alignlab bench compare logs/base/BASE.eval logs/cand/  # the latest complete log there",
    ),
    "alignlab bench report": ("alignlab bench report logs/ --html report.html",),
    "alignlab bench rescore": ("alignlab bench rescore run.eval --detector keyword --out kw.eval",),
    "alignlab bench demo": ("alignlab bench demo --out demo",),
    "alignlab bench profile": (
        "alignlab bench profile a.toml b.toml c.toml --html profile.html",
        "alignlab bench profile a.toml b.toml --logs logs/ --json",
    ),
    "alignlab bench score": (
        "alignlab bench score answers.csv --suite refusal_calibration --name prod-bot",
    ),
    "alignlab bench redteam": (
        "alignlab bench redteam --list",
        "alignlab bench redteam my-bot.toml --attacks base64,roleplay --findings findings.jsonl",
    ),
    "alignlab sweep": (
        "alignlab sweep goodhart --pressure 0:1:6 --fidelity 0,1 --seeds 0:4 --out g.parquet",
        "alignlab sweep summary g.parquet --where fidelity=1",
    ),
    "alignlab sweep plot": (
        "alignlab sweep plot g.parquet --x pressure --hue fidelity --metric true --out g.png",
    ),
    "alignlab sweep summary": ("alignlab sweep summary g.parquet --where fidelity=1",),
    "alignlab detect": ("alignlab detect refusal --input answers.csv --output labelled.csv",),
    "alignlab detect refusal": (
        "alignlab detect refusal --input answers.csv --response-column answer",
        "alignlab detect refusal --input xstest.csv --label-column final_label",
    ),
    "alignlab detect harm": ("alignlab detect harm --input prompts.jsonl --output labelled.jsonl",),
}
"""Examples shown at the end of each command's --help (a test checks every command has one)."""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the epilog's line breaks and shows every option's default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS, []):
            return text
        return text + " (default: %(default)s)"


def _finish_help(parser: argparse.ArgumentParser) -> None:
    """Give every (sub)command a description, its examples and shown defaults."""
    parser.formatter_class = _HelpFormatter
    examples = EXAMPLES.get(parser.prog, ())
    words = parser.prog.split()
    if not examples and words[:2] == ["alignlab", "sweep"] and len(words) == 3:
        # one subcommand per experiment, all alike
        examples = (f"alignlab sweep {words[2]} --pressure 0:1:6 --seeds 0:4 --out sweep.parquet",)
    if examples:
        lines = "\n".join(f"  {e}" for e in examples)
        parser.epilog = (
            f"{parser.epilog}\n\nexamples:\n{lines}" if parser.epilog else (f"examples:\n{lines}")
        )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not sub.description and helps.get(name):
                    sub.description = str(helps[name])[0].upper() + str(helps[name])[1:] + "."
                _finish_help(sub)


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
    _finish_help(parser)
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
