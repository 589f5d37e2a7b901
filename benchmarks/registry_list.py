"""Page latency of the registry list with 10,000 platforms, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/registry_list.py                      # SQLite in a temporary directory
    YOUTHSAFE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/youthsafe_bench \
        .venv/bin/python benchmarks/registry_list.py                  # PostgreSQL (database is recreated)

Requests go through Django's full stack (middleware, session, permission, jurisdiction filter, template)
with the test client, as a city analyst and as a district analyst. Prints p50/p95 in milliseconds per page
variant; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time

os.environ.setdefault("YOUTHSAFE_VAR_DIR", tempfile.mkdtemp(prefix="ys-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
os.environ.setdefault("YOUTHSAFE_ALLOWED_HOSTS", "testserver")


def _setup_database() -> None:
    import django
    from django.conf import settings

    django.setup()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = db["NAME"]
        with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _populate(count: int) -> None:
    from youthsafe.core import demo
    from youthsafe.registry.controls import CONTROLS
    from youthsafe.registry.models import Platform, PlatformControl, PlatformKind

    ctx = demo.DemoContext()
    demo._places(ctx)
    demo._users(ctx)
    rng = random.Random(7)
    places = [p for code, p in ctx.places.items() if code.startswith("JC")]
    kinds = list(PlatformKind.values)
    rows = []
    for i in range(count):
        users = rng.randint(1000, 5_000_000)
        rows.append(Platform(
            name=f"平台{i:05d}号", kind=rng.choice(kinds), operator=f"江城第{i}网络科技有限公司",
            icp_number=f"鄂ICP备{10000000 + i}号", jurisdiction=rng.choice(places), registered_users=users,
            minor_users=rng.randint(0, users), locally_developed=rng.random() < 0.5,
        ))
    Platform.objects.bulk_create(rows, batch_size=2000)
    controls = [
        PlatformControl(platform=p, control_id=c.id, status=rng.choice(["in_place", "missing", "partial"]))
        for p in Platform.objects.only("id") for c in CONTROLS[:5]
    ]
    PlatformControl.objects.bulk_create(controls, batch_size=5000)


def _measure(username: str, paths: list[str], rounds: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    from youthsafe.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    results: dict[str, dict[str, float]] = {}
    for path in paths:
        client.get(path)  # warm caches and templates
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        results[f"{username} {path}"] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platforms", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    _setup_database()
    start = time.perf_counter()
    _populate(args.platforms)
    print(f"populated {args.platforms} platforms in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    from django.db import connection

    paths = ["/registry/", "/registry/?page=100", "/registry/?sort=-users", "/registry/?q=平台12",
             "/registry/?kind=education&local=on", "/registry/?gaps=on", "/dashboard/"]
    results = {"database": connection.vendor, "platforms": args.platforms}
    results.update(_measure("analyst", paths, args.rounds))
    results.update(_measure("analyst_jb", paths[:3], args.rounds))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
