"""Throughput and memory of the detection engine, on one core and on two.

    .venv/bin/python benchmarks/detection_speed.py [--posts 40000] [--batch 1000] [--cli-posts 50000] [--model DIR]
        [--classifier-only]

Measures (COLD test texts repeated, so post lengths are realistic; falls back to synthetic text without COLD):
classifier alone (normalised texts, default model, both heads), ``Engine.scan`` end to end in batches
(normalise, match, rules, classifier, risk, evidence) in a process pinned to core 0, then two processes on
disjoint halves pinned to cores 0 and 1 vs one process on core 0 (ratio of throughputs; each worker builds
its engine before the clock starts), and peak RSS of a fresh process that builds a 200,000-term synthetic
lexicon plus the engine (``resource.getrusage``); and ``youthsafe scan`` of 50,000 posts in a JSONL file on core 0,
start-up included, beside its start-up alone (a one-line file). Prints JSON, including the load average at the
start.
Run it on an otherwise idle machine: a concurrent job halves the two-process figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

COLD_TEST = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cold" / "test.csv"


def _posts(n: int) -> list[str]:
    if COLD_TEST.exists():
        with COLD_TEST.open(encoding="utf-8-sig", newline="") as fh:
            base = [r["TEXT"] for r in csv.DictReader(fh)]
    else:
        rng = random.Random(0)
        base = ["".join(chr(rng.randrange(0x4E00, 0x4FFF)) for _ in range(45)) for _ in range(5000)]
    return (base * (n // len(base) + 1))[:n]


def _rate(func: object, posts: list[str], batch: int) -> float:
    call = func  # type: ignore[assignment]
    call(posts[:batch])  # type: ignore[operator]  # warm caches (normaliser table, lazy imports)
    started = time.perf_counter()
    for i in range(0, len(posts), batch):
        call(posts[i : i + batch])  # type: ignore[operator]
    return len(posts) / (time.perf_counter() - started)


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and core < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {core})


def _engine_rate(posts: list[str], batch: int) -> float:
    from youthsafe.detection.engine import Engine

    return _rate(Engine().scan, posts, batch)


def _worker(args: tuple[int, list[str], int, float]) -> tuple[float, float]:
    """Pin to ``core``, build the engine and warm it, wait for the common start time, scan; (start, end)."""
    core, posts, batch, start_at = args
    _pin(core)
    from youthsafe.detection.engine import Engine

    scan = Engine().scan
    scan(posts[:batch])
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.time()
    for i in range(0, len(posts), batch):
        scan(posts[i : i + batch])
    return started, time.time()


def _processes(posts: list[str], batch: int, cores: list[int]) -> float:
    """Posts/s of ``len(cores)`` processes on disjoint parts, each pinned to its core (wall clock)."""
    parts = [posts[i :: len(cores)] for i in range(len(cores))]
    start_at = time.time() + 8.0  # every worker has loaded its engine by then
    with mp.get_context("spawn").Pool(len(cores)) as pool:
        spans = pool.map(_worker, [(c, p, batch, start_at) for c, p in zip(cores, parts, strict=True)])
    return len(posts) / (max(e for _, e in spans) - min(s for s, _ in spans))


RSS_CHILD = """
import random, resource, json
from youthsafe.detection.lexicon import Lexicon, TermSpec
from youthsafe.detection.engine import Engine
rng = random.Random(0)
def term():
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(2, 6)))
terms = {term() for _ in range(200_000)}
lex = Lexicon(TermSpec(t, i) for i, t in enumerate(sorted(terms)))
engine = Engine()
engine.scan(["测试一下这个句子"] * 100)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"terms": len(lex), "peak_rss_mb": round(peak, 1)}))
"""


def _cli_scan(posts: list[str], cores: str = "0") -> dict[str, float]:
    """``youthsafe scan`` of ``posts`` as a JSONL file on one core, start-up included (wall clock of the whole
    command, output to a file), and the start-up alone (the same command on a one-line file)."""
    import tempfile

    exe = Path(sys.executable).with_name("youthsafe")
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "posts.jsonl", Path(tmp) / "one.jsonl"
        big.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                               for i, t in enumerate(posts)), encoding="utf-8")  # fmt: skip
        small.write_text(json.dumps({"id": 0, "text": "你好"}) + "\n", encoding="utf-8")
        pin = ["taskset", "-c", cores] if shutil.which("taskset") else []

        def run(path: Path) -> float:
            started = time.perf_counter()
            subprocess.run([*pin, str(exe), "scan", str(path), "--output", str(Path(tmp) / "out.jsonl")],
                           check=True, capture_output=True)  # fmt: skip
            return time.perf_counter() - started

        startup = min(run(small) for _ in range(3))
        whole = min(run(big) for _ in range(2))
    return {"cli_startup_s": round(startup, 3), "cli_scan_seconds": round(whole, 2),
            "cli_scan_posts_per_s_startup_included": round(len(posts) / whole)}  # fmt: skip


def main() -> None:
    """Run every measurement and print JSON."""
    parser = argparse.ArgumentParser(description="detection throughput benchmark")
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--cli-posts", type=int, default=50_000, help="posts for the youthsafe scan figure")
    parser.add_argument("--model", type=Path, help="model directory for the classifier figures (default: shipped)")
    parser.add_argument("--classifier-only", action="store_true", help="skip the engine and memory figures")
    args = parser.parse_args()
    posts = _posts(args.posts)
    from youthsafe.detection.classifier import TextModel, load_default_model
    from youthsafe.detection.normalize import normalize_text

    out: dict[str, object] = {"posts": len(posts), "batch": args.batch,
                              "mean_chars": round(sum(map(len, posts)) / len(posts), 1)}  # fmt: skip
    norms = [normalize_text(p) for p in posts]
    model = TextModel.load(args.model) if args.model else load_default_model()
    if model is not None:
        out["model"] = model.version
        out["classifier_posts_per_s"] = round(_rate(model.predict_both, norms, args.batch))
        out["classifier_category_only_posts_per_s"] = round(_rate(model.predict_proba, norms, args.batch))
    if args.classifier_only:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    out["normalize_posts_per_s"] = round(_rate(lambda b: [normalize_text(t) for t in b], posts, args.batch))
    try:
        out["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
        _pin(0)
        out["engine_scan_posts_per_s_core0_in_process"] = round(_engine_rate(posts, args.batch))
        one = _processes(posts, args.batch, [0])
        two = _processes(posts, args.batch, [0, 1])
        out["engine_one_process_core0_posts_per_s"] = round(one)
        out["engine_two_processes_cores01_posts_per_s"] = round(two)
        out["two_vs_one_process_ratio"] = round(two / one, 2)
    except Exception as exc:  # the engine is another module; report rather than fail
        out["engine_scan_posts_per_s"] = f"unavailable: {type(exc).__name__}: {exc}"
    out.update(_cli_scan(_posts(args.cli_posts)))
    if isinstance(out.get("engine_scan_posts_per_s_core0_in_process"), int):
        out["cli_vs_engine_ratio"] = round(
            out["cli_scan_posts_per_s_startup_included"] / out["engine_scan_posts_per_s_core0_in_process"], 2  # type: ignore[operator]
        )
    child = subprocess.run([sys.executable, "-c", RSS_CHILD], capture_output=True, text=True, check=False)
    out["lexicon_200k"] = json.loads(child.stdout) if child.returncode == 0 else child.stderr.strip()[-300:]
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
