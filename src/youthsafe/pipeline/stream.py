"""The NATS JetStream worker and publisher.

Any number of ``youthsafe worker`` processes, on any number of machines, share one durable pull consumer
of one stream. A message is acknowledged only after the database transaction holding its post, scan and
alert has committed, so a worker killed at any moment loses nothing: the message is redelivered after
``ack_wait`` and ``ingest_batch`` skips what was already stored (nothing doubles). A message that cannot be
parsed goes to the dead-letter table and is terminated; one that keeps failing is dead-lettered on its last
allowed delivery.

The delivery limit is the worker's, not the server's: the consumer is created with no server-side limit. A
delivery can be lost between server and worker (it went to a pull request the client had already given up on);
with a server-side limit, a message whose last delivery was lost would never come back and never reach the
dead-letter table. Here it comes back after ``ack_wait``, and a message delivered more often than the limit
(its worker died on it each time) is dead-lettered without being tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.errors import NoServersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamSettings:
    url: str = "nats://127.0.0.1:4222"
    stream: str = "POSTS"
    subject: str = "posts.>"
    durable: str = "youthsafe"
    batch: int = 500
    max_deliver: int = 5
    ack_wait: float = 60.0


@dataclass
class WorkerStats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0
    failures: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        seconds = max(time.monotonic() - self.started, 1e-9)
        return (f"messages {self.messages}, new {self.accepted}, duplicates {self.duplicates}, dead letters "
                f"{self.dead_letters}, batches {self.batches}, failed batches {self.failures} "
                f"({self.messages / seconds:.0f} msg/s)")


@dataclass(frozen=True)
class Item:
    """One message, decoded: the source name and record, or the reason it cannot be used."""

    position: str
    source: str
    record: Any
    reason: str = ""
    last_delivery: bool = False


def source_of(subject: str, record: Any, prefix: str) -> str:
    """``posts.<source>`` names the source; a ``source`` field in the record overrides it."""
    if isinstance(record, dict) and isinstance(record.get("source"), str) and record["source"]:
        return str(record["source"])
    base = prefix.rstrip(">").rstrip("*")
    return subject[len(base):] if subject.startswith(base) else ""


def decode(subject: str, data: bytes, position: str, prefix: str, *, last_delivery: bool) -> Item:
    try:
        record = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        # ValueError: bad UTF-8, bad JSON or an integer past 4,300 digits; RecursionError: absurd nesting.
        return Item(position, source_of(subject, None, prefix), data[:10_000].decode("utf-8", "replace"),
                    f"not valid JSON: {exc}", last_delivery)
    return Item(position, source_of(subject, record, prefix), record, "", last_delivery)


def process(items: list[Item]) -> WorkerStats:
    """Store one fetched batch (grouped by source) in the database. Runs in the worker's DB thread."""
    from django.db import close_old_connections

    from youthsafe.pipeline.models import DeadLetter, Source
    from youthsafe.pipeline.services import Rejected, ingest_batch

    close_old_connections()  # a connection broken by a database restart is replaced, not reused
    stats = WorkerStats(messages=len(items))
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.source].append(item)
    sources = {s.name: s for s in Source.objects.filter(name__in=list(groups), active=True)}
    for name, group in groups.items():
        source = sources.get(name)
        if source is None:
            DeadLetter.objects.bulk_create([
                DeadLetter(source_name=name[:64], channel="nats", position=i.position,
                           reason=f"unknown or inactive source {name!r}",
                           payload=json.dumps(i.record, ensure_ascii=False, default=str)[:10_000])
                for i in group
            ])
            stats.dead_letters += len(group)
            continue
        records = [Rejected(i.reason, str(i.record)) if i.reason else i.record for i in group]
        summary = ingest_batch(source, records, channel="nats", positions=[i.position for i in group])
        stats.accepted += summary.accepted
        stats.duplicates += summary.duplicates
        stats.dead_letters += summary.dead_letters
    return stats


def dead_letter_failed(items: list[Item], reason: str) -> None:
    """Last delivery of messages whose batch keeps failing: keep them, with the reason, for a person."""
    from django.db import close_old_connections

    from youthsafe.pipeline.models import DeadLetter

    close_old_connections()
    DeadLetter.objects.bulk_create([
        DeadLetter(source_name=i.source[:64], channel="nats", position=i.position, reason=reason[:500],
                   payload=json.dumps(i.record, ensure_ascii=False, default=str)[:10_000])
        for i in items
    ])


def latest_deliveries(msgs: list[Any]) -> list[Any]:
    """One message per stream sequence, its latest delivery. A fetch can hand back a stale copy of a message
    (a delivery meant for an earlier pull request) next to its redelivery; acting on the stale one would nak
    a delivery the server has moved past and judge the delivery count wrongly."""
    latest: dict[int, Any] = {}
    for m in msgs:
        seq = m.metadata.sequence.stream
        if seq not in latest or m.metadata.num_delivered > latest[seq].metadata.num_delivered:
            latest[seq] = m
    if len(latest) == len(msgs):
        return msgs
    return sorted(latest.values(), key=lambda m: m.metadata.sequence.stream)


CONNECT_TIMEOUT = 10.0


class NatsUnreachable(ConnectionError):
    """No NATS server answered at start-up."""


async def _log_error(exc: Exception) -> None:
    # One line per failure instead of nats-py's default traceback, which floods the log while NATS restarts.
    log.warning("nats: %s", exc)


async def connect(url: str, *, reconnect_forever: bool = False) -> Any:
    """Connect to NATS, failing within ``CONNECT_TIMEOUT`` seconds when no server answers at start.

    A running worker must ride out a NATS restart, so it reconnects forever once connected; but a worker
    started against a wrong URL should say so and stop, not retry silently. nats-py applies one
    reconnect-attempt limit to both, hence the time limit around the first connection.
    """
    try:
        return await asyncio.wait_for(
            nats.connect(url, error_cb=_log_error, reconnect_time_wait=1,
                         max_reconnect_attempts=-1 if reconnect_forever else 5),
            timeout=CONNECT_TIMEOUT)
    except (TimeoutError, OSError, NoServersError) as exc:
        raise NatsUnreachable(f"no NATS server answered at {url} within {CONNECT_TIMEOUT:.0f} s") from exc


def retry_delay(delivered: int) -> float:
    """Seconds before a failed batch comes back: 2, 4, 8, 16... capped at a minute. Doubling lets the default
    five deliveries span a database outage of about 30 s before the last one is dead-lettered."""
    return float(min(2 ** max(delivered, 1), 60))


def _close_db() -> None:
    from django.db import connections

    connections.close_all()


async def ensure_stream(js: Any, settings: StreamSettings) -> None:
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=settings.stream, subjects=[settings.subject],
                                         duplicate_window=120.0))


async def lift_server_limit(js: Any, settings: StreamSettings) -> None:
    """A consumer created by an earlier version carries a server-side delivery limit; lift it (see the module
    docstring: a delivery lost at the limit would never come back). Updating max_deliver keeps the consumer's
    position and its pending messages."""
    try:
        info = await js.consumer_info(settings.stream, settings.durable)
    except NotFoundError:
        return
    if info.config.max_deliver not in (None, -1):
        await js.add_consumer(settings.stream, info.config.evolve(max_deliver=-1))
        log.info("consumer %s: server-side delivery limit %s lifted (the worker's limit is %s)",
                 settings.durable, info.config.max_deliver, settings.max_deliver)


class Worker:
    """A durable pull consumer that stores batches through ``process`` and acks after commit."""

    def __init__(self, settings: StreamSettings, *, idle_exit: float | None = None,
                 on_batch: Callable[[WorkerStats], None] | None = None) -> None:
        self.settings = settings
        self.idle_exit = idle_exit
        self.on_batch = on_batch
        self.stats = WorkerStats()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> WorkerStats:
        from concurrent.futures import ThreadPoolExecutor

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
                loop.add_signal_handler(sig, self.stop)
        # One thread for the ORM: Django connections are per thread, so the worker keeps one connection.
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="youthsafe-db")
        nc = await connect(self.settings.url, reconnect_forever=True)
        try:
            js = nc.jetstream()
            await ensure_stream(js, self.settings)
            await lift_server_limit(js, self.settings)
            sub = await js.pull_subscribe(
                self.settings.subject, durable=self.settings.durable, stream=self.settings.stream,
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_deliver=-1,
                                      ack_wait=self.settings.ack_wait, max_ack_pending=self.settings.batch * 8),
            )
            await self._loop(sub, loop, executor)
        finally:
            # Every message in hand was acked or handed back; acks and naks are buffered publishes, so flush
            # (a PING answered by the server) before closing, or the last ones may never leave this process.
            with contextlib.suppress(Exception):
                await nc.flush(timeout=5)
            await nc.close()
            # Django's connection belongs to the executor's thread: close it there, or it lingers until garbage
            # collection (a server-side session that blocks DROP DATABASE and counts against max_connections).
            with contextlib.suppress(Exception):
                await loop.run_in_executor(executor, _close_db)
            executor.shutdown(wait=True)
        return self.stats

    async def _fetch(self, sub: Any) -> list[Any]:
        try:
            return list(await sub.fetch(self.settings.batch, timeout=1.0))
        except (NatsTimeout, TimeoutError):  # nats-py raises either, depending on where the wait ended
            return []

    async def _loop(self, sub: Any, loop: asyncio.AbstractEventLoop, executor: Any) -> None:
        """Fetch the next batch while the current one is stored, so the network wait overlaps the database
        work. A batch fetched ahead is not yet acknowledged: if the worker dies it is redelivered like any other;
        if the worker is stopped, it is handed back at once (nak) for the other workers."""
        idle_since = time.monotonic()
        ahead = asyncio.ensure_future(self._fetch(sub))
        while True:
            msgs = await ahead
            if self._stop.is_set():
                for m in msgs:
                    await m.nak()
                return
            if not msgs:
                if self.idle_exit is not None and time.monotonic() - idle_since >= self.idle_exit:
                    return
                ahead = asyncio.ensure_future(self._fetch(sub))
                continue
            idle_since = time.monotonic()
            ahead = asyncio.ensure_future(self._fetch(sub))
            await self._handle(msgs, loop, executor)

    async def _handle(self, msgs: list[Any], loop: asyncio.AbstractEventLoop, executor: Any) -> None:
        msgs = latest_deliveries(msgs)
        spent = [m for m in msgs if m.metadata.num_delivered > self.settings.max_deliver]
        if spent:  # its worker died on it every time: keep it for a person instead of trying again
            await self._give_up(
                [(m, self._decode(m)) for m in spent],
                f"delivered {self.settings.max_deliver} times without being stored (worker stopped or crashed)",
                loop, executor)
            msgs = [m for m in msgs if m.metadata.num_delivered <= self.settings.max_deliver]
            if not msgs:
                return
        items = [
            decode(m.subject, m.data, f"{self.settings.stream}#{m.metadata.sequence.stream}", self.settings.subject,
                   last_delivery=m.metadata.num_delivered >= self.settings.max_deliver)
            for m in msgs
        ]
        try:
            stats = await loop.run_in_executor(executor, process, items)
        except Exception as exc:  # database down or restarting: leave unacked, NATS redelivers
            self.stats.failures += 1
            log.warning("batch of %d failed, will be redelivered: %s", len(msgs), exc)
            last = [(m, i) for m, i in zip(msgs, items, strict=True) if i.last_delivery]
            if last:
                await self._give_up(last, str(exc), loop, executor)
            for m, i in zip(msgs, items, strict=True):
                if not i.last_delivery:
                    await m.nak(delay=retry_delay(m.metadata.num_delivered))
            return
        for m in msgs:  # the batch is committed: only now may the stream forget it
            await m.ack()
        self._count(stats)

    def _decode(self, m: Any) -> Item:
        return decode(m.subject, m.data, f"{self.settings.stream}#{m.metadata.sequence.stream}",
                      self.settings.subject, last_delivery=True)

    async def _give_up(self, last: list[Any], reason: str, loop: asyncio.AbstractEventLoop, executor: Any) -> None:
        try:
            await loop.run_in_executor(executor, dead_letter_failed, [i for _m, i in last], f"gave up: {reason}")
        except Exception as exc:  # still no database: leave them unacked rather than lose them
            log.error("could not dead-letter %d message(s): %s", len(last), exc)
            return
        for m, _i in last:
            await m.term()
        self.stats.dead_letters += len(last)

    def _count(self, stats: WorkerStats) -> None:
        self.stats.messages += stats.messages
        self.stats.accepted += stats.accepted
        self.stats.duplicates += stats.duplicates
        self.stats.dead_letters += stats.dead_letters
        self.stats.batches += 1
        if self.on_batch is not None:
            self.on_batch(self.stats)


async def publish_file(settings: StreamSettings, path: Path, source: str) -> int:
    """Publish a JSONL file to ``<subject prefix>.<source>``; returns the number of messages published.

    The message id header lets JetStream drop a republished line within its duplicate window.
    """
    base = settings.subject.rstrip(">").rstrip("*")
    nc = await connect(settings.url)
    count = 0
    try:
        js = nc.jetstream()
        await ensure_stream(js, settings)
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    ident = str(json.loads(line).get("id", number))
                except (ValueError, AttributeError):
                    ident = f"line-{number}"
                await js.publish(f"{base}{source}", line.rstrip(b"\n"), headers={"Nats-Msg-Id": f"{source}:{ident}"})
                count += 1
    finally:
        await nc.drain()
    return count
