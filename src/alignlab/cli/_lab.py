"""`alignlab lab`: serve the live Lab page on this machine and open it in a browser."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from alignlab.core import ParameterError


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the `lab` subcommand."""
    lab = sub.add_parser(
        "lab",
        help="open the live Lab page (three sliders, the agent loop, FR /100)",
        description="Serve the Lab page locally and open it in your browser.",
    )
    lab.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1); its name is also accepted in the Host "
        "header, beside localhost and 127.0.0.1",
    )
    lab.add_argument("--port", default="8000", help="port to listen on (default 8000)")
    lab.add_argument(
        "--no-browser", action="store_true", help="do not open a browser (headless, CI)"
    )
    lab.set_defaults(func=cmd_lab)


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise ParameterError(f"--port must be a whole number in [0, 65535]; got {raw!r}") from None
    if not 0 <= port <= 65535:
        raise ParameterError(f"--port must be a whole number in [0, 65535]; got {raw!r}")
    return port


def cmd_lab(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl+C."""
    port = _port(args.port)
    import logging

    from alignlab.lab import default_app, open_browser, serve

    # Surface computations take seconds: say when each starts and ends, and how long.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("alignlab lab: %(message)s"))
    lab_log = logging.getLogger("alignlab.lab")
    lab_log.addHandler(handler)
    lab_log.setLevel(logging.INFO)

    def ready(url: str) -> None:
        print(f"alignlab lab: serving {url} (Ctrl+C to stop)", flush=True)
        if not args.no_browser and not open_browser(url):
            print("alignlab lab: no browser found; open the address above", file=sys.stderr)

    serve(default_app(args.host), host=args.host, port=port, on_ready=ready)
    return 0
