"""``youthsafe serve`` behind a real reverse proxy: Debian's nginx on loopback, started by the test.

The test writes its own nginx.conf in a temporary directory and runs nginx in the foreground with its own pid,
log and temp paths: a TLS listener (a self-signed certificate for 127.0.0.1) in front of a server with
``YOUTHSAFE_SECURE=true``, and a plain listener in front of a second server on the same database. nginx
appends the address it received each request from to ``X-Forwarded-For`` and sends its scheme in
``X-Forwarded-Proto``, as a production configuration does. The clients connect from distinct loopback
addresses (127.0.0.2, 127.0.0.3, ...: all of 127.0.0.0/8 is local on Linux), so nginx sees distinct clients
while every request reaches the servers from nginx's 127.0.0.1.

The servers run on a database of their own: SQLite in the SQLite pass, a fresh PostgreSQL database on the
pass's server in the PostgreSQL pass (where the axes tables keep addresses as ``inet``).
"""

from __future__ import annotations

import datetime
import grp
import ipaddress
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "proxy-test-metrics-token"
RATE_LIMIT = 2  # public reports per client in the window
PAIR_LIMIT = 5  # failed logins per (user, client)
USER_LIMIT = 8  # failed logins per user from any client (the backstop)
USERS = ("redirected", "audited", "target")

pytestmark = pytest.mark.xdist_group("reverse_proxy")  # one nginx and two servers for the whole module


def _nginx() -> str:
    found = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("nginx is missing: scripts/test installs Debian's nginx-light, and CI must run these tests")
    pytest.skip("nginx is not installed (scripts/test installs Debian's nginx-light; or apt-get install nginx-light)")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port}: {log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the clients verify it: no warning is switched off)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _nginx_conf(directory: Path, *, tls_port: int, plain_port: int, secure_app: int, plain_app: int) -> Path:
    cert, key = _certificate(directory)
    # As root, nginx would run its worker as "nobody", which cannot enter a private temporary directory.
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    proxy = """
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;"""
    conf = directory / "nginx.conf"
    conf.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 128; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://127.0.0.1:{secure_app};{proxy}
        }}
    }}
    server {{
        listen 127.0.0.1:{plain_port};
        location / {{
            proxy_pass http://127.0.0.1:{plain_app};{proxy}
        }}
    }}
}}
""", encoding="utf-8")
    return conf


class _Database:
    """The servers' database: SQLite in a temporary directory, or a fresh PostgreSQL database in the
    PostgreSQL pass; ``rows`` reads it directly (the servers are other processes)."""

    def __init__(self, var_dir: Path) -> None:
        pass_url = os.environ.get("YOUTHSAFE_DATABASE_URL", "")
        self.postgres = pass_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            self.admin_url = pass_url.rsplit("/", 1)[0] + "/postgres"  # the pass's database need not exist yet
            self.name = f"youthsafe_proxy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = pass_url.rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.url = f"sqlite:///{var_dir / 'proxy.sqlite3'}"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres:
            with psycopg.connect(self.url) as conn:
                return [tuple(row) for row in conn.execute(sql).fetchall()]
        with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]

    def drop(self) -> None:
        if self.postgres:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Stack:
    tls: str  # https://127.0.0.1:port, nginx in front of the server with YOUTHSAFE_SECURE=true
    plain: str  # http://127.0.0.1:port, nginx in front of the other server
    secure_app: str  # the servers themselves, for requests that bypass the proxy
    plain_app: str
    cert: Path
    db: _Database


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = _nginx()
    work = tmp_path_factory.mktemp("reverse-proxy")
    db = _Database(work)
    env = {**os.environ, "YOUTHSAFE_VAR_DIR": str(work / "var"), "YOUTHSAFE_DATABASE_URL": db.url,
           "YOUTHSAFE_BEHIND_PROXY": "true", "YOUTHSAFE_TRUSTED_PROXY": "127.0.0.1",
           "YOUTHSAFE_TRUSTED_PROXY_HEADERS": "x-forwarded-for x-forwarded-proto",
           "YOUTHSAFE_REPORT_RATE_LIMIT": str(RATE_LIMIT), "YOUTHSAFE_METRICS_TOKEN": TOKEN,
           "YOUTHSAFE_LOGIN_FAILURE_LIMIT": str(PAIR_LIMIT), "YOUTHSAFE_LOGIN_USER_FAILURE_LIMIT": str(USER_LIMIT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        setup = ("from youthsafe.core.models import Jurisdiction, User; "
                 "city = Jurisdiction.objects.create(code='JC', name='江城市', kind='city'); "
                 f"[User.objects.create_user(username=name, password={PASSWORD!r}, role='readonly', "
                 f"jurisdiction=city) for name in {USERS!r}]")
        for args in (["migrate", "-v0"], ["shell", "-c", setup]):  # migrate also writes the keys into var/
            subprocess.run([sys.executable, "-m", "youthsafe", *args], env=env, cwd=ROOT, check=True, timeout=600,
                           capture_output=True)
        secure_port, plain_port = _port(), _port()
        for port, secure in ((secure_port, "true"), (plain_port, "false")):
            log = work / f"serve-{port}.log"
            with log.open("wb") as out:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "youthsafe", "serve", "--port", str(port), "--threads", "4"],
                    env={**env, "YOUTHSAFE_SECURE": secure}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
            _wait_listening(port, processes[-1], log, "youthsafe serve")
        proxy_dir = work / "nginx"
        proxy_dir.mkdir()
        tls_port, plain_proxy = _port(), _port()
        conf = _nginx_conf(proxy_dir, tls_port=tls_port, plain_port=plain_proxy, secure_app=secure_port,
                           plain_app=plain_port)
        log = proxy_dir / "nginx.out"
        with log.open("wb") as out:
            processes.append(subprocess.Popen([nginx, "-p", str(proxy_dir), "-c", str(conf),
                                               "-e", str(proxy_dir / "error.log")],
                                              stdout=out, stderr=subprocess.STDOUT))
        for port in (tls_port, plain_proxy):
            _wait_listening(port, processes[-1], log, "nginx")
        yield Stack(tls=f"https://127.0.0.1:{tls_port}", plain=f"http://127.0.0.1:{plain_proxy}",
                    secure_app=f"http://127.0.0.1:{secure_port}", plain_app=f"http://127.0.0.1:{plain_port}",
                    cert=proxy_dir / "cert.pem", db=db)
    finally:
        for process in reversed(processes):
            _stop(process)
        db.drop()


class _From(HTTPAdapter):
    """Connections from one loopback address: one client as nginx sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _client(address: str, stack: Stack) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never an HTTP proxy from the environment
    session.verify = str(stack.cert)
    for scheme in ("http://", "https://"):
        session.mount(scheme, _From(address))
    return session


def _login(client: requests.Session, base: str, username: str, password: str, **headers: str) -> int:
    page = client.get(f"{base}/login/", timeout=30, allow_redirects=False)
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    answer = client.post(f"{base}/login/", timeout=30, allow_redirects=False,
                         data={"username": username, "password": password, "csrfmiddlewaretoken": found[1]},
                         headers={"Origin": base, **headers})
    return answer.status_code


REPORT = {"reason": "A15", "location": "https://x.example/p/1", "explanation": "有人骗学生扫码付款", "good_faith": True}


def test_distinct_clients_behind_the_proxy_get_distinct_rate_limit_buckets(stack: Stack) -> None:
    url = f"{stack.plain}/api/content/public/reports"
    first, second = _client("127.0.0.2", stack), _client("127.0.0.3", stack)
    codes = [first.post(url, json=REPORT, timeout=30).status_code for _ in range(RATE_LIMIT + 1)]
    assert codes == [201] * RATE_LIMIT + [429]
    # A client-written X-Forwarded-For is not a new client: nginx appends the address it sees, and only that counts.
    forged = first.post(url, json=REPORT, timeout=30, headers={"X-Forwarded-For": "198.51.100.7"})
    assert forged.status_code == 429
    assert second.post(url, json=REPORT, timeout=30).status_code == 201  # another reporter, its own budget


def test_forwarded_https_with_secure_is_served_not_redirected(stack: Stack) -> None:
    client = _client("127.0.0.4", stack)
    page = client.get(f"{stack.tls}/login/", timeout=30, allow_redirects=False)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    assert _login(client, stack.tls, "redirected", PASSWORD) == 302  # secure cookies and CSRF over the proxy's TLS
    assert client.get(f"{stack.tls}/dashboard/", timeout=30, allow_redirects=False).status_code == 200
    # Plain HTTP straight to the same server (no proxy saying https) is still sent to https.
    direct = _client("127.0.0.1", stack).get(f"{stack.secure_app}/login/", timeout=30, allow_redirects=False)
    assert direct.status_code == 301
    assert direct.headers["Location"].startswith("https://")


def test_audit_rows_record_the_client_address(stack: Stack) -> None:
    client = _client("127.0.0.5", stack)
    assert _login(client, stack.plain, "audited", "wrong-password", **{"X-Forwarded-For": "203.0.113.9"}) == 200
    assert _login(client, stack.plain, "audited", PASSWORD) == 302
    rows = stack.db.rows("SELECT action, ip_address FROM core_auditevent WHERE actor_label = 'audited' ORDER BY id")
    assert rows == [("login_failed", "127.0.0.5"), ("login", "127.0.0.5")]


def test_metrics_through_the_proxy_need_the_token(stack: Stack) -> None:
    for address in ("127.0.0.1", "127.0.0.6"):  # a client on the proxy's own host too
        client = _client(address, stack)
        assert client.get(f"{stack.plain}/metrics", timeout=30).status_code == 403
        token = client.get(f"{stack.plain}/metrics", timeout=30, headers={"Authorization": f"Bearer {TOKEN}"})
        assert token.status_code == 200
        assert "youthsafe_build_info" in token.text
    # Behind a proxy the peer's address opens nothing, not even loopback straight to the server.
    assert _client("127.0.0.1", stack).get(f"{stack.plain_app}/metrics", timeout=30).status_code == 403


def test_lockout_is_per_user_and_client_with_a_per_user_backstop(stack: Stack) -> None:
    attacker, owner = _client("127.0.0.7", stack), _client("127.0.0.8", stack)
    codes = [_login(attacker, stack.plain, "target", "wrong-password") for _ in range(PAIR_LIMIT)]
    assert codes == [200] * (PAIR_LIMIT - 1) + [429]  # the last failure locks (target, 127.0.0.7)
    assert _login(attacker, stack.plain, "target", PASSWORD) == 429
    assert _login(owner, stack.plain, "target", PASSWORD) == 302  # the user, from another client, is not locked
    # The backstop: USER_LIMIT failures for one user name from any clients lock it everywhere.
    spread = [_login(_client(f"127.0.0.{20 + i}", stack), stack.plain, "target", "wrong-password")
              for i in range(USER_LIMIT - PAIR_LIMIT)]
    assert spread == [200] * (USER_LIMIT - PAIR_LIMIT - 1) + [429]
    assert _login(_client("127.0.0.30", stack), stack.plain, "target", PASSWORD) == 429
    assert _login(_client("127.0.0.8", stack), stack.plain, "target", PASSWORD) == 429
