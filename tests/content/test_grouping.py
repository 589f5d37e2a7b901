"""Near-duplicate items form one campaign by text, and also by an evidence file of the same SHA-256 or by the
same location once normalised."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import Tree
from tests.content import factories
from youthsafe.content import services
from youthsafe.content.models import ContentItem
from youthsafe.content.workflow import location_key
from youthsafe.core.models import User

PNG = b"\x89PNG\r\n\x1a\n" + b"same screenshot" * 10


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("administrator")


def _item(admin: User, place: object, location: str, text: str = "", files: list[bytes] | None = None) -> ContentItem:
    uploads = [SimpleUploadedFile(f"{i}.png", data) for i, data in enumerate(files or [])]
    return services.do_record_item({"jurisdiction": place, "platform": None, "location": location, "text": text,
                                    "categories": ["A15"], "found_via": "patrol"}, actor=admin, uploads=uploads)


@pytest.mark.parametrize(("a", "b"), [
    ("https://Video.Example.com/v/123", "https://video.example.com/v/123/"),
    ("HTTPS://video.example.com/v/123?utm_source=wx&utm_medium=share", "https://video.example.com/v/123"),
    ("https://video.example.com/v/123?id=9&spm=a.b.c&fbclid=x", "http://video.example.com:80/v/123?id=9#comments"),
    ("https://video.example.com/v?b=2&a=1", "https://video.example.com/v?a=1&b=2"),
    ("抖音  @某用户 的视频", "抖音 @某用户 的视频"),
])
def test_same_location_keys(a: str, b: str) -> None:
    assert location_key(a) == location_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://video.example.com/v/123", "https://video.example.com/v/124"),
    ("https://video.example.com/v/123?id=9", "https://video.example.com/v/123?id=10"),
    ("https://video.example.com/V/123", "https://video.example.com/v/123"),  # paths keep their case
    ("https://video.example.com/v/123", "https://other.example.com/v/123"),
])
def test_different_location_keys(a: str, b: str) -> None:
    assert location_key(a) != location_key(b)


def test_items_with_the_same_normalised_url_form_one_campaign(tree: Tree, admin: User) -> None:
    first = _item(admin, tree.north, "https://Video.Example.com/v/123/?utm_source=wechat", "短")
    second = _item(admin, tree.south, "https://video.example.com/v/123", "另一段")  # texts too short for MinHash
    third = _item(admin, tree.north, "https://video.example.com/v/123?spm=1.2", "")
    elsewhere = _item(admin, tree.north, "https://video.example.com/v/456", "短")
    other_city = _item(admin, tree.other_city, "https://video.example.com/v/123", "短")
    assert first.group_id is None
    assert (second.group_id, third.group_id) == (first.pk, first.pk)
    assert elsewhere.group_id is None
    assert other_city.group_id is None  # campaigns are per city


def test_items_sharing_an_evidence_file_form_one_campaign(tree: Tree, admin: User) -> None:
    first = _item(admin, tree.north, "https://a.example/1", files=[PNG])
    second = _item(admin, tree.north, "https://b.example/2", files=[b"\x89PNG\r\n\x1a\nother" * 5, PNG])
    different = _item(admin, tree.north, "https://c.example/3", files=[b"\x89PNG\r\n\x1a\nthird" * 5])
    assert first.group_id is None
    assert second.group_id == first.pk
    assert different.group_id is None
    assert second.evidence.filter(sha256=first.evidence.get().sha256).exists()


def test_joining_a_campaign_through_a_member_names_its_head(tree: Tree, admin: User) -> None:
    ad = "低价出售游戏账号，未成年也能买，加V：{} 立刻到账，先付款后发货"
    head = factories.item(admin, tree.north, None, location="https://a.example/1", text=ad.format("jc2023"),
                          categories=["A15"])
    member = factories.item(admin, tree.north, None, location="https://b.example/2", text=ad.format("jc2024"),
                            categories=["A15"])
    later = _item(admin, tree.north, "https://B.example/2/", "")  # same place as the member, no text
    assert member.group_id == head.pk
    assert later.group_id == head.pk


def test_same_short_text_alone_does_not_group(tree: Tree, admin: User) -> None:
    first = _item(admin, tree.north, "https://a.example/1", "加微信")
    second = _item(admin, tree.north, "https://b.example/2", "加微信")
    assert (first.group_id, second.group_id) == (None, None)
