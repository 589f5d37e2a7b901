"""What the content services share: the state names of the kernel's messages and where each record's
jurisdiction is (the ``scope`` every ``@kernel.service`` of this app declares)."""

from __future__ import annotations

from typing import Any

from youthsafe.content.models import ContentItem, ItemStatus, PublicReport, TakedownInstruction
from youthsafe.core.models import Jurisdiction

ITEM_NAMES: dict[str, Any] = dict(ItemStatus.choices)


def item_place(item: ContentItem, *_: Any, **__: Any) -> Jurisdiction:
    return item.jurisdiction


def instruction_place(instruction: TakedownInstruction, *_: Any, **__: Any) -> Jurisdiction:
    return instruction.item.jurisdiction


def report_place(report: PublicReport, *_: Any, **__: Any) -> Jurisdiction:
    return report.jurisdiction
