"""Evidence storage under load (issue 16, item 8) and its downloads (item 7).

Identical uploads at the same moment raced on one temporary name (``.{sha}.{pid}.tmp``, shared by every thread
of a process): 1 of 80 answered 500. Each write now has a temporary file of its own, renamed into place
atomically, and a file already stored under its hash is simply reused. Downloads stream the stored file."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client

from tests.conftest import Tree, close_download
from tests.content import factories
from youthsafe.content import evidence, services
from youthsafe.core.models import User

THREADS = 40
PNG = b"\x89PNG\r\n\x1a\n"


def _at_once(work: Callable[[int], Any], threads: int = THREADS) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``threads`` threads released together; (results, errors)."""
    start = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        start.wait()
        try:
            got = work(i)
        except BaseException as exc:  # every failure is what the test reports
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(got)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results, errors


def _left_over(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and len(p.name) != 64]


ROUNDS = 8  # a race shows in some rounds only: each round is a new file uploaded by every thread at once


def test_identical_uploads_at_the_same_moment_store_one_file() -> None:
    for _ in range(ROUNDS):
        body = PNG + os.urandom(512 * 1024)  # large enough that the writes overlap
        digest = hashlib.sha256(body).hexdigest()
        results, errors = _at_once(lambda i, b=body: evidence.store_upload(SimpleUploadedFile(f"s-{i}.png", b)))
        assert errors == []
        assert [r.sha256 for r in results] == [digest] * THREADS
        path = evidence.path_for(digest)
        assert path.read_bytes() == body
        assert path.stat().st_mode & 0o222 == 0  # read-only, as every stored evidence file
    assert _left_over(evidence.root()) == []  # no temporary file stays behind


def test_identical_text_evidence_at_the_same_moment() -> None:
    for n in range(ROUNDS):
        body = (f"同一条举报文本 {n} " * 20_000).encode()
        results, errors = _at_once(lambda i, b=body: evidence.store_bytes(b))
        assert errors == []
        assert results == [hashlib.sha256(body).hexdigest()] * THREADS
    assert _left_over(evidence.root()) == []


def test_an_existing_file_is_reused_not_rewritten() -> None:
    body = PNG + b"\x00" * 64
    first = evidence.store_upload(SimpleUploadedFile("a.png", body))
    path = evidence.path_for(first.sha256)
    inode = path.stat().st_ino
    again = evidence.store_upload(SimpleUploadedFile("b.png", body))
    assert again.sha256 == first.sha256
    assert path.stat().st_ino == inode


def test_evidence_download_streams_the_file(tree: Tree, make_user: Callable[..., User],
                                           login: Callable[[User], Client]) -> None:
    admin = make_user("administrator")
    item = factories.item(admin, tree.north, None)
    body = PNG + os.urandom(1024 * 1024)
    row = services.do_add_evidence(item, SimpleUploadedFile("shot.png", body), actor=admin)
    response = login(make_user("analyst", tree.north)).get(f"/content/evidence/{row.pk}/")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert int(response["Content-Length"]) == len(body)
    assert b"".join(response.streaming_content) == body
    close_download(response)
