"""``youthsafe serve``: the production WSGI server (waitress) with static files from whitenoise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve YouthSafe over HTTP (waitress). Put a TLS proxy in front of it in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from youthsafe.core.wsgi import application

        host, port = options["host"], options["port"]
        self.stdout.write(f"YouthSafe listening on http://{host}:{port}/")
        serve(application, host=host, port=port, threads=options["threads"], ident="YouthSafe",
              connection_limit=1000, channel_timeout=60)
