"""Command-line parsing for ``youthsafe report`` and ``youthsafe stats``: bad or missing arguments end the
command with one line saying why (and exit status 2, argparse's status for a usage error), not argparse's
whole usage block; ``--help`` still prints the usage."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser


class OneLineParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"{self.prog}: {message} (see --help)\n")
        raise CommandError(f"Error: {message}")


class OneLineErrors(BaseCommand):
    """A command whose argument errors are one line."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser
        return parser
