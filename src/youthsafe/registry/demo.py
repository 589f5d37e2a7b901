"""Demo platforms for the registry: a mix of kinds across the demo city's districts, with controls."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from youthsafe.registry import services
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import ControlStatus, Platform, PlatformKind, PlatformStatus

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

K = PlatformKind
# (name, kind, operator, registered users, minor users, public-opinion functions)
PLATFORMS: list[tuple[str, PlatformKind, str, int, int, bool]] = [
    ("江城智慧课堂", K.EDUCATION, "江城云学教育科技有限公司", 820_000, 610_000, True),
    ("青苗作业帮", K.EDUCATION, "青苗互动科技有限公司", 1_250_000, 990_000, True),
    ("学而思辨网校", K.EDUCATION, "江城学辨信息技术有限公司", 96_000, 71_000, False),
    ("江北家校通", K.EDUCATION, "江北家校通网络科技有限公司", 310_000, 150_000, True),
    ("星河传说", K.GAME, "星河互娱网络科技有限公司", 3_400_000, 420_000, True),
    ("萌宠大作战", K.GAME, "江城萌趣游戏有限公司", 560_000, 230_000, True),
    ("三国闪电战", K.GAME, "闪电网络科技有限公司", 880_000, 95_000, True),
    ("方块奇遇", K.GAME, "高新方块软件有限公司", 140_000, 88_000, False),
    ("江城圈", K.SOCIAL, "江城圈网络科技有限公司", 2_100_000, 260_000, True),
    ("树洞倾诉", K.SOCIAL, "心语网络科技有限公司", 75_000, 30_000, True),
    ("临江同城", K.FORUM, "临江信息港有限公司", 230_000, 18_000, True),
    ("青山论坛", K.FORUM, "青山网络传媒有限公司", 48_000, 3_200, True),
    ("江城直播", K.LIVE, "江城星光文化传媒有限公司", 1_700_000, 160_000, True),
    ("光谷短视频", K.VIDEO, "光谷影像科技有限公司", 2_600_000, 340_000, True),
    ("江南优选", K.ECOMMERCE, "江南优选电子商务有限公司", 690_000, 40_000, True),
    ("学生文具商城", K.ECOMMERCE, "江城文具电子商务有限公司", 52_000, 21_000, False),
    ("江城应用市场", K.APP_STORE, "江城移动互联有限公司", 400_000, 60_000, False),
    ("高新云盘", K.OTHER, "高新云存储科技有限公司", 120_000, 9_000, True),
]
DISTRICTS = ["JC-JB", "JC-JN", "JC-GX", "JC-LJ", "JC-QS", "JC"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]


def _extra_platforms(rng: random.Random, count: int) -> list[tuple[str, PlatformKind, str, int, int, bool]]:
    prefixes = ["江城", "江北", "江南", "高新", "临江", "青山", "光谷", "滨江", "东湖", "北岸"]
    kinds = {
        K.EDUCATION: ["学堂", "网校", "题库", "背单词"], K.GAME: ["小游戏", "棋牌乐园", "跑酷"],
        K.SOCIAL: ["交友", "校友圈"], K.FORUM: ["社区", "论坛"], K.LIVE: ["直播"], K.VIDEO: ["视频"],
        K.ECOMMERCE: ["商城", "二手"], K.OTHER: ["网盘", "工具箱"],
    }
    rows = []
    for i in range(count):
        kind = rng.choice(list(kinds))
        prefix = rng.choice(prefixes)
        name = f"{prefix}{rng.choice(kinds[kind])}{i + 1:02d}"
        users = rng.randint(2_000, 600_000)
        minors = int(users * rng.uniform(0.02, 0.7 if kind in (K.EDUCATION, K.GAME) else 0.3))
        rows.append((name, kind, f"{prefix}{name[-2:]}网络科技有限公司", users, minors, kind != K.OTHER))
    return rows


def load(ctx: DemoContext) -> None:
    if Platform.objects.exists():
        ctx.log.append("registry: platforms already present, kept")
        return
    rng = random.Random(20230101)  # fixed seed: the demo looks the same on every machine  # nosec B311
    admin = ctx.users["admin"]
    rows = PLATFORMS + _extra_platforms(rng, 62)
    for index, (name, kind, operator, users, minors, opinion) in enumerate(rows):
        place = ctx.places[DISTRICTS[index % len(DISTRICTS)]]
        officer = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        platform = services.do_create_platform(actor=admin, data={
            "name": name, "kind": kind, "operator": operator, "jurisdiction": place,
            "icp_number": f"鄂ICP备{20230000 + index * 37:08d}号", "website": f"https://www.demo{index + 1}.example.cn",
            "registered_users": users, "minor_users": minors, "public_opinion": opinion,
            "locally_developed": index % 3 != 2, "locally_operated": index % 4 != 3,
            "security_officer": officer, "security_officer_phone": f"027-8{rng.randint(1000000, 9999999)}",
            "security_officer_email": f"security{index + 1}@demo{index + 1}.example.cn",
            "status": PlatformStatus.ACTIVE if index % 9 else PlatformStatus.UNDER_RECTIFICATION,
        })
        weights = [0.72, 0.12, 0.03, 0.05, 0.08]
        statuses = [ControlStatus.IN_PLACE, ControlStatus.PARTIAL, ControlStatus.MISSING,
                    ControlStatus.NOT_APPLICABLE, ControlStatus.UNKNOWN]
        drawn = {c.id: str(rng.choices(statuses, weights)[0]) for c in CONTROLS}  # same draws for every kind
        states = {c.id: (drawn[c.id] if c.applies_to(kind) else ControlStatus.NOT_APPLICABLE, "") for c in CONTROLS}
        services.do_set_controls(platform, actor=admin, states=states)
    ctx.log.append(f"registry: {len(rows)} platforms created")
