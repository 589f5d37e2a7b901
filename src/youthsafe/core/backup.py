"""``youthsafe backup`` and ``youthsafe restore``: the database and the stored files in one archive.

An archive is a gzip'd tar holding ``manifest.json`` (format, version, database vendor, time, and the SHA-256
of every member), the database (``database.sqlite3``, made with SQLite's online backup API while the platform
runs, or ``database.pgdump``, pg_dump's custom format) and ``media/`` (evidence and attachments, which are
content-addressed and never change). Restore checks every checksum and the vendor before it touches anything,
refuses members with absolute or parent paths, and writes an audit row; the backup writes one before dumping,
so each archive holds the record of its own making.

Restore replaces the whole database: stop the web server and workers first. On SQLite the archive is copied
into the live database through the backup API (page by page, under SQLite's lock); on PostgreSQL
``pg_restore --clean --if-exists --single-transaction`` replaces every object or nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

import youthsafe
from youthsafe.core import audit
from youthsafe.core.models import AuditAction

FORMAT = 1
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    """The backup or restore could not be done; nothing was changed (restore) or written (backup)."""


@dataclass(frozen=True)
class Summary:
    path: Path
    vendor: str
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    result = subprocess.run([program, *command[1:]], env=env, capture_output=True, check=False, timeout=3600)  # noqa: S603  (fixed program found by shutil.which, no shell)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.decode(errors='replace').strip()[:400]}")


def _dump_database(target: Path, vendor: str) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # consistent snapshot while others keep working
        return
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], _pg_env())


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _outside_transaction() -> None:
    # SQLite's backup API waits forever on a database its own connection holds in an open transaction.
    if connection.in_atomic_block:
        raise BackupError("backup and restore cannot run inside a transaction")


def backup(out: Path) -> Summary:
    vendor = _vendor()
    _outside_transaction()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    audit.record(AuditAction.EXPORT, actor=None, actor_label="backup", object_type="core.backup",
                 object_repr=out.name, after={"vendor": vendor, "path": str(out)})
    with tempfile.TemporaryDirectory(prefix="youthsafe-backup-", dir=out.parent) as tmp:
        dump = Path(tmp) / DUMP_NAMES[vendor]
        _dump_database(dump, vendor)
        media_root = Path(settings.MEDIA_ROOT)
        members: list[tuple[str, Path]] = [(dump.name, dump)]
        members += [(f"media/{p.relative_to(media_root).as_posix()}", p) for p in _media_files()]
        manifest = {"format": FORMAT, "youthsafe": youthsafe.__version__, "vendor": vendor,
                    "created": timezone.now().isoformat(), "files": {name: _sha256(p) for name, p in members}}
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, out)  # the archive appears whole or not at all
    return Summary(out, vendor, len(members), out.stat().st_size)


def _safe(name: str) -> bool:
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts and (
        name in {"manifest.json", *DUMP_NAMES.values()} or name.startswith("media/"))


def _read_archive(archive: Path, workdir: Path) -> dict[str, Any]:
    """Extract into ``workdir`` after checking names and types; verify the manifest's checksums."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            bad = [m.name for m in members if not (m.isfile() and _safe(m.name))]
            if bad:
                raise BackupError(f"not a YouthSafe backup: unexpected member(s) {bad[:3]}")
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from exc
    try:
        manifest: dict[str, Any] = json.loads((workdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError("not a YouthSafe backup: no readable manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (expected {FORMAT})")
    files: dict[str, str] = manifest.get("files", {})
    present = {p.relative_to(workdir).as_posix() for p in workdir.rglob("*") if p.is_file()} - {"manifest.json"}
    if present != set(files):
        raise BackupError("the archive does not match its manifest (files missing or added)")
    for name, digest in files.items():
        if _sha256(workdir / name) != digest:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged or was altered")
    return manifest


def restore(archive: Path) -> Summary:
    vendor = _vendor()
    _outside_transaction()
    with tempfile.TemporaryDirectory(prefix="youthsafe-restore-") as tmp:
        workdir = Path(tmp)
        manifest = _read_archive(archive, workdir)
        if manifest["vendor"] != vendor:
            raise BackupError(f"this is a {manifest['vendor']} backup; the configured database is {vendor}")
        dump = workdir / DUMP_NAMES[vendor]
        if vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(dump) as source:
                source.backup(connection.connection)
        else:
            connection.close()  # pg_restore drops and recreates every table
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  f"--dbname={_pg_env()['PGDATABASE']}", str(dump)], _pg_env())
        media_root = Path(settings.MEDIA_ROOT)
        names = [n for n in manifest["files"] if n.startswith("media/")]
        for name in names:
            target = media_root / name.removeprefix("media/")
            if not target.exists():  # stored files are content-addressed and never change
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(workdir / name, target)
    audit.record(AuditAction.IMPORT, actor=None, actor_label="restore", object_type="core.backup",
                 object_repr=archive.name, after={"vendor": vendor, "created": manifest["created"],
                                                  "files": len(manifest["files"])})
    return Summary(archive, vendor, len(manifest["files"]), archive.stat().st_size)
