"""``youthsafe restore ARCHIVE --yes``: replace the database and add stored files from a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by 'youthsafe backup': checks every checksum and the database kind first, then "
            "REPLACES the whole database. Stop the web server and workers before running it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm that the current database is replaced")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("restore replaces the whole database: run again with --yes to confirm")
        if not options["archive"].is_file():
            raise CommandError(f"no such file: {options['archive']}")
        try:
            summary = restore(options["archive"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {summary.path} ({summary.vendor}, {summary.files} file(s))")
