"""Demo data: a fictional city with districts, counties and police stations, a second city for
cross-region work, and one user per role. Each app adds its own records through its ``demo.load``.

Loading is idempotent: running it again keeps existing data and adds only what is missing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.util import find_spec

from django.conf import settings

from youthsafe.core import audit, kernel
from youthsafe.core.models import Jurisdiction, JurisdictionKind, User
from youthsafe.core.roles import Role

DEMO_PASSWORD = "demo-youthsafe-2026"  # the published demo password  # nosec B105

# (code, name, English name, kind, parent code)
PLACES: list[tuple[str, str, str, JurisdictionKind, str | None]] = [
    ("JC", "江城市", "Jiangcheng City", JurisdictionKind.CITY, None),
    ("JC-JB", "江北区", "Jiangbei District", JurisdictionKind.DISTRICT, "JC"),
    ("JC-JN", "江南区", "Jiangnan District", JurisdictionKind.DISTRICT, "JC"),
    ("JC-GX", "高新区", "Hi-tech Zone", JurisdictionKind.DISTRICT, "JC"),
    ("JC-LJ", "临江县", "Linjiang County", JurisdictionKind.COUNTY, "JC"),
    ("JC-QS", "青山县", "Qingshan County", JurisdictionKind.COUNTY, "JC"),
    ("JC-JB-01", "江北区东湖派出所", "Donghu Police Station", JurisdictionKind.STATION, "JC-JB"),
    ("JC-JB-02", "江北区北岸派出所", "Bei'an Police Station", JurisdictionKind.STATION, "JC-JB"),
    ("JC-JN-01", "江南区滨江派出所", "Binjiang Police Station", JurisdictionKind.STATION, "JC-JN"),
    ("JC-GX-01", "高新区光谷派出所", "Guanggu Police Station", JurisdictionKind.STATION, "JC-GX"),
    ("JC-LJ-01", "临江县城关派出所", "Chengguan Police Station", JurisdictionKind.STATION, "JC-LJ"),
    ("JC-QS-01", "青山县青山镇派出所", "Qingshan Town Police Station", JurisdictionKind.STATION, "JC-QS"),
    ("HZ", "海州市", "Haizhou City", JurisdictionKind.CITY, None),
    ("HZ-WA", "海州市公安局网安支队", "Haizhou Cyber Security Unit", JurisdictionKind.UNIT, "HZ"),
]

# (user name, display name, role, jurisdiction code)
USERS: list[tuple[str, str, Role, str]] = [
    ("admin", "系统管理员", Role.ADMINISTRATOR, "JC"),
    ("leader", "王局长", Role.LEADER, "JC"),
    ("analyst", "李分析", Role.ANALYST, "JC"),
    ("analyst_jb", "赵民警（江北）", Role.ANALYST, "JC-JB"),
    ("reviewer", "陈审核", Role.REVIEWER, "JC"),
    ("responder_jb", "刘处置（江北）", Role.RESPONDER, "JC-JB"),
    ("responder_hz", "周处置（海州）", Role.RESPONDER, "HZ-WA"),
    ("auditor", "孙审计", Role.AUDITOR, "JC"),
    ("viewer", "吴只读（江南）", Role.READONLY, "JC-JN"),
]



@dataclass
class DemoContext:
    places: dict[str, Jurisdiction] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def _places(ctx: DemoContext) -> None:
    for code, name, name_en, kind, parent in PLACES:
        node = Jurisdiction.objects.filter(code=code).first()
        if node is None:
            node = Jurisdiction(code=code, name=name, name_en=name_en, kind=kind,
                                parent=ctx.places[parent] if parent else None)
            node.save()
        ctx.places[code] = node


def _users(ctx: DemoContext) -> None:
    for username, display, role, place in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, role=role, jurisdiction=ctx.places[place])
            user.set_password(DEMO_PASSWORD)
            user.save()
        ctx.users[username] = user


def load() -> DemoContext:
    """Every app's demo records in one transaction, through the services (kernel.batch), with the audit
    trail in the records' own time (audit.business_time), appended to the chain in one go (audit.deferred)."""
    with kernel.batch(), audit.business_time(), audit.deferred():
        return _load()


def _load() -> DemoContext:
    ctx = DemoContext()
    _places(ctx)
    _users(ctx)
    for app in settings.YOUTHSAFE_APPS:  # in order: later apps build on records of earlier ones
        if find_spec(f"youthsafe.{app}.demo") is not None:
            importlib.import_module(f"youthsafe.{app}.demo").load(ctx)
    return ctx
