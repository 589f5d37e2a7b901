"""``youthsafe report --from D --to D --jurisdiction J --template NAME --format md|docx|pdf --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from youthsafe.core import audit
from youthsafe.core import indicators as ind
from youthsafe.core.documents import DocumentError
from youthsafe.core.models import AuditAction
from youthsafe.reports import rendering, stats
from youthsafe.reports.commandline import OneLineErrors


class Command(OneLineErrors):
    help = "Write a generated document (work report, 提案答复...) with the figures of a period and jurisdiction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--jurisdiction", required=True, help="code (e.g. JC) or id")
        parser.add_argument("--template", default="work_report", help="template name (work_report, proposal_reply)")
        parser.add_argument("--format", dest="fmt", default="docx", choices=["md", "docx", "pdf"])
        parser.add_argument("--out", required=True, help="file to write ('-' for standard output, md only)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = stats.scope_for(None, options["date_from"], options["date_to"], options["jurisdiction"])
        except stats.ScopeError as exc:
            raise CommandError(str(exc)) from exc
        if scope.jurisdiction is None:
            raise CommandError("--jurisdiction is required (a code such as JC, or an id)")
        out = options["out"]
        if out == "-" and options["fmt"] != "md":
            raise CommandError("only --format md can be written to standard output")
        try:
            template = rendering.get_template(options["template"])
            figures = stats.figures(ind.all_indicators(), scope, breakdown=True)
            data, _type, warnings = rendering.render(template, figures, scope, options["fmt"],
                                                     today=timezone.localdate())
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except DocumentError as exc:
            raise CommandError(str(exc)) from exc
        if out == "-":
            self.stdout.write(data.decode("utf-8"))
        else:
            target = Path(out)
            if not target.parent.exists():
                raise CommandError(f"the folder {target.parent} does not exist")
            target.write_bytes(data)
        audit.record(AuditAction.EXPORT, actor=None, obj=template, jurisdiction=scope.jurisdiction,
                     actor_label="command", after={**scope.query, "format": options["fmt"],
                                                   "figures": {f.key: f.value for f in figures}})
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        if out != "-":
            self.stderr.write(f"wrote {out} ({len(data)} bytes)")
