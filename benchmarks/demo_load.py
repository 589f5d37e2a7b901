"""How long the demo takes to load, app by app, on a fresh SQLite file (the test suite loads it several times).

    .venv/bin/python benchmarks/demo_load.py [--keep]

Prints wall time, CPU time and the number of SQL statements of each app's ``demo.load`` and of the whole load,
and the history and audit rows it leaves. Run it on a quiet machine; compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database file and print its path")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="youthsafe-demo-"))
    os.environ["YOUTHSAFE_DATABASE_URL"] = f"sqlite:///{folder / 'demo.db'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from youthsafe.core import demo
    from youthsafe.core.models import AuditEvent

    call_command("migrate", verbosity=0)
    timings: list[tuple[str, float, float, int]] = []
    original = importlib.import_module

    def timed_import(name: str, package: str | None = None) -> Any:
        module = original(name, package)
        load = getattr(module, "load", None)
        if name.endswith(".demo") and name != "youthsafe.core.demo" and load and not hasattr(load, "timed"):
            def timed(ctx: Any, _load: Any = load, _name: str = name) -> Any:
                wall, cpu = time.perf_counter(), time.process_time()
                count = [0]

                def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                    count[0] += 1
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(counter):
                    result = _load(ctx)
                timings.append((_name.split(".")[1], time.perf_counter() - wall, time.process_time() - cpu,
                                count[0]))
                return result

            timed.timed = True  # type: ignore[attr-defined]
            module.load = timed
        return module

    importlib.import_module = timed_import
    wall, cpu = time.perf_counter(), time.process_time()
    demo.load()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    importlib.import_module = original
    print(f"{'app':<12} {'wall s':>8} {'cpu s':>8} {'queries':>9}")
    for app, w, c, q in timings:
        print(f"{app:<12} {w:8.2f} {c:8.2f} {q:9d}")
    print(f"{'total':<12} {wall:8.2f} {cpu:8.2f}")
    history = 0
    try:
        from youthsafe.core.models import StatusChange

        history = StatusChange.objects.count()
    except ImportError:  # an older tree without the one history table
        pass
    print(f"history rows {history}, audit rows {AuditEvent.objects.count()}")
    if args.keep:
        print(f"database: {folder / 'demo.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
