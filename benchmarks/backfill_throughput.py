"""Backfill throughput: rows/s of ``youthsafe backfill`` in-process (``--engine local``) and on Spark local mode.

    .venv/bin/python benchmarks/backfill_throughput.py [--posts 20000] [--master 'local[2]'] [--runs 2]

Writes ``--posts`` synthetic posts (ordinary school-day posts with an alarming one every 50) as one JSONL
file in a temporary directory, then times the whole backfill (read, check, scan, write results and rejects)
with each engine. Spark's session start is timed apart; each Spark run repartitions the input into as many
partitions as the master has cores. The first Spark run includes the Python workers' start and engine
build; later runs reuse them. Prints JSON; nothing is asserted. Needs pyspark and Java for the Spark part.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from youthsafe.pipeline import backfill
from youthsafe.pipeline import spark as spark_engine

ORDINARY = ["今天数学课讲了函数，感觉终于听懂了", "周末和同学去江滩骑车，风好大", "作业好多，写到十点还没写完",
            "我们班篮球赛赢了！明天打决赛", "求问数学第三题怎么做，卡了半小时", "累死了，今天体育课跑了三千米",
            "新出的那首歌循环了一整天", "加V信看彩票内部计划，稳赚不赔", "老师说下周要春游，去东湖"]
ALARMING = ["我已经买好了安眠药，今晚就走，再见了大家", "遗书已经写好了，明天就从楼顶跳下去",
            "有没有人一起走，约好这周六在江边烧炭，私信我"]


def _archive(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = rng.choice(ALARMING) if i % 50 == 49 else rng.choice(ORDINARY)
            fh.write(json.dumps({"id": f"p{i}", "text": f"{text}（{i}）", "author": f"user{rng.randint(1, 5000)}",
                                 "thread": f"t{i // 5}", "created_at": "2026-11-28T10:00:00+08:00"},
                                ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--runs", type=int, default=2, help="Spark runs on the same session")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="backfill-bench-"))
    report: dict[str, object] = {"posts": args.posts, "load_average_start": os.getloadavg()[0]}
    try:
        archive = work / "posts.jsonl"
        _archive(archive, args.posts)
        started = time.perf_counter()
        local = backfill.run(backfill.Options(input=str(archive), out=str(work / "local"), engine="local"))
        seconds = time.perf_counter() - started
        report["local"] = {"seconds": round(seconds, 2), "rows_per_s": round(local.rows / seconds),
                           "flagged": local.flagged, "note": "one process, engine build included"}
        try:
            started = time.perf_counter()
            spark = spark_engine.spark_session(args.master, {"spark.ui.enabled": "false",
                                                             "spark.sql.shuffle.partitions": "2"})
        except backfill.BackfillError as exc:
            report["spark"] = f"not run: {exc}"
        else:
            cores = int(m.group(1)) if (m := re.fullmatch(r"local\[(\d+)\]", args.master)) else os.cpu_count() or 2
            runs = []
            report["spark_session_start_seconds"] = round(time.perf_counter() - started, 2)
            try:
                for i in range(args.runs):
                    out = work / f"spark{i}"
                    started = time.perf_counter()
                    result = backfill.run(backfill.Options(input=str(archive), out=str(out), engine="spark",
                                                           partitions=cores), spark=spark)
                    seconds = time.perf_counter() - started
                    runs.append({"seconds": round(seconds, 2), "rows_per_s": round(result.rows / seconds),
                                 "flagged": result.flagged})
            finally:
                spark.stop()
            report["spark"] = {"master": args.master, "partitions": cores, "runs": runs}
        report["load_average_end"] = os.getloadavg()[0]
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
