"""Load test of the review queue and registry pages on PostgreSQL, on loopback, bounded in time.

    .venv/bin/pip install locust          # or: pip install -e '.[load]'
    .venv/bin/python benchmarks/load_pages.py [--users 200] [--seconds 60] [--threads 16] [--posts 20000]

Creates its own PostgreSQL database, loads the demo and ingests ``--posts`` posts through the real pipeline
(2% alarming, so a few hundred alerts fill the queue), starts ``youthsafe serve`` (waitress, ``--processes``
server processes on the port) and runs locust headless: ``--users`` simulated people (3 reviewers with the
queue open for every analyst in the registry), each with a session of their own, working with 5-15 s think
time; the queue rows refresh by HTMX as the page does. The sessions are made beforehand, as a morning of
logins leaves them (``--login`` makes every person log in through the form instead: argon2 with 100 MB per
hash is meant to be slow, and 200 logins in the first seconds measure the hash, not the pages). Users start
at ``--users``/20 per second; the figures are reset once all have started (locust ``--reset-stats``), so they
describe the steady state. Prints requests/s, p50/p95/p99 per page and the error count as JSON. Nothing is
asserted; the server's database is dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, var: str) -> dict[str, str]:
    env = {**os.environ, "YOUTHSAFE_DATABASE_URL": url, "YOUTHSAFE_VAR_DIR": var,
           "YOUTHSAFE_LOGIN_FAILURE_LIMIT": "100000"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


_FILL = """
import json, sys, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthsafe.core.settings")
django.setup()
sys.path.insert(0, sys.argv[2])
from ingest_throughput import _records
from youthsafe.core.models import Jurisdiction
from youthsafe.pipeline.models import Source
from youthsafe.pipeline.services import ingest_batch, iter_batches
from youthsafe.alerts.models import Alert
source, _ = Source.objects.get_or_create(name="load", defaults={"jurisdiction": Jurisdiction.objects.get(code="JC")})
for chunk in iter_batches(_records(int(sys.argv[1]), "load"), 500):
    ingest_batch(source, chunk, channel="load")
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from youthsafe.core.models import User
sessions = {}
for name in ("reviewer", "analyst"):  # one session per simulated person, as a morning of logins leaves them
    user = User.objects.get(username=name)
    keys = []
    for _ in range(int(sys.argv[3])):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    sessions[name] = keys
print(json.dumps({"alerts": list(Alert.objects.values_list("pk", flat=True)), "sessions": sessions}))
"""


def _num(cell: str) -> float:
    """A locust CSV figure; 'N/A' (no request of that kind after the reset) reads as 0."""
    try:
        return float(cell)
    except ValueError:
        return 0.0


def _stats(prefix: Path) -> dict[str, object]:
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8")))
    pages = {}
    for row in rows:
        pages[row["Name"]] = {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "req_per_s": round(_num(row["Requests/s"]), 1), "p50_ms": _num(row["50%"]),
            "p95_ms": _num(row["95%"]), "p99_ms": _num(row["99%"]),
        }
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=1, help="server processes (youthsafe serve --processes)")
    parser.add_argument("--login", action="store_true",
                        help="each simulated person logs in through the form (argon2) instead of starting with a "
                             "session of their own; the figures then include the login ramp")
    args = parser.parse_args()
    name = f"youthsafe_load_{os.getpid()}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG}/{name}"
    var = tempfile.mkdtemp(prefix="youthsafe-load-")
    env = _env(url, var)
    server = None
    try:
        run = [sys.executable, "-m", "youthsafe"]
        subprocess.run([*run, "migrate", "-v0"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([*run, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        filled = subprocess.run([sys.executable, "-c", _FILL, str(args.posts), str(Path(__file__).parent),
                                 str(args.users)], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        made = json.loads(filled.stdout.strip().splitlines()[-1])
        alert_ids = made["alerts"]
        port = _free_port()
        server = subprocess.Popen([*run, "serve", "--port", str(port), "--threads", str(args.threads),
                                   "--processes", str(args.processes)], env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)
        prefix = Path(var) / "locust"
        locust = Path(sys.executable).parent / "locust"
        subprocess.run([str(locust), "-f", str(Path(__file__).parent / "locustfile_pages.py"), "--headless",
                        "-u", str(args.users), "-r", str(max(1, args.users // 20)), "-t", f"{args.seconds}s",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                        "--reset-stats"],  # figures from the steady state, after every user has logged in
                       env={**env, "LOAD_ALERT_IDS": ",".join(map(str, alert_ids[:500])),
                            "LOAD_SESSIONS": "" if args.login else json.dumps(made["sessions"])},
                       cwd=ROOT, check=False,
                       capture_output=True, timeout=args.seconds + 120)
        report = {"users": args.users, "login_through_form": args.login, "seconds": args.seconds,
                  "server_threads": args.threads, "server_processes": args.processes,
                  "alerts_in_queue": len(alert_ids), "pages": _stats(prefix), "load_average": os.getloadavg()}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
