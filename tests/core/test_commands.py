"""The youthsafe command: help, Django pass-through, demo loading twice keeps the data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from youthsafe.core import demo
from youthsafe.core.models import AuditEvent, Jurisdiction, User
from youthsafe.registry.models import Platform

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "youthsafe", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120, check=False)


def test_help_lists_platform_and_detection_commands(tmp_path: Path) -> None:
    result = _run("--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("serve", "demo", "audit", "migrate", "scan"):
        assert name in result.stdout


def test_serve_help_and_bad_option(tmp_path: Path) -> None:
    assert "--port" in _run("serve", "--help", tmp_path=tmp_path).stdout
    bad = _run("serve", "--port", "not-a-number", tmp_path=tmp_path)
    assert bad.returncode != 0
    assert "invalid int value" in bad.stderr


@pytest.mark.django_db
def test_demo_twice_keeps_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    first = (Jurisdiction.objects.count(), User.objects.count(), Platform.objects.count())
    events = AuditEvent.objects.count()
    assert first[0] >= 10
    assert first[1] == len(demo.USERS)
    assert first[2] >= 50
    call_command("demo")
    assert (Jurisdiction.objects.count(), User.objects.count(), Platform.objects.count()) == first
    assert AuditEvent.objects.count() == events
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    assert "already present" in out


def _children(pid: int) -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(proc.name))
    return found


def _pair(supervisor: int, without: int = 0) -> set[int] | None:
    """The supervisor's two server processes, once there are two and ``without`` is not one of them."""
    found = _children(supervisor)
    return found if len(found) == 2 and without not in found else None


def _wait_for(check: Any, what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc").is_dir() or not hasattr(socket, "SO_REUSEPORT"), reason="Linux only")
def test_serve_with_several_processes_replaces_a_dead_one_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(tmp_path)}  # a SQLite database of its own, in both passes
    for name in ("DJANGO_SETTINGS_MODULE", "YOUTHSAFE_DATABASE_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "youthsafe", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "youthsafe", "serve", "--port", str(port), "--processes", "2"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        _wait_for(healthy, "the server to answer")
        first = _wait_for(lambda: _pair(server.pid), "two server processes")
        victim = min(first)
        os.kill(victim, signal.SIGKILL)  # a server process dies: the supervisor starts another
        second = _wait_for(lambda: _pair(server.pid, without=victim), "a replacement process")
        assert len(second & first) == 1
        assert all(healthy() for _ in range(20))  # both processes answer (the kernel spreads the connections)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        out, _ = server.communicate(timeout=10)
        assert "(2 processes)" in out
        assert f"server process {victim} ended" in out
        assert "YouthSafe stopped" in out
        assert not any(Path(f"/proc/{pid}").exists() for pid in second)
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=30)  # reap it and close its pipe


@pytest.mark.skipif(not Path("/proc").is_dir() or not hasattr(socket, "SO_REUSEPORT"), reason="Linux only")
def test_server_processes_end_with_their_supervisor_even_when_it_is_killed(tmp_path: Path) -> None:
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(tmp_path)}
    for name in ("DJANGO_SETTINGS_MODULE", "YOUTHSAFE_DATABASE_URL"):
        env.pop(name, None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "youthsafe", "serve", "--port", str(port), "--processes", "2"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        children = _wait_for(lambda: _pair(server.pid), "two server processes")
        server.send_signal(signal.SIGKILL)  # no chance to stop its children itself
        server.wait(timeout=30)
        _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), "the orphans to end", 30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_refuses_a_port_in_use_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = _run("serve", "--port", str(taken.getsockname()[1]), "--processes", "2", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
