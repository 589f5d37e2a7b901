"""Stored MinHash signatures: items that share one phrase are not one campaign, reposts are, and migration 0003
makes signatures stored by the first MinHash family comparable again."""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.conftest import Tree
from youthsafe.content import services
from youthsafe.content.models import ContentItem
from youthsafe.content.signatures import signature, signatures, similarity
from youthsafe.core.models import Jurisdiction, User
from youthsafe.detection.normalize import normalize_text

AD = "最新菠菜平台注册就送彩金，私聊我加微信abc12345，日入过千"
PRAISED = "今天被老板夸了一句，开心了一整天"
BIRTHDAY = "生日那天收到好多朋友的祝福和礼物，真的太开心了，谢谢大家一直陪着我"  # shares 开心了 with PRAISED
MIGRATION = "0003_recompute_signatures"
OLD_AD_PREFIX = "000086a251a2eae100116a58d0af1189"  # first two values the first family stored for AD


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


def _item(admin: User, place: Jurisdiction, location: str, text: str) -> ContentItem:
    return services.do_record_item({"jurisdiction": place, "platform": None, "location": location, "text": text,
                                    "categories": ["A15"], "found_via": "patrol"}, actor=admin)


def _old_signature(text: str) -> str:
    """The signature the service stored before migration 0003 (the first MinHash family), frozen here."""
    norm = normalize_text(text)
    rng = np.random.default_rng(20261128)
    a = rng.integers(1, 1 << 31, size=32, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=32, dtype=np.uint64)
    crcs = [zlib.crc32(norm[i : i + 3].encode("utf-8", "surrogatepass")) for i in range(max(len(norm) - 2, 1))]
    values = (np.array(crcs, dtype=np.uint64)[:, None] * a + b) % np.uint64((1 << 61) - 1)
    return "".join(f"{int(v):016x}" for v in values.min(axis=0))


def _migrate_signatures() -> None:
    """Run migration 0003's data step on the test database, with the models as they were at 0003."""
    module = importlib.import_module(f"youthsafe.content.migrations.{MIGRATION}")
    apps = MigrationLoader(connection).project_state(("content", MIGRATION)).apps
    module.recompute(apps, SimpleNamespace(connection=connection))  # it only needs the connection's alias


@pytest.mark.parametrize(("first", "second"), [
    pytest.param(PRAISED, BIRTHDAY, id="开心了"),
    pytest.param(AD, "菜市场的新菠菜特别嫩，妈妈买了两斤回来", id="新菠菜"),
])
def test_items_sharing_one_phrase_are_not_one_campaign(tree: Tree, admin: User, first: str, second: str) -> None:
    """Found in production: the first MinHash family estimated 0.97 for the first pair (true Jaccard 0.02)."""
    a = _item(admin, tree.north, "https://a.example/1", first)
    b = _item(admin, tree.north, "https://b.example/2", second)
    assert similarity(a.signature, b.signature) < services.DEDUP_THRESHOLD
    assert (a.group_id, b.group_id) == (None, None)


def test_reposts_are_one_campaign_and_an_unrelated_item_is_not(tree: Tree, admin: User) -> None:
    head = _item(admin, tree.north, "https://a.example/1", AD)
    emoji = _item(admin, tree.north, "https://b.example/2", AD.replace("，日入过千", "🎁日入过千💰"))
    contact = _item(admin, tree.south, "https://c.example/3", AD.replace("12345", "12346"))
    noisy = "最#新#菠#菜平台注~册就送彩金，私聊我加.微.信abc12345，日入过千！！"
    noise = _item(admin, tree.north, "https://d.example/4", noisy)
    unrelated = _item(admin, tree.north, "https://e.example/5", "菜市场的新菠菜特别嫩，妈妈买了两斤回来")
    assert [emoji.group_id, contact.group_id, noise.group_id] == [head.pk] * 3
    assert unrelated.group_id is None


def test_stored_form() -> None:
    texts = [AD, "加微信", "", "  ", "菜市场的新菠菜特别嫩，妈妈买了两斤回来"]
    sigs = signatures(texts)
    assert sigs == [signature(t) for t in texts]  # one batch or one at a time: the same
    assert [len(s) for s in sigs] == [512, 0, 0, 0, 512]  # 32 values of 16 hex digits; none for short texts
    assert similarity(sigs[0], sigs[0]) == 1.0
    assert similarity(sigs[0], "") == similarity("", "") == 0.0


def test_item_with_an_old_signature_is_matched_again_after_the_migration(tree: Tree, admin: User) -> None:
    old = _item(admin, tree.north, "https://a.example/1", AD)
    short = _item(admin, tree.north, "https://b.example/2", "加微信")
    empty = _item(admin, tree.north, "https://c.example/3", "")
    ContentItem.objects.filter(pk=old.pk).update(signature=_old_signature(AD))  # as stored before the fix
    repost = AD.replace("12345", "12346")
    assert services.find_group(signature(repost), tree.north) is None  # the families cannot be compared

    _migrate_signatures()

    assert dict(ContentItem.objects.values_list("pk", "signature")) == {
        old.pk: signature(AD), short.pk: "", empty.pk: ""}
    assert services.find_group(signature(repost), tree.north) == old
    assert _item(admin, tree.north, "https://d.example/4", repost).group_id == old.pk


def test_old_signature_is_what_the_first_family_stored() -> None:
    """The frozen copy above is the signature the first family stored (digits pinned from it), and differs
    from today's: the migration test really starts from an old-style signature."""
    assert _old_signature(AD)[:32] == OLD_AD_PREFIX
    assert signature(AD)[:32] != OLD_AD_PREFIX

