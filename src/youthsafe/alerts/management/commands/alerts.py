"""``youthsafe alerts``: export, escalate (the periodic job), notify (retry the outbox), labels (training data).

    youthsafe alerts export --json [--status S] [--out FILE]
    youthsafe alerts escalate [--now 2026-01-01T12:00:00+08:00]
    youthsafe alerts notify [--now ...]
    youthsafe alerts labels --out FILE.jsonl [--kind level|category|all]
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from youthsafe.alerts import exports, notifications
from youthsafe.alerts.models import Alert
from youthsafe.alerts.services import escalate_overdue


def _when(raw: str | None) -> dt.datetime:
    if not raw:
        return timezone.now()
    try:
        value = parse_datetime(raw)
    except ValueError:  # well formed but not a real time, such as 2026-02-30
        value = None
    if value is None:
        raise CommandError(f"--now: not a date and time: {raw!r} (use ISO 8601, e.g. 2026-01-01T12:00:00+08:00)")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class Command(BaseCommand):
    help = "Early-warning alerts: export, escalate overdue steps, send notifications, write training labels."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="alerts with their post ids, levels, categories and states")
        export.add_argument("--json", action="store_true", help="write JSON (the only format)")
        export.add_argument("--status", default="", help="only alerts in this state")
        export.add_argument("--out", default="-", help="output file (default: standard output)")
        for name, text in (("escalate", "mark overdue steps, escalate to leaders, retry notifications"),
                           ("notify", "send due notifications from the outbox (retries with backoff)")):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--now", help="pretend the time is this (ISO 8601), for drills and tests")
        labels = sub.add_parser("labels", help="reviewer labels as JSONL for `youthsafe model train`")
        labels.add_argument("--out", required=True, help="JSONL file to write")
        labels.add_argument("--kind", choices=["level", "category", "all"], default="level")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self._export(options)
        elif action == "escalate":
            now = _when(options.get("now"))
            report = escalate_overdue(now)
            sent, failed = notifications.deliver(now=now)
            self.stdout.write(f"escalated {len(report.alerts)} alerts, {len(report.dispatches)} dispatches; "
                              f"notifications sent {sent}, failed {failed}")
        elif action == "notify":
            sent, failed = notifications.deliver(now=_when(options.get("now")))
            self.stdout.write(f"notifications sent {sent}, failed {failed}")
        elif action == "labels":
            kind = None if options["kind"] == "all" else options["kind"]
            count = exports.write_labels(Path(options["out"]), kind=kind)
            self.stderr.write(f"wrote {count} labels to {options['out']}")

    def _export(self, options: dict[str, Any]) -> None:
        if not options["json"]:
            raise CommandError("give --json (the export format)")
        alerts = Alert.objects.select_related("jurisdiction").order_by("id")
        if options["status"]:
            alerts = alerts.filter(status=options["status"])
        records = []
        for index, alert in enumerate(alerts.iterator(chunk_size=500), start=1):
            records.append(exports.alert_record(alert))
            if index % 1000 == 0:
                self.stderr.write(f"  {index} alerts…")
        text = json.dumps(records, ensure_ascii=False, indent=1)
        if options["out"] == "-":
            self.stdout.write(text)
        else:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        self.stderr.write(f"exported {len(records)} alerts")
