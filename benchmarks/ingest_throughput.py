"""Ingestion with scanning and alerting into PostgreSQL: posts/s per worker process, and the time from an
accepted post (acknowledged by NATS JetStream) to a visible alert (committed row).

    .venv/bin/python benchmarks/ingest_throughput.py [--posts 20000] [--rate 2000]

Creates and drops its own PostgreSQL database (127.0.0.1:5432) and NATS streams. Three measurements:
1. ``ingest_batch`` directly, one process, then two processes on disjoint halves (batches of 500);
2. worker drain: ``--posts`` posts are published to a stream first, then one (later two) ``youthsafe worker``
   processes consume it; posts/s counts from the first committed post to the last (engine start-up excluded),
   polled on one connection; each starts from a vacuumed database, and both are measured twice, interleaved;
3. end to end: a publisher sends posts at ``--rate`` per second into NATS while one ``youthsafe worker`` process
   consumes; a poller records when each alert row becomes visible; latency = visible - publish acknowledged.
Prints JSON; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
ORDINARY = ["今天数学课讲了函数，感觉终于听懂了", "周末和同学去江滩骑车，风好大", "作业好多，写到十点还没写完",
            "我们班篮球赛赢了！明天打决赛", "求问数学第三题怎么做，卡了半小时", "累死了，今天体育课跑了三千米",
            "新出的那首歌循环了一整天", "加V信看彩票内部计划，稳赚不赔", "老师说下周要春游，去东湖"]
ALARMING = ["我已经买好了安眠药，今晚就走，再见了大家", "遗书已经写好了，明天就从楼顶跳下去",
            "有没有人一起走，约好这周六在江边烧炭，私信我"]


def _records(n: int, prefix: str, alarm_every: int = 50) -> list[dict[str, Any]]:
    rng = random.Random(n)
    out = []
    for i in range(n):
        text = rng.choice(ALARMING) if i % alarm_every == alarm_every - 1 else rng.choice(ORDINARY)
        out.append({"id": f"{prefix}{i}", "text": f"{text}（{i}）", "author": f"user{rng.randint(1, 5000)}",
                    "thread": f"{prefix}t{i}", "created_at": time.time()})
    return out


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, "YOUTHSAFE_DATABASE_URL": url, "YOUTHSAFE_VAR_DIR": tempfile.mkdtemp()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _youthsafe(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "youthsafe", *args], env=_env(url), cwd=ROOT, check=True, timeout=600,
                   capture_output=True)


_DIRECT = """
import json, sys, time, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
django.setup()
from youthsafe.pipeline.models import Source
from youthsafe.pipeline.services import default_engine, ingest_batch, iter_batches
records = json.load(open(sys.argv[1]))
source = Source.objects.get(name=sys.argv[2])
default_engine().scan(["预热"])
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
t = time.perf_counter()
for chunk in iter_batches(records, 500):
    ingest_batch(source, chunk, channel="bench")
print(json.dumps({"posts": len(records), "seconds": time.perf_counter() - t}))
"""


def _direct(url: str, parts: list[list[dict[str, Any]]], workdir: Path) -> dict[str, Any]:
    start = time.time() + 8  # every process loads its engine before the common start
    procs = []
    for k, part in enumerate(parts):
        path = workdir / f"part{k}-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
        procs.append(subprocess.Popen([sys.executable, "-c", _DIRECT, str(path), f"bench{k}", str(start)],
                                      env=_env(url), cwd=ROOT, stdout=subprocess.PIPE, text=True))
    results = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    total = sum(r["posts"] for r in results)
    seconds = max(r["seconds"] for r in results)
    return {"processes": len(parts), "posts": total, "seconds": round(seconds, 2),
            "posts_per_s": round(total / seconds), "per_process": [round(r["posts"] / r["seconds"]) for r in results]}


async def _publish(records: list[dict[str, Any]], rate: int, subject: str, sent: dict[str, float]) -> None:
    import nats

    nc = await nats.connect("nats://127.0.0.1:4222")
    js = nc.jetstream()
    start = time.perf_counter()
    for i, record in enumerate(records):
        ahead = start + i / rate - time.perf_counter()
        if ahead > 0:
            await asyncio.sleep(ahead)
        await js.publish(subject, json.dumps(record, ensure_ascii=False).encode())
        sent[record["id"]] = time.time()  # acknowledged by the stream: the post is accepted
    await nc.close()


def _poll(url: str, seen: dict[str, float], stop: threading.Event) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM alerts_alertpost").fetchone()
        after = row[0] if row else 0  # only this measurement's alerts, not the earlier ones'
        while not stop.is_set():
            rows = conn.execute(
                "SELECT p.external_id FROM alerts_alertpost ap JOIN pipeline_post p ON p.id = ap.post_id "
                "WHERE ap.role = 'trigger' AND ap.id > %s", [after]).fetchall()
            now = time.time()
            for (eid,) in rows:
                seen.setdefault(eid, now)
            time.sleep(0.02)


def _count(conn: psycopg.Connection[Any], source: str) -> int:
    """Posts stored for ``source`` (an index-only count on the unique (source, external id) index)."""
    row = conn.execute("SELECT count(*) FROM pipeline_post WHERE source_id = "
                       "(SELECT id FROM pipeline_source WHERE name = %s)", [source]).fetchone()
    return int(row[0]) if row else 0


def _drain(url: str, posts: int, workers: int, batch: int, round_: int) -> dict[str, Any]:
    """Publish ``posts`` posts, then let ``workers`` worker processes drain the stream; time the commits."""
    import nats
    from nats.js.api import StreamConfig

    tag = uuid.uuid4().hex[:8]
    stream, subject, source = f"DRAIN{tag}", f"drain{tag}.>", f"drain{workers}"

    async def fill() -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
        acks = [js.publish(f"drain{tag}.{source}", json.dumps(r, ensure_ascii=False).encode())
                for r in _records(posts, f"d{workers}-{round_}-")]
        for k in range(0, len(acks), 1000):  # 1,000 publishes in flight at a time
            await asyncio.gather(*acks[k : k + 1000])
        await nc.close()

    asyncio.run(fill())
    first = done = None
    base = 0
    # One connection, polled every 50 ms: a new connection per poll (a forked PostgreSQL backend each time)
    # cost the machine about half a core, which the workers being measured need.
    with psycopg.connect(url, autocommit=True) as conn:
        # Every measurement starts from a vacuumed and analysed database, as autovacuum leaves it, rather than
        # from wherever autovacuum is with the rows the previous measurement wrote.
        conn.execute("VACUUM (ANALYZE)")
        before = _count(conn, source)
        procs = [subprocess.Popen([sys.executable, "-m", "youthsafe", "worker", "--stream", stream, "--subject",
                                   subject, "--durable", "drain", "--batch", str(batch), "--idle-exit", "5"],
                                  env=_env(url), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        while done is None:
            n = _count(conn, source) - before
            now = time.perf_counter()
            if first is None and n:
                first, base = now, n
            if n >= posts:
                done = now
            elif all(p.poll() is not None for p in procs):
                break
            time.sleep(0.05)
        for p in procs:
            p.wait(timeout=120)
        stored = _count(conn, source) - before
    seconds = (done or time.perf_counter()) - (first or 0.0)
    return {"workers": workers, "round": round_, "posts": posts, "stored": stored, "batch": batch,
            "seconds": round(seconds, 2), "posts_per_s": round((stored - base) / seconds) if first else 0,
            "posts_per_s_per_worker": round((stored - base) / seconds / workers) if first else 0}


def _drains(url: str, posts: int) -> dict[str, Any]:
    """One worker, two workers, and both again: the machine's speed drifts between measurements a minute
    apart, so each figure is measured twice, interleaved, and the ratio taken over the sums."""
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for round_ in (1, 2):
        for workers in (1, 2):
            runs[workers].append(_drain(url, posts, workers, 500, round_))
    rate = {w: sum(r["posts_per_s"] for r in rs) / len(rs) for w, rs in runs.items()}
    return {"worker_1_process": runs[1], "worker_2_processes": runs[2],
            "worker_mean_posts_per_s": {str(w): round(v) for w, v in rate.items()},
            "worker_ratio_2_vs_1": round(rate[2] / rate[1], 2) if rate[1] else None}


def _wait_for_consumer(stream: str, durable: str, limit: float = 120.0) -> None:
    """Until the worker has created its consumer (it loads its engine before it subscribes)."""
    import nats
    from nats.js.errors import NotFoundError

    async def exists() -> bool:
        nc = await nats.connect("nats://127.0.0.1:4222")
        try:
            await nc.jetstream().consumer_info(stream, durable)
            return True
        except NotFoundError:
            return False
        finally:
            await nc.close()

    deadline = time.monotonic() + limit
    while not asyncio.run(exists()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no consumer {durable} on {stream} after {limit:.0f} s")
        time.sleep(0.2)


def _end_to_end(url: str, posts: int, rate: int, batch: int) -> dict[str, Any]:
    import nats

    tag = uuid.uuid4().hex[:8]
    stream, subject = f"BENCH{tag}", f"bench{tag}.>"

    async def make_stream() -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        from nats.js.api import StreamConfig

        await nc.jetstream().add_stream(StreamConfig(name=stream, subjects=[subject]))
        await nc.close()

    asyncio.run(make_stream())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")  # as for the drains: not with autovacuum busy on their rows
    worker = subprocess.Popen([sys.executable, "-m", "youthsafe", "worker", "--stream", stream, "--subject", subject,
                               "--durable", "bench", "--batch", str(batch), "--idle-exit", "12"],
                              env=_env(url), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for_consumer(stream, "bench")  # the worker loads its engine first, then subscribes
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()
    poller = threading.Thread(target=_poll, args=(url, seen, stop), daemon=True)
    poller.start()
    records = _records(posts, "e2e")
    t = time.perf_counter()
    asyncio.run(_publish(records, rate, f"bench{tag}.bench0", sent))
    out = worker.communicate(timeout=900)[0]
    elapsed = time.perf_counter() - t
    stop.set()
    poller.join()
    latencies = sorted(seen[e] - sent[e] for e in seen if e in sent)

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3) if latencies else float("nan")

    return {"posts": posts, "publish_rate": rate, "worker_batch": batch, "alerts": len(latencies),
            "p50_s": pct(0.5), "p95_s": pct(0.95),
            "p99_s": pct(0.99), "max_s": round(latencies[-1], 3) if latencies else None,
            "wall_s_incl_idle_exit": round(elapsed, 1), "worker": out.strip().splitlines()[-1:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=1000, help="end-to-end publish rate, posts/s")
    parser.add_argument("--batch", type=int, default=200, help="end-to-end worker batch size")
    args = parser.parse_args()
    name = f"youthsafe_bench_{os.getpid()}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG}/{name}"
    try:
        _youthsafe(url, "migrate", "-v0")
        _youthsafe(url, "shell", "-c", (
            "from youthsafe.core.models import Jurisdiction as J; from youthsafe.pipeline.models import Source; "
            "j = J.objects.create(code='JC', name='江城市', kind='city'); "
            "[Source.objects.create(name=n, jurisdiction=j) for n in ('bench0', 'bench1', 'drain1', 'drain2')]"))
        with tempfile.TemporaryDirectory() as tmp:
            one = _direct(url, [_records(args.posts, "a")], Path(tmp))
            two = _direct(url, [_records(args.posts // 2, "b"), _records(args.posts // 2, "c")], Path(tmp))
        report = {"direct_1_process": one, "direct_2_processes": two,
                  "ratio_2_vs_1": round(two["posts_per_s"] / one["posts_per_s"], 2),
                  **_drains(url, args.posts),
                  "load_average": os.getloadavg(),
                  "end_to_end": _end_to_end(url, min(args.posts, args.rate * 10), args.rate, args.batch)}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
