"""``youthsafe audit verify``: check the hash chain of the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.core.audit import verify_chain
from youthsafe.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and exits 1 when any row was altered or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="what to do")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for problem in verify_chain():
            problems += 1
            self.stderr.write(f"event {problem.event_id}: {problem.problem}")
        total = AuditEvent.objects.count()
        if problems:
            raise CommandError(f"audit chain broken: {problems} problem(s) in {total} events")
        self.stdout.write(f"audit chain intact: {total} events verified")
