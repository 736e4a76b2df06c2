"""The ``crowdframe`` command.

The SDK owns the command and its ``listen`` subcommand; the gateway (installed with
``crowdframe[gateway]``) adds its own subcommands (``gateway``, ``create-client``, ``demo``)
when it is importable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crowdframe",
        description="Crowdframe: client-hosted tasks for crowd workers, in an iframe.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from ._listen import register as register_listen

    register_listen(commands)
    try:
        from crowdframe_gateway.cli import register
    except ImportError:
        gateway_missing = commands.add_parser(
            "gateway", help="run the gateway (needs: pip install 'crowdframe[gateway]')"
        )
        gateway_missing.set_defaults(run=_gateway_missing)
    else:
        register(commands)
    return parser


def _gateway_missing(args: argparse.Namespace) -> int:
    print("the gateway is not installed: pip install 'crowdframe[gateway]'", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crowdframe`` command."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    run: Command | None = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
