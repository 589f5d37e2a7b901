"""``youthsafe worker``: consume posts from NATS JetStream (or publish a file to it with ``--publish``)."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youthsafe.pipeline.services import default_engine
from youthsafe.pipeline.stream import StreamSettings, Worker, publish_file
from youthsafe.pipeline.stream_store import WorkerStats


class Command(BaseCommand):
    help = (
        "Consume posts from a NATS JetStream stream with a durable pull consumer; each batch is acknowledged "
        "only after its database commit. Run as many workers as you like on one stream. Stops cleanly on "
        "SIGTERM or Ctrl-C after the batch in hand. With --publish FILE --source NAME, publishes a JSONL file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = StreamSettings()
        parser.add_argument("--url", default=defaults.url, help=f"NATS server (default {defaults.url})")
        parser.add_argument("--stream", default=defaults.stream, help=f"stream name (default {defaults.stream})")
        parser.add_argument("--subject", default=defaults.subject, help=f"subject filter (default {defaults.subject})")
        parser.add_argument("--durable", default=defaults.durable, help=f"consumer name (default {defaults.durable})")
        parser.add_argument("--batch", type=int, default=defaults.batch, help="messages per fetch and transaction")
        parser.add_argument("--max-deliver", type=int, default=defaults.max_deliver,
                            help="deliveries before a failing message goes to the dead-letter table")
        parser.add_argument("--ack-wait", type=float, default=defaults.ack_wait,
                            help="seconds before an unacknowledged message is redelivered")
        parser.add_argument("--idle-exit", type=float, default=None,
                            help="stop after this many seconds without messages (for batch runs and tests)")
        parser.add_argument("--publish", type=Path, help="publish this JSONL file instead of consuming")
        parser.add_argument("--source", help="with --publish: the source name (subject posts.<source>)")

    def handle(self, *args: Any, **options: Any) -> None:
        settings = StreamSettings(
            url=options["url"], stream=options["stream"], subject=options["subject"], durable=options["durable"],
            batch=options["batch"], max_deliver=options["max_deliver"], ack_wait=options["ack_wait"],
        )
        if settings.batch < 1 or settings.max_deliver < 1:
            raise CommandError("--batch and --max-deliver must be at least 1", returncode=2)
        try:
            if options["publish"] is not None:
                self._publish(settings, options["publish"], options["source"])
                return
            stats = asyncio.run(self._consume(settings, options["idle_exit"]))
        except (OSError, ConnectionError) as exc:
            raise CommandError(f"cannot reach NATS: {exc}", returncode=2) from exc
        self.stdout.write(f"worker stopped: {stats.line()}")

    def _publish(self, settings: StreamSettings, path: Path, source: str | None) -> None:
        if not source:
            raise CommandError("--publish needs --source NAME", returncode=2)
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        count = asyncio.run(publish_file(settings, path, source))
        self.stdout.write(f"published {count} message(s) to {settings.subject.rstrip('>')}{source}")

    async def _consume(self, settings: StreamSettings, idle_exit: float | None) -> WorkerStats:
        progress = sys.stderr.isatty()

        def report(stats: WorkerStats) -> None:
            if progress:
                sys.stderr.write(f"\r{stats.line()}")

        # The model and rules load before the first message: the first batch does not wait seconds for them (its
        # alerts would), and a broken model stops the worker at start. What is loaded then lives as long as the
        # process, so the garbage collector is told to leave it out of every later pass (gc.freeze).
        default_engine().scan(["启动"])
        gc.freeze()
        logging.getLogger("youthsafe").info("worker consuming %s on %s", settings.subject, settings.url)
        return await Worker(settings, idle_exit=idle_exit, on_batch=report).run()
