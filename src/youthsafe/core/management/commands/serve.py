"""``youthsafe serve``: the production WSGI server (waitress) with static files from whitenoise.

Waitress is one process: its threads share one interpreter, so one process uses about one core however many
threads it has. ``--processes N`` starts N server processes on the same address (each with a listening socket
of its own, SO_REUSEPORT, so the kernel spreads connections across them) under a small supervisor that
restarts a process that dies and stops them all on SIGTERM or SIGINT.

Behind a reverse proxy, name it in ``YOUTHSAFE_TRUSTED_PROXY`` (and the headers it sets in
``YOUTHSAFE_TRUSTED_PROXY_HEADERS``): core/proxy.py then takes the client's address and scheme from its headers.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from waitress import serve

from youthsafe.core.bodylimit import max_request_bytes

RESTART_PAUSE = 1.0  # seconds before a dead server process is replaced (no tight loop on a crash at start)


def _listen(host: str, port: int, *, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _serve(host: str, port: int, threads: int, *, shared: bool) -> None:
    # Built in the process that serves it (after the fork, with --processes): each server process loads the
    # middleware and URLs itself, and a failure there ends that process with its reason (Supervisor).
    from youthsafe.core.wsgi import application  # noqa: PLC0415  (start-up: the WSGI app is built per process)

    # The application's own layer (core/proxy.py) decides which peer may set X-Forwarded-* and applies them;
    # waitress must hand them over untouched (its own handling trusts one address only, and would strip them).
    serve(application, sockets=[_listen(host, port, shared=shared)], threads=threads, ident="YouthSafe",
          connection_limit=1000, channel_timeout=60, clear_untrusted_proxy_headers=False,
          max_request_body_size=max_request_bytes())  # YOUTHSAFE_MAX_REQUEST_BYTES: 413 before the body is read


def _proxy_line() -> str:
    if not settings.BEHIND_PROXY:
        return "no trusted proxy: X-Forwarded-* headers are ignored (YOUTHSAFE_TRUSTED_PROXY)"
    headers = ", ".join(sorted(settings.YOUTHSAFE_TRUSTED_PROXY_HEADERS))
    proxies = ", ".join(net.removesuffix("/32").removesuffix("/128") for net in settings.YOUTHSAFE_TRUSTED_PROXY)
    return (f"trusting {headers} from {proxies} "
            f"({settings.YOUTHSAFE_TRUSTED_PROXY_COUNT} proxy hop(s))")


class Command(BaseCommand):
    help = "Serve YouthSafe over HTTP (waitress). Put a TLS proxy in front of it in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads per process (default 8)")
        parser.add_argument("--processes", type=int, default=1,
                            help="server processes sharing the port (default 1; one per core uses them all)")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, threads, processes = options["host"], options["port"], options["threads"], options["processes"]
        if processes < 1 or threads < 1:
            raise CommandError("--processes and --threads must be at least 1", returncode=2)
        if processes > 1 and not hasattr(socket, "SO_REUSEPORT"):
            raise CommandError("--processes above 1 needs SO_REUSEPORT (Linux or BSD)", returncode=2)
        try:  # fail here, with a one-line reason, when the address is taken; the processes bind their own
            _listen(host, port, shared=processes > 1).close()
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", returncode=2) from exc
        self.stdout.write(f"YouthSafe listening on http://{host}:{port}/"
                          + (f" ({processes} processes)" if processes > 1 else "") + "; " + _proxy_line())
        self.stdout.flush()
        if processes == 1:
            _serve(host, port, threads, shared=False)
            return
        Supervisor(host, port, threads, processes, self.stdout.write).run()


def _end_with_parent(parent: int) -> None:
    """A server process must not outlive its supervisor (killed with SIGKILL, it cannot stop them): an orphan
    would keep serving old code on the shared port. Linux delivers SIGTERM to the child when the parent dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the supervisor's SIGTERM handling is all there is
        return
    if os.getppid() != parent:  # the supervisor died before the request took effect
        os._exit(0)


class Supervisor:
    """Keeps ``processes`` server processes running; stops them all on SIGTERM or SIGINT."""

    def __init__(self, host: str, port: int, threads: int, processes: int, say: Any) -> None:
        self.args = (host, port, threads)
        self.processes = processes
        self.say = say
        self.children: set[int] = set()
        self.stopping = False

    def _start(self) -> None:
        supervisor = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: serve until told to stop; never return into the supervisor's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _end_with_parent(supervisor)
            code = 0
            try:
                _serve(*self.args, shared=True)
            except BaseException as exc:  # whatever it was, the child must exit, never return
                print(f"server process {os.getpid()} failed: {exc}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        self.children.add(pid)

    def _stop(self, signum: int, _frame: Any) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                self.children.discard(pid)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self.processes):
            self._start()
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            self.children.discard(pid)
            if not self.stopping:
                self.say(f"server process {pid} ended ({os.waitstatus_to_exitcode(status)}); starting another")
                time.sleep(RESTART_PAUSE)
                if not self.stopping:
                    self._start()
        self.say("YouthSafe stopped")
