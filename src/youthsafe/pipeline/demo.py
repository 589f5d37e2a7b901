"""Demo feed "demo-weibo": a few hundred invented comments from a city's Weibo collector, ingested through
the real ``ingest_batch`` so that pseudonyms, scan records, dead letters and the alerts they open are exactly
what production makes.

The feed holds mostly ordinary posts, gambling and black-industry ads, welfare posts at several levels of
risk, a group-suicide recruitment thread with its replies (one incident, several people at risk) and a few
broken records for the dead-letter page. Every text and account is invented. Loading twice adds nothing:
``ingest_batch`` skips what is stored. The alerts demo runs next and adds its own threads to this source.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from youthsafe.pipeline.models import Source, SourceKind
from youthsafe.pipeline.services import ingest_batch, iter_batches

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext

SOURCE = "demo-weibo"
ORDINARY_POSTS = 260

ORDINARY = [
    "今天数学课讲了函数，感觉终于听懂了", "周末和同学去江滩骑车，风好大", "食堂今天的红烧肉有点咸",
    "月考成绩出来了，英语进步了十分，开心", "有没有人推荐几本适合初中生看的科幻小说", "下雨天就想在家看书",
    "我们班篮球赛赢了！明天打决赛", "作业好多，写到十点还没写完", "妈妈做的糖醋排骨永远是最好吃的",
    "社团招新啦，摄影社欢迎大家", "今天在图书馆自习了一下午，效率很高", "晚上一起组队打副本吗，八点上线",
    "新出的那首歌循环了一整天", "老师说下周要春游，去东湖", "学校门口新开了一家奶茶店，排队的人好多",
    "这次物理实验做失败了，明天重做", "求问数学第三题怎么做，卡了半小时", "今天升旗仪式我当旗手，好紧张",
    "运动会报了八百米，希望不要垫底", "我家猫今天把花瓶打碎了，又气又好笑", "暑假想去海边，有没有推荐的地方",
    "期中考试加油，大家都能考好", "和好朋友吵架了，明天去道歉吧", "今天体育课跑了三千米，腿已经不是自己的了",
    "这道几何题难死了，谁来救救我", "江边的樱花开了，拍了好多照片", "第一次自己坐地铁去市图书馆，没迷路",
    "校合唱团下个月比赛，每天中午都在练", "物理老师今天讲了个冷笑话，全班沉默", "奶奶教我包饺子，包得奇形怪状",
    "周五班会选了新的班长，恭喜她", "今天的晚霞好美，紫色和橙色混在一起", "有人知道江城科技馆周末要预约吗",
    "英语听力又错了好几个，得多练", "好想快点放寒假", "今天值日擦了一下午黑板",
    "新买的球鞋太好看了，舍不得穿", "追的动漫更新了，这一集太燃了", "有没有一起背单词打卡的，互相监督",
    "化学方程式配平终于会了", "小区楼下的流浪狗生了小狗，好可爱", "今天语文作文写的是我的爷爷，写着写着有点想他",
    "地理课学了季风，原来江城夏天这么热是有原因的", "班里组织去敬老院做志愿者，爷爷奶奶很开心",
    "明天要交的手抄报还没画完", "周末去看了电影，特效很震撼", "学校食堂新出的麻辣烫不错",
]
GAMBLING_AND_BLACK_INDUSTRY = [
    "加V信看彩票内部计划，稳赚不赔，学生党也能上分", "网赌菠菜平台，首充送百分之五十，稳定出款，私聊拿链接",
    "兼职刷单，日结三百，一部手机就能做，私聊", "收银行卡，一张给五百，学生卡也要，可上门",
    "出售本市中小学学生信息，含家长电话，量大优惠", "电子棋牌真人在线，充值秒到，输了返水，加群",
    "游戏皮肤低价出，先付款后发货，加Q详谈", "出租手机卡，每天两百，不用本人到场",
]
# Welfare posts from light to grave; the engine grades each (risk 0-10), the alerts open at the alert level.
WELFARE = [
    "最近压力好大，每天晚上都睡不着", "考砸了，不敢回家，感觉自己什么都做不好",
    "活着好累，每天都不想去学校，也没人在乎我", "有时候觉得消失了也没人会发现",
    "爸妈又吵架了，我好想逃离这个家，真的撑不下去了", "手臂上又多了几道，只有疼的时候才觉得自己还活着",
    "不想活了，真的好累，想结束这一切", "我已经买好了安眠药，今晚就走，再见了大家",
    "东西都送人了，遗书放在抽屉里，明天放学后从教学楼顶跳下去，不要找我",
]
RECRUITMENT = [
    ("wbu_lantern", "有没有人一起走，约好这周六晚上在江边烧炭，不想一个人，私信我", 0),
    ("wbu_feather", "带我一个，我也不想活了", 3),
    ("wbu_glass", "我也想一起，什么时候，在哪", 5),
    ("wbu_maple", "加我一个，我也撑不下去了，想死", 9),
    ("wbu_harbor", "楼主别这样，打12356心理援助热线聊聊吧，我陪你", 12),
    ("wbu_pebble", "我也是江城的，可以带上我吗", 20),
]
BROKEN = [
    {"id": "wb-bad-1", "text": ""},
    {"text": "没有编号的帖子，采集器漏了字段"},
    {"id": "wb-bad-3", "text": "时间格式不对", "created_at": "昨天晚上十点"},
]
PLACES = ["江北区", "江南区", "高新区", "临江县", "青山县", "江城市", "", ""]


def _post(rng: random.Random, key: str, text: str, at: dt.datetime, *, author: str = "",
          thread: str = "") -> dict[str, Any]:
    return {"id": f"wb-{key}", "text": text, "author": author or f"wbu_{rng.randint(1000, 1400)}",
            "thread": thread, "created_at": at.isoformat(), "location": rng.choice(PLACES)}


def records(now: dt.datetime, seed: int = 2026) -> list[dict[str, Any]]:
    """The feed in posting order: ordinary posts with ads and welfare posts mixed in, the recruitment
    thread near the end (so its alert is recent), then the broken records."""
    rng = random.Random(seed)  # seeded demo data, not security  # nosec B311
    start = now - dt.timedelta(hours=48)
    feed: list[dict[str, Any]] = []
    for i in range(ORDINARY_POSTS):
        at = start + dt.timedelta(minutes=10 * i)
        thread = f"wb-chat-{rng.randint(1, 40)}" if rng.random() < 0.4 else ""
        feed.append(_post(rng, f"{i:04d}", rng.choice(ORDINARY), at, thread=thread))
        if i % 13 == 6:
            ad = GAMBLING_AND_BLACK_INDUSTRY[(i // 13) % len(GAMBLING_AND_BLACK_INDUSTRY)]
            feed.append(_post(rng, f"ad{i:04d}", ad, at + dt.timedelta(minutes=3)))
        if i % 26 == 15:  # ten welfare posts, every text at least once
            k = (i // 26) % len(WELFARE)
            feed.append(_post(rng, f"w{i:04d}", WELFARE[k], at + dt.timedelta(minutes=5), author=f"wbu_alone{k}"))
    posted = now - dt.timedelta(minutes=50)
    for n, (account, text, minutes) in enumerate(RECRUITMENT):
        feed.append(_post(rng, f"th2001-{n}", text, posted + dt.timedelta(minutes=minutes), author=account,
                          thread="wb-thread-2001"))
    return feed + BROKEN


def load(ctx: DemoContext) -> None:
    source = Source.objects.filter(name=SOURCE).first() or Source.objects.create(
        name=SOURCE, kind=SourceKind.HTTP, jurisdiction=ctx.places["JC"], description="演示：微博评论采集（虚构数据）")
    # Positions number the records as a file would, so the demo's dead letters read "line N".
    feed = records(timezone.now())
    numbered = list(enumerate(feed, start=1))
    new = read = alerts = 0
    for chunk in iter_batches(numbered, 500):
        summary = ingest_batch(source, [r for _n, r in chunk], channel="file",
                               positions=[f"line {n}" for n, _r in chunk])
        new, read, alerts = new + summary.accepted, read + summary.read, alerts + summary.alerts_opened
    ctx.log.append(f"pipeline: {SOURCE} fed {read} records, {new} new posts, {alerts} alerts opened")
