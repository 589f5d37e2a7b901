"""What the content pages show: highlighted evidence spans, category labels, deadline states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from youthsafe.content import workflow
from youthsafe.content.models import Evidence, TakedownInstruction
from youthsafe.detection import taxonomy

_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
        "application/pdf": ".pdf", "text/plain; charset=utf-8": ".txt"}


def extension(row: Evidence) -> str:
    return _EXT.get(row.content_type, ".bin")


def highlight(text: str, spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split ``text`` into plain and highlighted segments from the engine's evidence spans (``start``/``end``
    offsets into the original text). Overlapping spans merge; spans outside the text are ignored. The template
    escapes every segment."""
    marks: list[tuple[int, int, str, str]] = []
    for span in spans:
        try:
            start, end = int(span["start"]), int(span["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= len(text):
            marks.append((start, end, str(span.get("category", "")), str(span.get("rule_id", ""))))
    marks.sort()
    segments: list[dict[str, Any]] = []
    pos = 0
    for start, end, category, rule in marks:
        if end <= pos:
            continue
        begin = max(start, pos)
        if begin > pos:
            segments.append({"text": text[pos:begin], "mark": False})
        segments.append({"text": text[begin:end], "mark": True, "category": category, "rule": rule})
        pos = end
    if pos < len(text):
        segments.append({"text": text[pos:], "mark": False})
    return segments


def categories(ids: Iterable[str]) -> list[dict[str, str]]:
    out = []
    for cid in ids:
        c = taxonomy.CATEGORIES.get(cid)
        out.append({"id": cid, "name": c.name_zh if c else cid, "tier": str(c.tier) if c else ""})
    return out


def scan_categories(scan: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not scan:
        return []
    rows = []
    for c in scan.get("categories", []):
        cat = taxonomy.CATEGORIES.get(c.get("id", ""))
        rows.append({"id": c.get("id"), "name": cat.name_zh if cat else c.get("id"),
                     "score": c.get("score"), "flagged": c.get("flagged"), "welfare": bool(cat and cat.welfare)})
    return rows


def instruction_sla(instruction: TakedownInstruction, now: dt.datetime) -> str:
    return workflow.sla(workflow.InstructionClock(instruction.status, instruction.deadline,
                                                  instruction.confirmed_at), now)
