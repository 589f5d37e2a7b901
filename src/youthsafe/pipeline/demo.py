"""Demo posts for the ingestion pages: a collector feed of ordinary posts with a few harmful ones, ingested
through the real ``ingest_batch`` (so scans, dead letters and pseudonyms are what production makes)."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from youthsafe.pipeline.models import Source, SourceKind
from youthsafe.pipeline.services import ingest_batch

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

SOURCE = "demo-collector"
ORDINARY = [
    "今天数学课讲了函数，感觉终于听懂了", "周末和同学去江滩骑车，风好大", "食堂今天的红烧肉有点咸",
    "月考成绩出来了，英语进步了十分，开心", "有没有人推荐几本适合初中生看的科幻小说", "下雨天就想在家看书",
    "我们班篮球赛赢了！明天打决赛", "作业好多，写到十点还没写完", "妈妈做的糖醋排骨永远是最好吃的",
    "社团招新啦，摄影社欢迎大家", "今天在图书馆自习了一下午，效率很高", "晚上一起组队打副本吗，八点上线",
    "新出的那首歌循环了一整天", "老师说下周要春游，去东湖", "学校门口新开了一家奶茶店，排队的人好多",
    "这次物理实验做失败了，明天重做", "求问数学第三题怎么做，卡了半小时", "今天升旗仪式我当旗手，好紧张",
    "考试前一晚睡不着，有点焦虑，不过复习得差不多了", "运动会报了八百米，希望不要垫底",
    "我家猫今天把花瓶打碎了", "暑假想去海边，有没有推荐的地方", "期中考试加油，大家都能考好",
    "和好朋友吵架了，有点难过，明天去道歉", "累死了，今天体育课跑了三千米", "这道题难死了，谁来救救我",
]
HARMFUL = [
    "加V信看彩票内部计划，稳赚不赔，学生党也能上分", "兼职刷单，日结三百，一部手机就能做，私聊",
    "出售本市中小学学生信息，含家长电话，量大优惠", "收银行卡，一张给五百，学生卡也要，可上门",
    "游戏皮肤低价出，先付款后发货，加Q详谈", "网赌菠菜平台，首充送百分之五十，稳定出款",
]
DEAD = [
    {"id": "bad-1", "text": ""},
    {"text": "没有编号的帖子"},
    {"id": "bad-3", "text": "时间格式不对", "created_at": "昨天晚上"},
]


def _records(rng: random.Random, now: dt.datetime) -> list[dict[str, Any]]:
    places = ["江北区", "江南区", "高新区", "临江县", "青山县", ""]
    records: list[dict[str, Any]] = []
    for i in range(240):
        harmful = i % 20 == 7
        text = rng.choice(HARMFUL if harmful else ORDINARY)
        records.append({
            "id": f"c{i:04d}", "text": text, "author": f"acct_{rng.randint(1, 90):03d}",
            "thread": f"thread-{rng.randint(1, 60)}" if rng.random() < 0.5 else "",
            "created_at": (now - dt.timedelta(minutes=10 * (240 - i))).isoformat(), "location": rng.choice(places),
        })
    return records + DEAD


def load(ctx: DemoContext) -> None:
    if Source.objects.filter(name=SOURCE).exists():
        ctx.log.append("pipeline: demo feed already present, kept")
        return
    source = Source.objects.create(name=SOURCE, kind=SourceKind.FILE, jurisdiction=ctx.places["JC"],
                                   description="演示采集源（虚构数据）")
    summary = ingest_batch(source, _records(random.Random(2023), timezone.now()), channel="file")
    ctx.log.append(f"pipeline: demo feed ingested ({summary.line()})")
