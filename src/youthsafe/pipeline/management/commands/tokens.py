"""``youthsafe tokens create|revoke|list``: API tokens of the HTTP push API, for the machine's operator."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.pipeline import tokens
from youthsafe.pipeline.models import ApiToken, Source


class Command(BaseCommand):
    help = (
        "Manage the push API's tokens. 'create' prints the new token once (only its SHA-256 is stored); "
        "'revoke PREFIX' stops a token at once; 'list' shows prefixes, scopes, limits and last use. "
        "Creation and revocation are audited with the system as actor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a source and print it once")
        create.add_argument("--source", required=True, help="source name")
        create.add_argument("--name", required=True, help="what the token is for, e.g. the collector's host")
        create.add_argument("--scope", action="append", dest="scopes", metavar="SCOPE",
                            help=f"scope (repeatable; default {tokens.SCOPE_PUSH})")
        create.add_argument("--rate", type=int, default=tokens.DEFAULT_RATE,
                            help=f"requests per minute (default {tokens.DEFAULT_RATE})")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix", help="the 8 characters after ysk_ (or the whole token)")
        revoke.add_argument("--reason", default="", help="written to the audit log")
        listing = sub.add_parser("list", help="list tokens")
        listing.add_argument("--source", help="only this source")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "revoke":
            self._revoke(options["prefix"], options["reason"])
        else:
            self._list(options.get("source"))

    def _create(self, options: dict[str, Any]) -> None:
        source = Source.objects.filter(name=options["source"]).first()
        if source is None:
            raise CommandError(f"no such source: {options['source']}", returncode=2)
        try:
            new = tokens.do_create_token(source, actor=None, name=options["name"], scopes=options["scopes"],
                                         rate_limit=options["rate"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from exc
        self.stderr.write(f"token {new.token.prefix} for {source.name} (shown once; store it now):")
        self.stdout.write(new.plaintext)

    def _revoke(self, prefix: str, reason: str) -> None:
        prefix = tokens.parse(prefix) or prefix
        token = ApiToken.objects.select_related("source", "source__jurisdiction").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no token with prefix {prefix}", returncode=2)
        if tokens.do_revoke_token(token, actor=None, reason=reason):
            self.stdout.write(f"revoked {prefix}")
        else:
            self.stdout.write(f"{prefix} was already revoked")

    def _list(self, source: str | None) -> None:
        rows = ApiToken.objects.select_related("source").order_by("source__name", "-created_at")
        if source:
            rows = rows.filter(source__name=source)
        for t in rows:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            self.stdout.write(f"{t.prefix}  {t.source.name}  {t.name}  {','.join(t.scopes)}  "
                              f"{t.rate_limit_per_minute}/min  last used {used}  {state}")
