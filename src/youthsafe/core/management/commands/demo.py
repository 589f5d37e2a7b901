"""``youthsafe demo``: load demo data into the configured database (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from youthsafe.core import demo


class Command(BaseCommand):
    help = "Load demo data (a fictional city, users for every role, platforms and records). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = demo.load()
        for line in ctx.log:
            self.stdout.write(line)
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, display, role, place in demo.USERS:
            self.stdout.write(f"  {username:<14} {role.label!s:<14} {place:<10} {display}")
