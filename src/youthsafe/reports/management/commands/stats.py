"""``youthsafe stats --from D --to D [--jurisdiction J] [--json]``: every indicator for a period."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from youthsafe.core import indicators as ind
from youthsafe.reports import stats
from youthsafe.reports.commandline import OneLineErrors


class Command(OneLineErrors):
    help = "Every indicator for a period and a jurisdiction subtree (default: all), as a table or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--jurisdiction", default="", help="code (e.g. JC) or id; default: all")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = stats.scope_for(None, options["date_from"], options["date_to"], options["jurisdiction"])
        except stats.ScopeError as exc:
            raise CommandError(str(exc)) from exc
        figures = stats.figures(ind.all_indicators(), scope, breakdown=True)
        if options["json"]:
            payload = {
                "from": scope.start.isoformat(), "to": scope.end.isoformat(),
                "jurisdiction": scope.jurisdiction.code if scope.jurisdiction else None,
                "jurisdiction_name": scope.place_name,
                "indicators": {f.key: f.value for f in figures},
                "details": [{"key": f.key, "label": str(f.indicator.label), "unit": str(f.indicator.unit),
                             "definition": str(f.indicator.definition), "value": f.value,
                             "breakdown": {v: n for v, _label, n in f.breakdown}} for f in figures],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{scope.place_name} {scope.start} .. {scope.end}")
        width = max((len(f.key) for f in figures), default=10)
        for f in figures:
            self.stdout.write(f"{f.key:<{width}}  {f.value:>10}  {f.indicator.label}")
