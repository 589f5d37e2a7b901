"""Bulk export and import of platforms as CSV or XLSX (issue 2, point 6).

Export writes stable English column keys; import also accepts the Chinese (or English) column labels.
Import is all or nothing: every row is checked first (the same model validation the services run, plus
jurisdiction rights), every problem is reported with the row number a spreadsheet user sees, and only a
clean file is written, in one transaction, through ``do_create_platform`` and ``do_update_platform``.

Blank cells: a blank text cell clears the field; a blank number, yes/no, kind or status cell keeps the
current value (or the default for a new platform), so deleting a cell by accident never zeroes a count.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from youthsafe.core import audit, kernel
from youthsafe.core.access import require
from youthsafe.core.cells import undefuse
from youthsafe.core.models import AuditAction, Jurisdiction, User
from youthsafe.core.roles import Permission
from youthsafe.registry import services
from youthsafe.registry.columns import (
    CONTACT_COLUMNS,
    EXPORT_COLUMNS,
    REQUIRED_COLUMNS,
    choice_aliases,
    header_aliases,
    norm,
    parse_cell,
)
from youthsafe.registry.models import Platform
from youthsafe.registry.tabular import Table, TableError, read_table, write_csv, write_xlsx

ExportFormat = Literal["csv", "xlsx"]
MAX_REPORTED_ERRORS = 1000

@dataclass(frozen=True)
class RowError:
    """One problem: ``line`` as the spreadsheet shows it (header = 1, None = the whole file)."""

    line: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    platform: Platform | None  # None: create
    data: dict[str, Any]
    version: int | None = None


class _AbortImportError(Exception):
    """Raised inside the import transaction to undo every row when a late check fails."""


# --- export -----------------------------------------------------------------------------------------------


def _export_row(platform: Platform, columns: list[str]) -> list[Any]:
    row: list[Any] = []
    for column in columns:
        if column == "id":
            row.append(platform.pk)
        elif column == "jurisdiction":
            row.append(platform.jurisdiction.code)
        else:
            row.append(getattr(platform, column))
    return row


def export_platforms(queryset: QuerySet[Platform], fmt: ExportFormat | str, *, actor: User) -> bytes:
    """The platforms of ``queryset`` the actor may see, as CSV (UTF-8 with BOM) or XLSX; audited as EXPORT.

    The security officer's contacts are included only for holders of platform:view_contacts.
    """
    require(actor, Permission.PLATFORM_EXPORT)
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    contacts = actor.has_perm_name(Permission.PLATFORM_VIEW_CONTACTS)
    columns = [c for c in EXPORT_COLUMNS if contacts or c not in CONTACT_COLUMNS]
    # Intersect with what the actor may see, whatever queryset the caller built.
    visible = queryset.filter(pk__in=Platform.objects.visible_to(actor).values("pk"))
    visible = visible.select_related("jurisdiction")
    rows = [_export_row(p, columns) for p in visible.iterator(chunk_size=2000)]
    body = write_csv(columns, rows) if fmt == "csv" else write_xlsx(columns, rows)
    audit.record(
        AuditAction.EXPORT, actor=actor, object_type=Platform._meta.label_lower,
        object_repr=f"platforms.{fmt}",
        after={"count": len(rows), "format": fmt, "contacts": contacts},
    )
    return body


# --- import: header and cells -----------------------------------------------------------------------------


def _map_header(table: Table) -> tuple[list[str | None], dict[str, str], list[RowError]]:
    """Column index -> field key (None for blank headings), key -> heading as written, and header errors."""
    aliases = header_aliases()
    keys: list[str | None] = []
    written: dict[str, str] = {}
    errors: list[RowError] = []
    for heading in table.header:
        if not heading.strip():
            keys.append(None)
            continue
        key = aliases.get(norm(heading))
        if key is None:
            errors.append(RowError(1, heading, _("Unknown column.")))
        elif key in written:
            errors.append(RowError(1, heading, _("Duplicate column: “%(first)s” already gives this field.")
                                   % {"first": written[key]}))
        else:
            written[key] = heading.strip()
        keys.append(key)
    if "id" not in written:
        # Without ids every row creates a platform, so the fields a new platform needs must be there.
        errors.extend(RowError(1, key, _("Missing required column.")) for key in REQUIRED_COLUMNS
                      if key not in written)
    return keys, written, errors


# --- import: rows ------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """What every row check needs, loaded once per file (no query per cell)."""

    actor: User
    keys: list[str | None]
    written: dict[str, str]
    choices: dict[str, dict[str, str]]
    jurisdictions: dict[str, Jurisdiction]
    platforms: dict[int, Platform]
    seen_ids: dict[int, int] = field(default_factory=dict)

    def column(self, key: str) -> str:
        """The heading as the user wrote it, so errors point at the column they see."""
        return self.written.get(key, key)


def _context(actor: User, table: Table, keys: list[str | None], written: dict[str, str]) -> _Context:
    ids: set[int] = set()
    if "id" in keys:
        index = keys.index("id")
        for _line, cells in table.rows:
            raw = undefuse(cells[index].strip()) if index < len(cells) else ""
            if raw.isascii() and raw.isdigit() and len(raw) < 19:
                ids.add(int(raw))
    platforms = Platform.objects.changeable_by(actor).select_related("jurisdiction").in_bulk(list(ids))
    return _Context(
        actor=actor, keys=keys, written=written,
        choices=choice_aliases(),
        jurisdictions=Jurisdiction.objects.in_bulk(field_name="code"), platforms=platforms,
    )


def _row_platform(ctx: _Context, line: int, raw: str) -> tuple[Platform | None, list[RowError]]:
    """The platform a row updates (None: the row creates one), or the reason the id is refused."""
    text = undefuse(raw.strip())
    if not text:
        if not ctx.actor.has_perm_name(Permission.PLATFORM_ADD):
            return None, [RowError(line, ctx.column("id"), _("Your role does not allow adding platforms."))]
        return None, []
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0
    platform = ctx.platforms.get(number)
    if platform is None:
        return None, [RowError(line, ctx.column("id"),
                               _("No platform with id “%(id)s” in your jurisdictions; leave the id blank to "
                                 "create a platform.") % {"id": text[:30]})]
    if number in ctx.seen_ids:
        return None, [RowError(line, ctx.column("id"), _("This platform is already on line %(line)d.")
                               % {"line": ctx.seen_ids[number]})]
    ctx.seen_ids[number] = line
    if not ctx.actor.has_perm_name(Permission.PLATFORM_CHANGE):
        return None, [RowError(line, ctx.column("id"), _("Your role does not allow changing platforms."))]
    return platform, []


def _row_jurisdiction(ctx: _Context, raw: str, *, creating: bool) -> Jurisdiction | None:
    """The jurisdiction named by code; None keeps the current one. Raises ValueError with the reason."""
    code = undefuse(raw.strip())
    if not code:
        if creating:
            raise ValueError(_("Enter the jurisdiction code."))
        return None
    jurisdiction = ctx.jurisdictions.get(code)
    if jurisdiction is None:
        raise ValueError(_("Unknown jurisdiction code “%(code)s”.") % {"code": code[:40]})
    if not ctx.actor.can_write_in(jurisdiction):
        raise ValueError(_("Jurisdiction “%(code)s” is outside the jurisdictions you may change.")
                         % {"code": code[:40]})
    return jurisdiction


def _parse_row(
    ctx: _Context, line: int, cells: list[str], *, creating: bool
) -> tuple[dict[str, Any], list[RowError], set[str]]:
    """Typed values of a row's cells, the problems found, and the keys whose cells could not be read."""
    data: dict[str, Any] = {}
    errors: list[RowError] = []
    failed: set[str] = set()
    if any(c.strip() for c in cells[len(ctx.keys):]):
        errors.append(RowError(line, "", _("This row has more cells than the header has columns.")))
    for index, key in enumerate(ctx.keys):
        if key is None or key == "id":
            continue
        raw = cells[index] if index < len(cells) else ""
        try:
            if key == "jurisdiction":
                value: Any = _row_jurisdiction(ctx, raw, creating=creating)
            else:
                value = parse_cell(key, raw, ctx.choices)
        except ValueError as exc:
            errors.append(RowError(line, ctx.column(key), str(exc)))
            failed.add(key)
            continue
        if value is not None:
            data[key] = value
    return data, errors, failed


def _model_errors(exc: ValidationError, line: int, ctx: _Context) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(line, "", message) for message in exc.messages]
    return [
        RowError(line, "" if name == NON_FIELD_ERRORS else ctx.column(name), message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _check_row(ctx: _Context, line: int, cells: list[str]) -> tuple[_Row | None, list[RowError]]:
    """Parse and validate one row exactly as the services will, without writing anything."""
    id_index = ctx.keys.index("id") if "id" in ctx.keys else None
    raw_id = cells[id_index] if id_index is not None and id_index < len(cells) else ""
    platform, errors = _row_platform(ctx, line, raw_id)
    creating = platform is None and not errors
    data, cell_errors, failed = _parse_row(ctx, line, cells, creating=creating)
    errors += cell_errors
    if platform is None and not creating:
        # The id was refused: whether the row was meant to create or update is unknown, so checking the
        # record as a whole would only add confusing "required" messages.
        return None, errors
    # A copy: the original keeps its jurisdiction for the service's permission check at write time.
    candidate = Platform(created_by=ctx.actor) if platform is None else copy.copy(platform)
    for key, value in data.items():
        setattr(candidate, key, value)
    try:
        # Cells that failed to parse are already reported; the jurisdiction was checked above.
        candidate.full_clean(exclude=[*failed, "jurisdiction", "created_by"])
    except ValidationError as exc:
        errors += _model_errors(exc, line, ctx)
    if errors:
        return None, errors
    if platform is not None and all(getattr(platform, k) == v for k, v in data.items()):
        return _Row(line, platform, {}, platform.version), []  # nothing to write for this row
    return _Row(line, platform, data, platform.version if platform else None), []


# --- import: the whole file --------------------------------------------------------------------------------


def _refused(message: str, line: int | None = None, column: str = "") -> ImportResult:
    return ImportResult(errors=[RowError(line, column, message)])


def _capped(errors: list[RowError]) -> list[RowError]:
    """Every problem up to a limit, so a wholly wrong file does not produce a page of a million rows."""
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    extra = len(errors) - MAX_REPORTED_ERRORS
    more = RowError(None, "", _("%(n)d more problems are not listed.") % {"n": extra})
    return [*errors[:MAX_REPORTED_ERRORS], more]


def _write_row(row: _Row, *, actor: User, reason: str) -> Literal["created", "updated", "unchanged"]:
    if row.platform is None:
        services.do_create_platform(actor=actor, data=row.data)
        return "created"
    if not row.data:
        return "unchanged"
    saved = services.do_update_platform(
        row.platform, actor=actor, data=row.data, expected_version=row.version, reason=reason
    )
    return "unchanged" if saved.version == row.version else "updated"


def _write(rows: list[_Row], *, actor: User, filename: str) -> ImportResult:
    """Apply every row through the services in one transaction; a late failure undoes all of them."""
    result = ImportResult()
    reason = _("Imported from %(file)s") % {"file": filename}
    try:
        with kernel.batch():  # the services join this one transaction
            for row in rows:
                try:
                    outcome = _write_row(row, actor=actor, reason=reason)
                except (ValidationError, PermissionDenied) as exc:
                    # Someone changed a record or a right between the check and the write.
                    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                    result.errors = [RowError(row.line, "", m) for m in messages]
                    raise _AbortImportError from exc
                setattr(result, outcome, getattr(result, outcome) + 1)
            audit.record(
                AuditAction.IMPORT, actor=actor, object_type=Platform._meta.label_lower,
                object_repr=filename[:200],
                after={"filename": filename, "rows": len(rows), "created": result.created,
                       "updated": result.updated, "unchanged": result.unchanged},
            )
    except _AbortImportError:
        return ImportResult(errors=result.errors)
    return result


def import_platforms(file_bytes: bytes, filename: str, *, actor: User) -> ImportResult:
    """Create or update platforms from a CSV or XLSX file; nothing is written unless every row is valid.

    Rows with an ``id`` update that platform, rows without one create a platform. Problems are returned in
    ``ImportResult.errors`` (never raised), messages in the active language.
    """
    require(actor, Permission.PLATFORM_IMPORT)
    limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if len(file_bytes) > limit:
        too_big = _("The file is larger than the limit of %(limit)s.")
        return _refused(too_big % {"limit": filesizeformat(limit)})
    try:
        table = read_table(file_bytes, filename, max_rows=int(settings.MAX_IMPORT_ROWS))
    except TableError as exc:
        return _refused(exc.message, exc.line)
    keys, written, errors = _map_header(table)
    if errors:
        return ImportResult(errors=errors)
    if not table.rows:
        return _refused(_("The file has a header but no data rows."), 2)
    ctx = _context(actor, table, keys, written)
    rows: list[_Row] = []
    for line, cells in table.rows:
        row, row_errors = _check_row(ctx, line, cells)
        errors += row_errors
        if row is not None:
            rows.append(row)
    if errors:
        return ImportResult(errors=_capped(errors))
    return _write(rows, actor=actor, filename=filename)
