"""Fault test: the disk under the SQLite database fills up in the middle of an ingestion run.

The run stops with a one-line reason (no traceback), every batch is stored whole or not at all, and running
the same command again once there is space stores the rest: nothing lost, nothing doubled, the database and
the audit chain intact. Needs root to mount a small tmpfs (as CI and scripts/test run); skipped otherwise.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sqlite_only, pytest.mark.own_database]
POSTS = 3000


@pytest.fixture
def small_disk() -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="youthsafe-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24M", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


def _youthsafe(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YOUTHSAFE_", "DJANGO_"))}
    env["YOUTHSAFE_VAR_DIR"] = str(var)
    return subprocess.run([sys.executable, "-m", "youthsafe", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill the file system, then free ``leave`` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 65536):
            pass
    except OSError:
        pass  # no space left: that was the point
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


def test_a_full_disk_stops_cleanly_and_a_rerun_completes(small_disk: Path, tmp_path: Path) -> None:
    var = small_disk / "var"
    assert _youthsafe(var, "migrate", "-v0").returncode == 0
    made = _youthsafe(var, "shell", "-c", "from youthsafe.core.models import Jurisdiction as J; "
                      "J.objects.create(code='JC', name='江城市', kind='city')")
    assert made.returncode == 0, made.stderr
    posts = tmp_path / "posts.jsonl"
    with posts.open("w", encoding="utf-8") as handle:
        for i in range(POSTS):
            text = f"第{i}条：今天数学课讲了函数，感觉终于听懂了。" * 6  # about 0.3 KB each
            handle.write(json.dumps({"id": f"p{i}", "text": text, "author": f"u{i % 97}"}, ensure_ascii=False) + "\n")
    filler = _fill(small_disk, leave=400_000)
    first = _youthsafe(var, "ingest", str(posts), "--source", "disk", "--create-source", "--jurisdiction", "JC")
    assert first.returncode == 1, (first.returncode, first.stdout, first.stderr)
    assert "Traceback" not in first.stderr
    assert "database error, stopped" in first.stderr
    assert "full" in first.stderr
    db = var / "youthsafe.sqlite3"
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM pipeline_post").fetchone()[0]
    assert stored % 500 == 0  # whole batches only
    assert stored < POSTS
    filler.unlink()
    second = _youthsafe(var, "ingest", str(posts), "--source", "disk")
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM pipeline_post").fetchone()[0] == POSTS
        assert conn.execute("SELECT count(DISTINCT external_id) FROM pipeline_post").fetchone()[0] == POSTS
        assert conn.execute("SELECT count(*) FROM pipeline_scanrecord").fetchone()[0] == POSTS
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    verify = _youthsafe(var, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
