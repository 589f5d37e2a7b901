"""Records for the content and leads tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from youthsafe.content import services
from youthsafe.content.models import ContentItem, PublicReport
from youthsafe.core.models import Jurisdiction, User
from youthsafe.registry import services as registry
from youthsafe.registry.models import Platform

HARMFUL = "加微信看福利视频，未成年萝莉资源打包出售"


def platform(admin: User, place: Jurisdiction, name: str = "测试平台") -> Platform:
    return registry.do_create_platform(actor=admin, data={"name": name, "kind": "social", "operator": "某公司",
                                                          "jurisdiction": place})


def item(actor: User, place: Jurisdiction, target: Platform | None, *, location: str = "https://x.example/p/1",
         text: str = HARMFUL, categories: list[str] | None = None, **extra: Any) -> ContentItem:
    return services.do_record_item({"jurisdiction": place, "platform": target, "location": location, "text": text,
                                    "categories": categories or ["A01", "A02"], "found_via": "patrol", **extra},
                                   actor=actor)


def report(place: Jurisdiction, *, location: str = "https://x.example/r/1", ack: str = "", reason: str = "A15",
           contact: str = "", platform_name: str = "") -> PublicReport:
    return PublicReport.objects.create(
        ack_number=ack or services.new_ack_number(), jurisdiction=place, reason=reason, location=location,
        explanation="骗学生扫码付款", contact=contact, platform_name=platform_name, good_faith=True,
        received_at=timezone.now())
