"""Fixtures for ingestion tests: a source in the district ``tree.north`` and a recruitment thread."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Tree
from youthsafe.pipeline.models import Source

RECRUITMENT_THREAD: list[dict[str, Any]] = [
    {"id": "t1", "text": "有没有人一起走，约好这周六在江边烧炭，不想一个人，私信我", "author": "night_owl",
     "thread": "th-1", "created_at": "2026-11-28T10:00:00+08:00"},
    {"id": "t2", "text": "带我一个，我也不想活了", "author": "little_fish", "thread": "th-1",
     "created_at": "2026-11-28T10:02:00+08:00"},
    {"id": "t3", "text": "加我一个，我也撑不下去了，想死", "author": "kite", "thread": "th-1",
     "created_at": "2026-11-28T10:03:00+08:00"},
    {"id": "t4", "text": "楼主别这样，打12356聊聊吧", "author": "sunny", "thread": "th-1",
     "created_at": "2026-11-28T10:04:00+08:00"},
    {"id": "o1", "text": "今天数学课讲了函数，感觉终于听懂了", "author": "student", "created_at": 1764295200},
]


@pytest.fixture
def source(tree: Tree) -> Source:
    return Source.objects.create(name="test-feed", jurisdiction=tree.north)
