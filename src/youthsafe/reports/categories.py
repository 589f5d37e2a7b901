"""Figures by taxonomy category (A01..W01) for records that carry a JSON list of category ids (content items,
alerts). An app names them beside its indicators: ``CATEGORY_BREAKDOWNS = {indicator key: field}``.

A record counts once under each of its categories, so the parts can add up to more than the figure. The lists
are expanded in Python (one query reading only that column), the same on SQLite and PostgreSQL; a list is
narrowed to a category with the JSON text containing the quoted id, which both databases index-free match.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections import Counter
from functools import cache
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language

from youthsafe.core import indicators as ind
from youthsafe.core.models import Jurisdiction
from youthsafe.detection import taxonomy

CATEGORY_ID = re.compile(r"[A-Z][0-9]{2}")


@cache
def category_fields() -> dict[str, str]:
    """``{indicator key: field holding the category list}`` over every app."""
    found: dict[str, str] = {}
    for app in settings.YOUTHSAFE_APPS:
        if find_spec(f"youthsafe.{app}.indicators") is None:
            continue
        found.update(getattr(importlib.import_module(f"youthsafe.{app}.indicators"), "CATEGORY_BREAKDOWNS", {}))
    return found


def label(cid: str) -> str:
    """``A01 宣扬淫秽色情`` (the English name when the interface is in English)."""
    category = taxonomy.CATEGORIES.get(cid)
    if category is None:
        return cid
    name = category.name_zh if (get_language() or "zh").startswith("zh") else category.name_en
    return f"{cid} {name}"


def by_category(indicator: ind.Indicator, start: dt.date, end: dt.date,
                jurisdiction: Jurisdiction | None = None) -> list[tuple[str, str, int]]:
    """``(category id, label, records)`` for each category present, in the taxonomy's order; empty for an
    indicator without a category list."""
    field = category_fields().get(indicator.key)
    if field is None:
        return []
    counts: Counter[str] = Counter()
    rows = ind.records(indicator, start, end, jurisdiction).order_by().values_list(field, flat=True)
    for ids in rows.iterator(chunk_size=5000):
        counts.update({str(c) for c in ids or ()})
    order = [c for c in taxonomy.CATEGORIES if c in counts] + sorted(c for c in counts if c not in taxonomy.CATEGORIES)
    return [(cid, label(cid), counts[cid]) for cid in order]


def narrow(indicator: ind.Indicator, qs: QuerySet[Any], cid: str) -> QuerySet[Any]:
    """``qs`` narrowed to records of ``indicator`` with category ``cid`` (ValueError for a malformed id or an
    indicator without categories)."""
    field = category_fields().get(indicator.key)
    if field is None or not CATEGORY_ID.fullmatch(cid):
        raise ValueError(cid)
    return qs.filter(**{f"{field}__icontains": f'"{cid}"'})
