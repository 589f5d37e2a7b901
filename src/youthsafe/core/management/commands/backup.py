"""``youthsafe backup [--out FILE]``: the database and stored files in one verified archive (core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from youthsafe.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup or pg_dump) and stored files into one .tar.gz with "
            "checksums. Safe while the platform runs.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="archive path (default: var/backups/youthsafe-<time>.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["out"] or (Path(settings.VAR_DIR) / "backups" /
                                 f"youthsafe-{timezone.now():%Y%m%dT%H%M%SZ}.tar.gz")
        try:
            summary = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {summary.path} ({summary.vendor}, {summary.files} file(s), "
                          f"{summary.bytes:,} bytes)")
