"""The ``youthsafe`` command.

Detection commands (``scan``, ``model``) run without Django so they start fast and work anywhere; every
other command is a Django management command (``serve``, ``demo``, ``audit``, ``migrate``...), passed through.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

_DETECTION_COMMANDS = {"scan", "model"}


def _detection_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="youthsafe", description="YouthSafe detection commands.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    from youthsafe.detection import commands, model_commands  # noqa: PLC0415  (start-up: Django commands skip them)

    commands.register(subparsers)
    model_commands.register(subparsers)
    args = parser.parse_args(list(argv))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    result: int = func(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _DETECTION_COMMANDS:
        return _detection_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  (start-up: scan runs without Django)

    if not args or args[0] in {"-h", "--help"}:
        print("youthsafe scan | model train | model evaluate: detection commands (youthsafe scan --help)")
        args = ["help"]
    execute_from_command_line(["youthsafe", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
