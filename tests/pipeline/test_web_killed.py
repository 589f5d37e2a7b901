"""Fault test: the web server is killed (SIGKILL) while platforms push posts over the HTTP API.

A request in flight when the server dies is rolled back whole; the client retries it against the restarted
server (as the API documents), and the retry stores what was missing and answers ``duplicate`` for the rest.
In the end every post is stored exactly once, with one scan each.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.test_stream import ROOT, _count, _env, fault_db, fault_template  # noqa: F401  (fixtures)

pytestmark = pytest.mark.own_database
REQUESTS, PER_REQUEST = 30, 100


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        server = subprocess.Popen([sys.executable, "-m", "youthsafe", "serve", "--port", str(port)], env=_env(url),
                                  cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not start: {log.read_text()[-1500:]}")


def _push(port: int, token: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/pipeline/posts", method="POST",
        data=json.dumps({"records": records}, ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback test server
        return dict(json.loads(response.read()))


def test_server_killed_mid_push_loses_and_doubles_nothing(fault_db: str, tmp_path: Path) -> None:  # noqa: F811
    made = subprocess.run([sys.executable, "-m", "youthsafe", "tokens", "create", "--source", "fault-feed",
                           "--name", "fault-test", "--rate", "100000"], env=_env(fault_db), cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    token = made.stdout.strip().splitlines()[-1]
    port, log = _port(), tmp_path / "serve.log"
    server = _serve(fault_db, port, log)
    retries = 0
    answers: list[dict[str, Any]] = []

    def client() -> None:
        nonlocal retries
        for r in range(REQUESTS):
            records = [{"id": f"r{r}-{i}", "text": f"第{r}批第{i}条：今天数学课讲了函数", "author": f"u{i % 37}"}
                       for i in range(PER_REQUEST)]
            while True:
                try:
                    answers.append(_push(port, token, records))
                    break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    retries += 1  # the server is gone: retry the same request until it is back
                    time.sleep(0.2)

    pushing = threading.Thread(target=client)
    pushing.start()
    try:
        deadline = time.monotonic() + 120
        while _count(fault_db, "SELECT count(*) FROM pipeline_post") < 800:
            assert time.monotonic() < deadline, f"no progress: {log.read_text()[-1500:]}"
            time.sleep(0.02)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        assert _count(fault_db, "SELECT count(*) FROM pipeline_post") < REQUESTS * PER_REQUEST
        server = _serve(fault_db, port, log)
        pushing.join(timeout=300)
        assert not pushing.is_alive(), "the client did not finish"
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    total = REQUESTS * PER_REQUEST
    assert retries >= 1, "the kill did not interrupt the client: nothing was tested"
    assert len(answers) == REQUESTS
    assert sum(a["accepted"] for a in answers) + sum(a["duplicates"] for a in answers) == total
    assert _count(fault_db, "SELECT count(*) FROM pipeline_post") == total
    assert _count(fault_db, "SELECT count(DISTINCT external_id) FROM pipeline_post") == total
    assert _count(fault_db, "SELECT count(*) FROM pipeline_scanrecord") == total
