"""``youthsafe retention list|purge [--dry-run] [--only KEY ...]``: retention limits of personal data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.core import retention


class Command(BaseCommand):
    help = ("Retention of personal data. 'list' shows each kind, its period and what a purge removes; 'purge' "
            "redacts what is past its period (one audit row per kind purged). Schedule 'purge' nightly. "
            "Periods: YOUTHSAFE_RETENTION_DAYS='pipeline.unalerted_posts=90,...'.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "purge"])
        parser.add_argument("--dry-run", action="store_true", help="count what would be purged, change nothing")
        parser.add_argument("--only", nargs="+", metavar="KEY", help="only these kinds (keys from 'list')")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            try:
                retention.check_configuration(retention.all_rules())
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            for rule in retention.all_rules():
                self.stdout.write(f"{rule.key:<30} {rule.days():>5} days  {rule.label}: removes {rule.removes}")
            return
        try:
            results = retention.run(dry_run=options["dry_run"], only=set(options["only"]) if options["only"] else None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would purge" if options["dry_run"] else "purged"
        for result in results:
            self.stdout.write(f"{result.rule.key:<30} {verb} {result.records} record(s) older than "
                              f"{result.days} days (before {result.cutoff:%Y-%m-%d %H:%M})")
        total = sum(r.records for r in results)
        self.stdout.write(f"retention: {verb} {total} record(s) in {len(results)} kind(s)")
