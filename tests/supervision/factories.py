"""Records for supervision tests, built through the services (so every test exercises the real path)."""

from __future__ import annotations

import datetime as dt

from youthsafe.core.models import Jurisdiction, User
from youthsafe.registry import services as registry
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Inspection, RectificationOrder
from youthsafe.supervision.services import inspections, orders

DAY = dt.date(2026, 3, 2)


def platform(place: Jurisdiction, admin: User, name: str = "青苗作业帮", **extra: object) -> Platform:
    data = {"name": name, "kind": "education", "operator": "青苗互动科技有限公司", "jurisdiction": place,
            "website": "https://www.qingmiao.example.cn", "app_store_ids": "android:com.qingmiao.app",
            "minor_users": 1000, "registered_users": 5000, "public_opinion": True, **extra}
    return registry.do_create_platform(actor=admin, data=data)


def second_signer(place: Jurisdiction) -> User:
    """A leader of ``place`` to sign inspections someone else conducted: the person who conducted an
    inspection cannot sign it (four eyes), administrators included."""
    user, _made = User.objects.get_or_create(username=f"signer-{place.code.lower()}", defaults={
        "role": "leader", "jurisdiction": place, "display_name": "签发人"})
    return user


def inspected(target: Platform, conductor: User, signer: User | None = None, *, failed: str = "MP-9-MINORMODE",
              day: dt.date = DAY) -> Inspection:
    """An inspection with every item checked and one failed item (items pre-marked not applicable for the
    platform's kind stay so); signed when ``signer`` is given."""
    made = inspections.do_create_inspection(target, actor=conductor, inspected_on=day)
    open_ids = set(made.items.filter(result="unchecked").values_list("control_id", flat=True))
    for control in CONTROLS:
        if control.id not in open_ids:
            continue
        if control.id == failed:
            inspections.do_record_item(made, control.id, actor=conductor, result="failed",
                                       note="未成年人模式缺少消费限额", severity="high")
        else:
            inspections.do_record_item(made, control.id, actor=conductor, result="passed")
    inspections.do_complete(made, actor=conductor, summary="发现1项问题")
    if signer is not None:
        made = inspections.do_sign(made, actor=signer)
    return made


def delivered_order(inspection: Inspection, issuer: User, *, delivered_on: dt.date = DAY,
                    days: int = 15) -> RectificationOrder:
    order = orders.do_draft_order(inspection.platform, actor=issuer, inspection=inspection,
                                  findings=list(inspection.findings.all()), problems="未成年人模式缺少消费限额",
                                  legal_basis="《未成年人网络保护条例》第四十三条、第四十四条", period_days=days)
    orders.do_issue(order, actor=issuer, issued_on=delivered_on)
    return orders.do_deliver(order, actor=issuer, delivered_on=delivered_on, method="直接送达")
