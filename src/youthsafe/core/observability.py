"""Health and metrics for operators: ``/healthz`` (load balancers, orchestrators) and ``/metrics``
(Prometheus text format), and JSON log lines when ``YOUTHSAFE_LOG_FORMAT=json`` (core/logformat.py).

``/metrics`` shows counts, never content or identities. It is open with ``Authorization: Bearer
<YOUTHSAFE_METRICS_TOKEN>`` (compared in constant time), and without it only to loopback clients of a server
with no proxy in front (behind one, see ``_allowed``). Each feature app may
add gauges in ``<app>/metrics.py`` with ``collect() -> list[Sample]``.
"""

from __future__ import annotations

import hmac
import importlib
import logging
import os
import resource
import time
from dataclasses import dataclass, field
from importlib.util import find_spec

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import youthsafe
from youthsafe.core.middleware import client_ip
from youthsafe.core.proxy import UNTRUSTED_FORWARDING

log = logging.getLogger(__name__)
STARTED = time.time()
LOOPBACK = {"127.0.0.1", "::1"}


@dataclass(frozen=True)
class Sample:
    name: str
    value: float
    help: str
    labels: dict[str, str] = field(default_factory=dict)
    kind: str = "gauge"


def _checks() -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # the point of a health check: report, never raise
        log.warning("health: database unavailable: %s", exc)
        return {"database": f"error: {type(exc).__name__}"}
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except Exception as exc:
        checks["migrations"] = f"error: {type(exc).__name__}"
    return checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``{"status": "ok"}`` when the database answers and no migration is pending, else 503."""
    checks = _checks()
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "version": youthsafe.__version__, **checks},
                        status=200 if ok else 503)


def _allowed(request: HttpRequest) -> bool:
    """The bearer token opens /metrics; without it only a loopback client, and only when no proxy is in front:
    behind a proxy (``YOUTHSAFE_TRUSTED_PROXY``) every request looks local to the server, so the address
    opens nothing, and a loopback request carrying proxy headers came through a proxy nobody configured."""
    token = str(getattr(settings, "YOUTHSAFE_METRICS_TOKEN", "") or "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    if getattr(settings, "BEHIND_PROXY", False) or request.META.get(UNTRUSTED_FORWARDING):
        return False
    return client_ip(request.META) in LOOPBACK


def _process() -> list[Sample]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = 0
    try:
        with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        rss = usage.ru_maxrss * 1024
    return [
        Sample("youthsafe_build_info", 1, "YouthSafe version", {"version": youthsafe.__version__}),
        Sample("process_start_time_seconds", STARTED, "Start time of the process since the epoch, in seconds"),
        Sample("process_cpu_seconds_total", usage.ru_utime + usage.ru_stime, "User and system CPU time",
               kind="counter"),
        Sample("process_resident_memory_bytes", rss, "Resident memory size in bytes"),
    ]


def collect() -> list[Sample]:
    samples = _process()
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.metrics") is not None:
            samples.extend(importlib.import_module(f"youthsafe.{app}.metrics").collect())
    return samples


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def exposition(samples: list[Sample]) -> str:
    """Prometheus text format 0.0.4: one HELP and TYPE line per metric name, then its samples."""
    lines: list[str] = []
    seen: set[str] = set()
    for s in samples:
        if s.name not in seen:
            seen.add(s.name)
            lines += [f"# HELP {s.name} {s.help}", f"# TYPE {s.name} {s.kind}"]
        labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items()))
        lines.append(f"{s.name}{{{labels}}} {s.value:g}" if labels else f"{s.name} {s.value:g}")
    return "\n".join(lines) + "\n"


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("metrics need a bearer token (YOUTHSAFE_METRICS_TOKEN), or a loopback client when no "
                            "proxy is in front\n",
                            status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(collect()), content_type="text/plain; version=0.0.4; charset=utf-8")
