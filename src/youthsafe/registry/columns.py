"""The columns of a platform spreadsheet: stable keys, the headings people write, and reading one cell.

Exports always use the English keys. Imports also accept the Chinese headings of local spreadsheets and
the model's field labels in Chinese or English, compared without case, spaces, underscores or hyphens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Field, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from youthsafe.core import inputrule
from youthsafe.core.cells import undefuse
from youthsafe.registry.models import Platform, PlatformKind, PlatformStatus
from youthsafe.registry.services import PERSONAL_FIELDS

EXPORT_COLUMNS: tuple[str, ...] = (
    "id", "name", "kind", "operator", "operator_credit_code", "icp_number", "website", "app_store_ids",
    "jurisdiction", "registered_users", "minor_users", "locally_developed", "locally_operated",
    "public_opinion", "security_officer", "security_officer_phone", "security_officer_email", "status",
    "notes",
)
CONTACT_COLUMNS = PERSONAL_FIELDS  # exported only to holders of platform:view_contacts
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "kind", "operator", "jurisdiction")
INT_COLUMNS = frozenset({"registered_users", "minor_users"})
BOOL_COLUMNS = frozenset({"locally_developed", "locally_operated", "public_opinion"})
CHOICE_COLUMNS: dict[str, type[TextChoices]] = {"kind": PlatformKind, "status": PlatformStatus}
MAX_COUNT = 2**63 - 1  # PositiveBigIntegerField on SQLite and PostgreSQL

# The Chinese headings people use in their own spreadsheets, besides the model's translated labels.
CHINESE_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "序号ID"),
    "name": ("平台名称", "名称"),
    "kind": ("平台类型", "类型", "类别"),
    "operator": ("运营主体", "运营单位", "运营者", "运营企业"),
    "operator_credit_code": ("统一社会信用代码", "信用代码"),
    "icp_number": ("ICP备案号", "备案号", "ICP备案/许可证号"),
    "website": ("网址", "网站", "域名"),
    "app_store_ids": ("应用商店编号", "应用商店ID"),
    "jurisdiction": ("辖区", "辖区代码", "所属辖区"),
    "registered_users": ("注册用户数", "用户数"),
    "minor_users": ("未成年用户数", "未成年人用户数"),
    "locally_developed": ("本地开发",),
    "locally_operated": ("本地运营",),
    "public_opinion": ("舆论属性", "具有舆论属性"),
    "security_officer": ("安全负责人", "网络安全负责人"),
    "security_officer_phone": ("安全负责人电话", "联系电话"),
    "security_officer_email": ("安全负责人邮箱", "电子邮箱"),
    "status": ("状态", "运营状态"),
    "notes": ("备注",),
}
CHINESE_CHOICES: dict[str, tuple[str, ...]] = {
    "education": ("教育", "教育平台", "在线教育"),
    "game": ("游戏", "网络游戏"),
    "social": ("社交",),
    "live": ("直播", "网络直播"),
    "video": ("视频", "网络视频"),
    "ecommerce": ("电商", "电子商务"),
    "forum": ("论坛",),
    "app_store": ("应用商店",),
    "other": ("其他",),
    "active": ("运营中", "正常运营", "正常"),
    "rectifying": ("整改中", "整改"),
    "suspended": ("暂停", "已暂停", "暂停服务"),
    "disconnected": ("停机", "已停机", "断网"),
    "closed": ("关闭", "已关闭"),
}
TRUE_WORDS = frozenset({"是", "有", "true", "yes", "y", "1", "√"})
FALSE_WORDS = frozenset({"否", "无", "false", "no", "n", "0", "×"})


def norm(text: str) -> str:
    """Compare headings and labels ignoring case, spaces, underscores and hyphens."""
    return re.sub(r"[\s_\-]+", "", text.strip().lstrip("\ufeff").casefold())


def _translated(labels: Iterable[Any]) -> list[str]:
    """Each lazy label in Chinese and in English, whatever the active language is."""
    names: list[str] = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.extend(str(label) for label in labels)
    return names


def header_aliases() -> dict[str, str]:
    """Normalised heading -> column key."""
    aliases: dict[str, str] = {}
    for key in EXPORT_COLUMNS:
        names = [key, *CHINESE_HEADERS.get(key, ())]
        model_field = Platform._meta.get_field(key) if key != "id" else None
        if isinstance(model_field, Field):
            names += _translated([model_field.verbose_name])
        aliases.update({norm(n): key for n in names})
    return aliases


def choice_aliases() -> dict[str, dict[str, str]]:
    """For kind and status: normalised value or label (Chinese or English) -> stored value."""
    result: dict[str, dict[str, str]] = {}
    for key, choices in CHOICE_COLUMNS.items():
        aliases: dict[str, str] = {}
        for value, label in choices.choices:
            for name in (value, *CHINESE_CHOICES.get(value, ()), *_translated([label])):
                aliases[norm(name)] = value
        result[key] = aliases
    return result


def parse_cell(key: str, raw: str, choices: dict[str, dict[str, str]]) -> Any:
    """The typed value of one cell; ``None`` means "keep" (a blank non-text cell). Raises ValueError."""
    text = undefuse(raw.strip())
    found = inputrule.find(text)  # the product's input rule: no NUL, control character or lone surrogate
    if found is not None:
        raise ValueError(found.message())
    if key not in INT_COLUMNS and key not in BOOL_COLUMNS and key not in CHOICE_COLUMNS:
        return text
    if not text:
        return None
    if key in INT_COLUMNS:
        return parse_count(text)
    if key in BOOL_COLUMNS:
        return parse_bool(text)
    value = choices[key].get(norm(text))
    if value is None:
        raise ValueError(_("Unknown value “%(value)s”; use one of: %(choices)s.")
                         % {"value": text[:50], "choices": ", ".join(CHOICE_COLUMNS[key].values)})
    return value


def parse_count(text: str) -> int:
    """A whole number of 0 or more; thousands separators and Excel's trailing ".0" are allowed."""
    cleaned = text.replace(",", "").replace("，", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError(_("Enter a whole number of 0 or more."))
    if len(cleaned) > 19 or int(cleaned) > MAX_COUNT:
        raise ValueError(_("The number is too large."))
    return int(cleaned)


def parse_bool(text: str) -> bool:
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("Enter yes or no (是/否, true/false, 1/0)."))
