"""Bulk export and import: round trips in CSV and XLSX, every error reported with its spreadsheet line and
column while nothing is imported, file-level limits, formula injection defused, jurisdiction rights."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import Workbook, load_workbook
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.conftest import Tree
from youthsafe.core.models import AuditAction, AuditEvent, User
from youthsafe.core.roles import ROLE_PERMISSIONS, Permission, Role
from youthsafe.registry import services
from youthsafe.registry.importexport import RowError, export_platforms, import_platforms
from youthsafe.registry.models import Platform

HEADER = ["name", "kind", "operator", "jurisdiction", "registered_users", "minor_users"]


def _csv(rows: list[list[Any]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _damaged_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<broken")
        archive.writestr("xl/workbook.xml", "<<<")
    return out.getvalue()


def _state() -> tuple[Any, ...]:
    return list(Platform.objects.order_by("id").values()), AuditEvent.objects.count()


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def analyst(make_user: Callable[..., User], tree: Tree) -> User:
    return make_user(Role.ANALYST, tree.north)


@pytest.fixture
def places(admin: User, tree: Tree) -> dict[str, Platform]:
    def make(name: str, jurisdiction: Any, **extra: Any) -> Platform:
        data = {"name": name, "kind": "education", "operator": "某公司", "jurisdiction": jurisdiction, **extra}
        return services.do_create_platform(actor=admin, data=data)

    return {
        "north": make("江北学堂", tree.north, registered_users=300, minor_users=200, locally_developed=True,
                      security_officer="王敏", security_officer_phone="+86 571 8888 0000",
                      notes="=HYPERLINK(\"http://evil.example\",\"点我\")", icp_number="鄂ICP备12345678号"),
        "station": make("派出所论坛", tree.station, kind="forum", status="rectifying", operator="-减号公司"),
        "south": make("江南游戏", tree.south, kind="game"),
    }


def _errors(result: Any) -> list[tuple[int | None, str]]:
    return [(e.line, e.column) for e in result.errors]


# --- export ------------------------------------------------------------------------------------------------


def test_csv_export_has_bom_keys_scope_and_audit(places: dict[str, Platform], analyst: User) -> None:
    body = export_platforms(Platform.objects.all(), "csv", actor=analyst)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "name", "kind", "operator"]
    assert "security_officer_phone" in rows[0]
    assert {r[1] for r in rows[1:]} == {"江北学堂", "派出所论坛"}  # the sibling district stays out
    record = dict(zip(rows[0], next(r for r in rows[1:] if r[1] == "江北学堂"), strict=True))
    assert record["jurisdiction"] == "JC-N"
    assert record["locally_developed"] == "true"
    assert record["notes"].startswith("'=HYPERLINK")  # defused
    assert record["security_officer_phone"] == "'+86 571 8888 0000"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert event.actor_id == analyst.pk
    assert event.after == {"count": 2, "format": "csv", "contacts": True}


def test_xlsx_export_defuses_formulas(places: dict[str, Platform], admin: User) -> None:
    body = export_platforms(Platform.objects.order_by("name"), "xlsx", actor=admin)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0] == "id"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    notes = {r[1]: r[header.index("notes")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(notes["江北学堂"]).startswith("'=")


def test_xlsx_export_survives_control_characters(admin: User, tree: Tree) -> None:
    services.do_create_platform(actor=admin, data={"name": "控制符", "kind": "other", "operator": "某公司",
                                                   "jurisdiction": tree.north, "notes": "铃\x07声\x1b"})
    sheet = load_workbook(io.BytesIO(export_platforms(Platform.objects.all(), "xlsx", actor=admin))).worksheets[0]
    assert "铃声" in [c.value for c in sheet[2]]


def test_export_without_contact_right_leaves_contacts_out(
    places: dict[str, Platform], make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.READONLY,
                        frozenset({Permission.PLATFORM_VIEW, Permission.PLATFORM_EXPORT}))
    body = export_platforms(Platform.objects.all(), "csv", actor=make_user(Role.READONLY))
    header = body.decode("utf-8-sig").splitlines()[0].split(",")
    assert not {"security_officer", "security_officer_phone", "security_officer_email"} & set(header)
    assert "王敏" not in body.decode("utf-8-sig")


def test_export_needs_the_export_right(places: dict[str, Platform], make_user: Callable[..., User]) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        export_platforms(Platform.objects.all(), "csv", actor=make_user(Role.READONLY))
    assert _state() == before


# --- round trips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_changes_only_what_was_edited(places: dict[str, Platform], analyst: User, fmt: str) -> None:
    body = export_platforms(Platform.objects.all(), fmt, actor=analyst)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        rows = [["" if v is None else v for v in r]
                for r in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True)]
    users = rows[0].index("registered_users")
    for row in rows[1:]:
        if row[1] == "江北学堂":
            row[users] = 450
    edited = _csv(rows) if fmt == "csv" else _xlsx(rows)
    result = import_platforms(edited, f"platforms.{fmt}", actor=analyst)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    north = Platform.objects.get(pk=places["north"].pk)
    assert north.registered_users == 450
    assert north.notes == places["north"].notes  # the defusing quote came off again
    assert north.security_officer_phone == "+86 571 8888 0000"
    assert Platform.objects.get(pk=places["station"].pk).operator == "-减号公司"
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("id")
    assert event.after["filename"] == f"platforms.{fmt}"
    assert (event.after["created"], event.after["updated"]) == (0, 1)
    change = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(north.pk)).latest("id")
    assert change.after == {"registered_users": 450}


def test_create_from_csv(analyst: User, tree: Tree) -> None:
    data = _csv([[*HEADER, "locally_operated", "status"],
                 ["新平台甲", "game", "甲公司", "JC-N", "10", "5", "yes", "Suspended"],
                 ["新平台乙", "Education", "乙公司", "JC-N-1", "1,000", "0", "0", ""]])
    result = import_platforms(data, "new.csv", actor=analyst)
    assert result.ok, result.errors
    assert result.created == 2
    first = Platform.objects.get(name="新平台甲")
    assert (first.kind, first.status, first.locally_operated, first.created_by) == ("game", "suspended", True, analyst)
    second = Platform.objects.get(name="新平台乙")
    assert (second.registered_users, second.status, second.jurisdiction) == (1000, "active", tree.station)


def test_chinese_headers_and_values(analyst: User, tree: Tree) -> None:
    data = _xlsx([["平台名称", "平台类型", "运营主体", "辖区", "注册用户数", "未成年用户数", "本地开发", "状态",
                   "安全负责人电话"],
                  ["青苗网校", "在线教育", "青苗公司", "JC-N", 1200, 300, "是", "整改中", 13800138000],
                  ["江北论坛", "论坛", "论坛公司", "JC-N", 1200.0, None, "否", "", ""]])
    result = import_platforms(data, "中文表头.xlsx", actor=analyst)
    assert result.ok, result.errors
    school = Platform.objects.get(name="青苗网校")
    assert (school.kind, school.status, school.locally_developed) == ("education", "rectifying", True)
    assert (school.registered_users, school.minor_users, school.security_officer_phone) == (1200, 300, "13800138000")
    forum = Platform.objects.get(name="江北论坛")
    assert (forum.kind, forum.registered_users, forum.minor_users) == ("forum", 1200, 0)


def test_gbk_csv_from_chinese_excel_is_read(analyst: User) -> None:
    data = _csv([["名称", "类型", "运营单位", "辖区"], ["江北少儿编程", "教育", "编程公司", "JC-N"]], encoding="gbk")
    result = import_platforms(data, "gbk.csv", actor=analyst)
    assert result.ok, result.errors
    assert Platform.objects.filter(name="江北少儿编程", kind="education").exists()


def test_update_by_id_blank_number_keeps_value(places: dict[str, Platform], analyst: User) -> None:
    pk = places["north"].pk
    data = _csv([["id", "name", "registered_users", "minor_users", "notes"], [pk, "江北学堂(新)", "", "", ""]])
    result = import_platforms(data, "update.csv", actor=analyst)
    assert result.ok, result.errors
    north = Platform.objects.get(pk=pk)
    assert (north.name, north.registered_users, north.minor_users, north.notes) == ("江北学堂(新)", 300, 200, "")


# --- every error, nothing imported -------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_imports_nothing(analyst: User) -> None:
    data = _csv([HEADER, ["好平台一", "game", "甲", "JC-N", "10", "1"], ["坏平台", "casino", "乙", "JC-N", "10", "1"],
                 ["好平台二", "game", "丙", "JC-N", "10", "1"]])
    before = _state()
    result = import_platforms(data, "mixed.csv", actor=analyst)
    assert not result.ok
    assert _errors(result) == [(3, "kind")]
    assert "casino" in result.errors[0].message
    assert _state() == before


def test_all_errors_are_reported_with_their_lines_and_columns(analyst: User) -> None:
    data = _xlsx([["名称", "类型", "运营单位", "辖区", "注册用户数", "未成年用户数", "本地运营", "ICP备案号"],
                  ["一", "game", "甲", "JC-N", 10, 1, "是", "鄂ICP备12345678号"],
                  ["二", "game", "乙", "JC-N", 10, 1, "也许", "ICP123"],
                  ["", "game", "丙", "JC-X", "很多", 1, "", ""],
                  ["四", "game", "丁", "JC-N", 5, 50, "", ""],
                  ["五", "game", "戊", "JC-N", 10 ** 30, 1, "", ""]])
    before = _state()
    result = import_platforms(data, "many.xlsx", actor=analyst)
    assert set(_errors(result)) == {
        (3, "本地运营"), (3, "ICP备案号"), (4, "辖区"), (4, "注册用户数"), (4, "名称"), (5, ""), (6, "注册用户数"),
    }
    assert _state() == before


def test_jurisdiction_outside_actor_subtree_is_refused(places: dict[str, Platform], analyst: User) -> None:
    data = _csv([HEADER, ["越界平台", "game", "甲", "JC-S", "1", "0"], ["上级平台", "game", "乙", "JC", "1", "0"]])
    before = _state()
    result = import_platforms(data, "outside.csv", actor=analyst)
    assert _errors(result) == [(2, "jurisdiction"), (3, "jurisdiction")]
    assert _state() == before


def test_ids_outside_subtree_unknown_or_repeated_are_refused(places: dict[str, Platform], analyst: User) -> None:
    north = places["north"].pk
    data = _csv([["id", "name"], [places["south"].pk, "偷改"], ["999999", "无此平台"], ["abc", "坏编号"],
                 [north, "第一次"], [north, "第二次"]])
    before = _state()
    result = import_platforms(data, "ids.csv", actor=analyst)
    assert _errors(result) == [(2, "id"), (3, "id"), (4, "id"), (6, "id")]
    assert "5" in result.errors[3].message  # points at the first line with this id
    assert _state() == before


def test_moving_a_platform_by_import_needs_rights_at_both_ends(places: dict[str, Platform], analyst: User) -> None:
    data = _csv([["id", "jurisdiction"], [places["north"].pk, "JC-S"]])
    assert _errors(import_platforms(data, "move.csv", actor=analyst)) == [(2, "jurisdiction")]


def test_a_late_failure_rolls_back_every_row(analyst: User, monkeypatch: pytest.MonkeyPatch) -> None:
    real = services.do_create_platform
    calls = []

    def flaky(*, actor: User, data: Any) -> Platform:
        calls.append(data["name"])
        if len(calls) == 2:
            raise ValidationError("数据库说不")
        return real(actor=actor, data=data)

    monkeypatch.setattr(services, "do_create_platform", flaky)
    data = _csv([HEADER, ["一", "game", "甲", "JC-N", "1", "0"], ["二", "game", "乙", "JC-N", "1", "0"]])
    before = _state()
    result = import_platforms(data, "late.csv", actor=analyst)
    assert result.errors == [RowError(3, "", "数据库说不")]
    assert (result.created, result.updated) == (0, 0)
    assert _state() == before


# --- the file as a whole -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "empty.csv"),
        (b"  \r\n", "blank.csv"),
        (b"name,kind\n", "platforms.pdf"),
        (b"name,kind,operator,jurisdiction\n", "noext"),
        (b"name,kind,operator,jurisdiction\n", "fake.xlsx"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
        (_damaged_workbook(), "damaged.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "old.xls"),
        (b"name\x00kind\x00\x01\x02", "binary.csv"),
        (b"name,kind,operator,jurisdiction\n", "header_only.csv"),
        (b"name,kind,operator\nx,game,y\n", "missing_column.csv"),
        (b"name,kind,operator,jurisdiction,\xe5\x90\x8d\xe7\xa7\xb0\n", "duplicate.csv"),
        (b"name,kind,operator,jurisdiction,colour\nx,game,y,JC-N,red\n", "unknown.csv"),
        (b"name,kind,operator,jurisdiction\nx,game,y,JC-N,extra\n", "extra_cell.csv"),
        (b'name,kind,operator,jurisdiction\n"unterminated,game,y,JC-N\n' + b"x" * 200_000, "malformed.csv"),
    ],
)
def test_unusable_files_are_refused_with_a_message(analyst: User, data: bytes, filename: str) -> None:
    before = _state()
    result = import_platforms(data, filename, actor=analyst)
    assert not result.ok
    assert all(e.message for e in result.errors)
    assert _state() == before


def test_xlsx_named_csv_is_refused(analyst: User) -> None:
    result = import_platforms(_xlsx([HEADER]), "sneaky.csv", actor=analyst)
    assert ".xlsx" in result.errors[0].message


def test_oversized_file_is_refused(analyst: User, settings: SettingsWrapper) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    data = _csv([HEADER] + [[f"平台{i}", "game", "甲", "JC-N", "1", "0"] for i in range(20)])
    result = import_platforms(data, "big.csv", actor=analyst)
    assert _errors(result) == [(None, "")]
    assert Platform.objects.count() == 0


def test_too_many_rows_are_refused(analyst: User, settings: SettingsWrapper) -> None:
    settings.MAX_IMPORT_ROWS = 3
    rows = [[f"平台{i}", "game", "甲", "JC-N", "1", "0"] for i in range(4)]
    assert _errors(import_platforms(_csv([HEADER, *rows]), "many.csv", actor=analyst)) == [(5, "")]
    assert import_platforms(_csv([HEADER, *rows[:3]]), "ok.csv", actor=analyst).created == 3


def test_blank_rows_are_skipped_but_lines_still_count(analyst: User) -> None:
    data = _csv([HEADER, ["一", "game", "甲", "JC-N", "1", "0"], [], ["", "", "", "", "", ""],
                 ["四", "casino", "乙", "JC-N", "1", "0"]])
    assert _errors(import_platforms(data, "gaps.csv", actor=analyst)) == [(5, "kind")]


def test_import_needs_the_import_right(make_user: Callable[..., User], tree: Tree) -> None:
    data = _csv([HEADER, ["一", "game", "甲", "JC-N", "1", "0"]])
    with pytest.raises(PermissionDenied):
        import_platforms(data, "x.csv", actor=make_user(Role.LEADER, tree.city))


# --- through the pages -------------------------------------------------------------------------------------


def test_import_and_export_pages(analyst: User, login: Callable[[User], Client]) -> None:
    client = login(analyst)
    upload = io.BytesIO(_csv([HEADER, ["页面导入", "game", "甲", "JC-N", "1", "0"]]))
    upload.name = "page.csv"
    response = client.post("/registry/import/", {"file": upload})
    assert response.status_code == 302
    assert Platform.objects.filter(name="页面导入").exists()
    exported = client.get("/registry/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["页面导入"]
