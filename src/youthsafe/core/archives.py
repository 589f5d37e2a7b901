"""Bounds on zip archives (Office files, XLSX imports), checked before anything parses them: how many members,
how large unpacked, how much compressed; with ``read``, every member unpacked in chunks (never held whole) so
one larger than it declares, or damaged, is refused too. The upload policy (uploads.py) applies them."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

CHUNK = 64 * 1024  # bytes read at a time from an upload, a stored file or an archive member


@dataclass(frozen=True)
class ZipLimits:
    """Bounds on a zip archive, checked before anything parses it. ``max_ratio`` applies to members larger
    than ``ratio_floor`` (small members may compress as well as they like)."""

    max_members: int
    max_member_bytes: int
    max_total_bytes: int
    max_ratio: int = 200
    ratio_floor: int = 256 * 1024


class ArchiveError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError,
                OSError, ValueError)


def check_zip(source: IO[bytes] | File[Any], limits: ZipLimits, *, read: bool = True) -> None:
    """Refuse (ArchiveError) an archive with too many members, a member or a total larger than the limits
    unpacked, or a member compressed more than any real document is. With ``read``, every member is also
    unpacked in chunks (never held whole), so a member larger than it declares, or damaged, is refused too."""
    try:
        archive = zipfile.ZipFile(source)
    except _READ_ERRORS as exc:
        raise ArchiveError(_("The archive cannot be read: %(error)s") % {"error": exc}) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise ArchiveError(_("The archive holds more than %(n)d files.") % {"n": limits.max_members})
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > limits.max_member_bytes or total > limits.max_total_bytes:
                raise ArchiveError(_too_large(limits))
            if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ArchiveError(_("A part of the file is compressed more than %(n)d to 1, as no real document "
                                     "is; the file is refused.") % {"n": limits.max_ratio})
        if read:
            for info in infos:
                _read_member(archive, info, limits)


def _too_large(limits: ZipLimits) -> str:
    return _("The file is too large when unpacked (more than %(limit)s).") % {
        "limit": filesizeformat(limits.max_total_bytes)}


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    seen = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                seen += len(chunk)
                if seen > limits.max_member_bytes:
                    raise ArchiveError(_too_large(limits))
    except _READ_ERRORS as exc:
        raise ArchiveError(_("The archive cannot be read: %(error)s") % {"error": exc}) from exc
    if seen != info.file_size:
        raise ArchiveError(_("The archive cannot be read: %(error)s") % {
            "error": f"{info.filename}: {seen} bytes, {info.file_size} declared"})
