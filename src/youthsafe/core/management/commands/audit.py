"""``youthsafe audit verify``: check the hash chain of the audit log, and its head against anchors kept
outside the database.

The chain shows any row altered or removed in the middle. It cannot show rows cut from its end, or a chain
rewritten and re-hashed from some row on, by somebody who can write to the database: for that the head (last
id and hash) must be kept where that person cannot reach. ``--anchor-file`` does it: every run checks that
each anchor recorded earlier is still in the chain with the same hash, then appends today's head. Schedule it
nightly with the file on other storage (a write-once share, another machine), or print the head with
``youthsafe audit head`` and keep it on paper or in the unit's records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from youthsafe.core.audit import verify_chain
from youthsafe.core.models import AuditEvent


def parse_anchor(text: str) -> tuple[int, str]:
    """``"<id>:<hash>"`` (optionally followed by a timestamp) as (id, hash)."""
    head = text.strip().split()[0] if text.strip() else ""
    event_id, _sep, digest = head.partition(":")
    if not event_id.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise CommandError(f"not an anchor (expected <id>:<64 hex digits>): {text.strip()[:80]!r}")
    return int(event_id), digest


def check_anchor(event_id: int, digest: str) -> str | None:
    """What is wrong with the chain at an anchor, or None when the row is there with the anchored hash."""
    current = AuditEvent.objects.filter(id=event_id).values_list("hash", flat=True).first()
    if current is None:
        return f"anchored event {event_id} is missing: rows were cut from the log"
    if current != digest:
        return f"anchored event {event_id} now hashes to {current[:12]}…, anchored {digest[:12]}…: chain rewritten"
    return None


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' walks the hash chain and exits 1 when any row was altered or removed, or "
            "when an anchor (--anchor, --anchor-file) no longer matches; 'head' prints the anchor of the chain's "
            "last row.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"], help="what to do")
        parser.add_argument("--anchor", action="append", default=[], metavar="ID:HASH",
                            help="a head printed earlier by 'head' or 'verify'; may be repeated")
        parser.add_argument("--anchor-file", type=Path, metavar="PATH",
                            help="anchors, one per line: each is checked, and today's head is appended")

    def handle(self, *args: Any, **options: Any) -> None:
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        if options["action"] == "head":
            if last is None:
                raise CommandError("the audit log is empty")
            self.stdout.write(f"{last[0]}:{last[1]}")
            return
        anchors = [parse_anchor(a) for a in options["anchor"]]
        path: Path | None = options["anchor_file"]
        if path is not None and path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            anchors += [parse_anchor(line) for line in lines if line.strip() and not line.startswith("#")]
        problems = 0
        for problem in verify_chain():
            problems += 1
            self.stderr.write(f"event {problem.event_id}: {problem.problem}")
        for event_id, digest in anchors:
            wrong = check_anchor(event_id, digest)
            if wrong is not None:
                problems += 1
                self.stderr.write(wrong)
        total = AuditEvent.objects.count()
        if problems:
            raise CommandError(f"audit chain broken: {problems} problem(s) in {total} events")
        head = f"{last[0]}:{last[1]}" if last is not None else "none"
        if path is not None and last is not None:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"{head} {timezone.now().isoformat(timespec='seconds')}\n")
        self.stdout.write(f"audit chain intact: {total} events verified, {len(anchors)} anchor(s) held; head {head}")
