"""The youthsafe command: help, Django pass-through, demo loading twice keeps the data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
