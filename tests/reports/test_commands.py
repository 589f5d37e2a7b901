"""``youthsafe report`` and ``youthsafe stats`` on bad arguments: one line saying why, exit status 2 (a usage
error), no usage block; ``--help`` still shows the usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

YOUTHSAFE = str(Path(sys.executable).with_name("youthsafe"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([YOUTHSAFE, *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "youthsafe.core.settings"})


@pytest.mark.parametrize(("args", "reason"), [
    (["report", "--from", "2023-01-01"], "the following arguments are required: --to, --jurisdiction, --out"),
    (["report", "--from", "2023-01-01", "--to", "2023-07-10", "--jurisdiction", "JC", "--out", "x", "--format",
      "odt"], "argument --format: invalid choice: 'odt'"),
    (["stats", "--to", "2023-07-10"], "the following arguments are required: --from"),
    (["stats", "--from", "2023-01-01", "--to", "2023-07-10", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_missing_or_bad_arguments_are_one_line_and_exit_2(args: list[str], reason: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"youthsafe {args[0]}: ")
    assert reason in lines[0]
    assert "usage:" not in result.stderr


def test_help_still_shows_the_usage() -> None:
    result = _run("report", "--help")
    assert result.returncode == 0
    assert "usage: youthsafe report" in result.stdout
    assert "--jurisdiction" in result.stdout


def test_called_from_code_the_reason_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="required: --to"):
        call_command("stats", "--from", "2023-01-01")
