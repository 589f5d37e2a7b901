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

One bad message never holds up the others: a message that is not UTF-8, not JSON, longer than the line
limit (records.MAX_LINE_BYTES) or that breaks the character rule (records.py) is dead-lettered with its reason
in the batch's own transaction, and the batch's valid posts are stored and acknowledged with it. The publisher
reads its file line by line within the same limit; a line too long to publish (over the limit, or over the
NATS server's max_payload) is published as a stand-in holding its first bytes and the reason in a header,
which the worker dead-letters like any bad message, so the line is seen where every other bad line is.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
from nats.errors import NoServersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

from youthsafe.detection.io import read_lines, shown
from youthsafe.pipeline import records as checks  # pure: no Django models or settings
from youthsafe.pipeline.stream_store import Item, WorkerStats, close_db, dead_letter_failed, process

log = logging.getLogger(__name__)

# A message that stands in for a line the publisher could not send: the reason, for the worker to dead-letter.
REJECTED_HEADER = "YouthSafe-Rejected"
_HEADER_ROOM = 4096  # of the server's max_payload, kept for the headers of a message


@dataclass(frozen=True)
class StreamSettings:
    url: str = "nats://127.0.0.1:4222"
    stream: str = "POSTS"
    subject: str = "posts.>"
    durable: str = "youthsafe"
    batch: int = 500
    max_deliver: int = 5
    ack_wait: float = 60.0


def source_of(subject: str, record: Any, prefix: str) -> str:
    """``posts.<source>`` names the source; a ``source`` field in the record overrides it."""
    if isinstance(record, dict) and isinstance(record.get("source"), str) and record["source"]:
        return str(record["source"])
    base = prefix.rstrip(">").rstrip("*")
    return subject[len(base):] if subject.startswith(base) else ""


def decode(subject: str, data: bytes, position: str, prefix: str, *, last_delivery: bool,
           headers: dict[str, str] | None = None) -> Item:
    """The message as an ``Item``: its record, or the reason it cannot be one (with what could be read of it,
    bytes that are not UTF-8 as ``\\xNN``, as the file readers keep them)."""
    source = source_of(subject, None, prefix)
    rejected = (headers or {}).get(REJECTED_HEADER)
    if rejected:  # the publisher could not send the line (publish_file): this is its start
        return Item(position, source, shown(data), rejected[:500], last_delivery)
    if len(data) > checks.MAX_LINE_BYTES:  # a server whose max_payload is larger than the line limit
        return Item(position, source, shown(data[:checks.PAYLOAD_CHARS]),
                    f"line longer than {checks.MAX_LINE_BYTES} bytes ({len(data)} bytes)", last_delivery)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Item(position, source, shown(data), f"not valid UTF-8 (byte {exc.start})", last_delivery)
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError: bad JSON or an integer past 4,300 digits; RecursionError: absurd nesting.
        return Item(position, source, text[:checks.PAYLOAD_CHARS], f"not valid JSON: {exc}", last_delivery)
    return Item(position, source_of(subject, record, prefix), record, "", last_delivery)


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
                await loop.run_in_executor(executor, close_db)
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
                   last_delivery=m.metadata.num_delivered >= self.settings.max_deliver, headers=m.headers)
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
                      self.settings.subject, last_delivery=True, headers=m.headers)

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
        self.stats.conflicts += stats.conflicts
        self.stats.dead_letters += stats.dead_letters
        self.stats.batches += 1
        if self.on_batch is not None:
            self.on_batch(self.stats)


async def publish_file(settings: StreamSettings, path: Path, source: str) -> int:
    """Publish a JSONL file to ``<subject prefix>.<source>``; returns the number of messages published.

    The message id header (the record's id and a digest of the line) lets JetStream drop a republished line
    within its duplicate window, but not a line with a known id and another text: that one reaches the worker,
    which reports it as a conflict. A line longer than the line limit or than the server takes is not read into
    memory: a stand-in with its first bytes and the reason (``REJECTED_HEADER``) goes in its place, for the
    worker to dead-letter (see the module docstring).
    """
    base = settings.subject.rstrip(">").rstrip("*")
    nc = await connect(settings.url)
    count = 0
    try:
        js = nc.jetstream()
        await ensure_stream(js, settings)
        server = max(nc.max_payload - _HEADER_ROOM, 1)
        with path.open("rb") as handle:
            for line in read_lines(handle, checks.MAX_LINE_BYTES):
                data, number = line.data, line.number
                if not data.strip():
                    continue
                digest = hashlib.sha256(data).hexdigest()[:16]
                headers = {"Nats-Msg-Id": f"{source}:line-{number}:{digest}"}
                reason = (f"line longer than {checks.MAX_LINE_BYTES} bytes ({line.size} bytes)"
                          if line.too_long(checks.MAX_LINE_BYTES) else
                          f"line longer than the NATS server takes, {server} bytes ({line.size} bytes)"
                          if line.size > server else "")
                if reason:
                    log.warning("%s line %d: %s; published as a dead letter", path.name, number, reason)
                    data = data[:checks.PAYLOAD_CHARS]
                    headers[REJECTED_HEADER] = reason
                else:
                    try:
                        ident = str(json.loads(data).get("id", number))
                    except (ValueError, AttributeError, RecursionError):
                        ident = ""
                    if ident.isprintable():  # no line break, control character or lone surrogate in a header
                        headers["Nats-Msg-Id"] = f"{source}:{ident}:{digest}"
                await js.publish(f"{base}{source}", data, headers=headers)
                count += 1
    finally:
        await nc.drain()
    return count
