"""``youthsafe supervision_nightly``: the job the operator schedules once a night (cron or a systemd timer).

    youthsafe supervision_nightly [--today 2026-03-18]

Flags orders whose rectification deadline has passed (delivered -> overdue), platforms under a plan whose
inspection is overdue, and disconnections or suspensions past their end date. Every flag is a compare-and-swap
with its audit row, so two overlapping runs flag each thing once; running it again flags nothing new.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.supervision.services import nightly


class Command(BaseCommand):
    help = ("Flag overdue rectification orders and inspection plans, sanctions past their end date, orders not "
            "delivered in time and late assessment reports.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD), for drills and tests")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: not a date: {options['today']!r} (use YYYY-MM-DD)") from exc
        report = nightly.run(today=today)
        self.stdout.write(f"flagged {len(report.orders)} overdue orders, {len(report.plans)} overdue inspections "
                          f"under plans, {len(report.sanctions)} sanctions past their end date, "
                          f"{len(report.undelivered)} orders issued but not delivered, "
                          f"{len(report.assessments)} assessment reports late")
