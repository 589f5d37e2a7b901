"""Throughput and memory of the detection engine, on one core and on two.

    .venv/bin/python benchmarks/detection_speed.py [--posts 40000] [--batch 1000] [--model DIR] [--classifier-only]

Measures (COLD test texts repeated, so post lengths are realistic; falls back to synthetic text without COLD):
classifier alone (normalised texts, default model, both heads), ``Engine.scan`` end to end in batches,
two processes on disjoint halves vs one process (ratio of throughputs), and peak RSS of a fresh process that
builds a 200,000-term synthetic lexicon plus the engine (``resource.getrusage``); prints JSON.
Run it on an otherwise idle machine: a concurrent job halves the two-process figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import random
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


def _engine_rate(posts: list[str], batch: int) -> float:
    from youthsafe.detection.engine import Engine

    return _rate(Engine().scan, posts, batch)


def _worker(args: tuple[list[str], int]) -> float:
    posts, batch = args
    started = time.perf_counter()
    _engine_rate(posts, batch)
    return time.perf_counter() - started


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


def main() -> None:
    """Run every measurement and print JSON."""
    parser = argparse.ArgumentParser(description="detection throughput benchmark")
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=1000)
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
        one = _engine_rate(posts, args.batch)
        out["engine_scan_posts_per_s"] = round(one)
        half = len(posts) // 2
        ctx = mp.get_context("fork")
        with ctx.Pool(2) as pool:
            started = time.perf_counter()
            pool.map(_worker, [(posts[:half], args.batch), (posts[half:], args.batch)])
            two = len(posts) / (time.perf_counter() - started)
        out["engine_two_process_posts_per_s"] = round(two)
        out["two_vs_one_process_ratio"] = round(two / one, 2)
    except Exception as exc:  # the engine is another module; report rather than fail
        out["engine_scan_posts_per_s"] = f"unavailable: {type(exc).__name__}: {exc}"
    child = subprocess.run([sys.executable, "-c", RSS_CHILD], capture_output=True, text=True, check=False)
    out["lexicon_200k"] = json.loads(child.stdout) if child.returncode == 0 else child.stderr.strip()[-300:]
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
