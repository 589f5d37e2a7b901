"""Demo alerts: a suicide-pact recruitment thread, and one alert in every state, including an overdue and
escalated one, a cross-city dispatch to Haizhou's cyber unit (HZ-WA), outcomes and follow-ups.

Runs after the pipeline's demo in the same context; posts go to the "demo-weibo" source (created here when
the pipeline demo has not made it). All texts and accounts are invented.

Each post is stored with what the engine said of it, and nothing else; a post of the story the engine does not
raise is opened by hand by the reviewer (``do_open_manual``), as the workflow allows. Every alert and step goes
through the services, so it has its history and audit trail, the 2023 ones in their own time (the demo loader
runs in ``kernel.batch()`` and ``audit.business_time()``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from youthsafe.alerts import services
from youthsafe.alerts.models import Alert
from youthsafe.alerts.services.intake import opens_alert
from youthsafe.detection.engine import Engine, ScanResult
from youthsafe.pipeline.models import Post, ScanRecord, Source, SourceKind
from youthsafe.pipeline.pseudonym import author_key, seal

if TYPE_CHECKING:
    from youthsafe.core.demo import DemoContext
    from youthsafe.core.models import Jurisdiction

SOURCE = "demo-weibo"


class _Feeder:
    """Posts stored and scanned as ingestion stores them, each handed to alerting with the engine's own result."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.engine = Engine()
        self.source = Source.objects.filter(name=SOURCE).first() or Source.objects.create(
            name=SOURCE, kind=SourceKind.HTTP, description="演示：微博评论采集", jurisdiction=ctx.places["JC"])
        self.count = Post.objects.filter(source=self.source).count()

    def post(self, text: str, *, account: str, place: str, thread: str, at: dt.datetime) -> tuple[Post, Alert | None]:
        """Store a post and the engine's scan of it, then hand both to the alert service."""
        result: ScanResult = self.engine.scan([text])[0]
        self.count += 1
        post = Post.objects.create(
            source=self.source, external_id=f"demo-alert-{self.count}", text=text, posted_at=at,
            thread_key=thread, author_key=author_key(self.source.name, account), author_sealed=seal(account),
            jurisdiction=self.ctx.places[place], location_hint=self.ctx.places[place].name)
        scan = ScanRecord.objects.create(
            post=post, model_version=result.model_version, rules_version=result.rules_version,
            risk_level=result.risk_level, flagged=result.flagged, recruitment=result.recruitment,
            categories=[c.id for c in result.categories if c.flagged], result=result.to_dict())
        alert = services.on_post_scanned(post, scan, result, now=at)
        if alert is None and opens_alert(result.risk_level, result.recruitment):
            raise RuntimeError(f"the engine raised demo post {post.external_id} but no alert was opened")
        return post, alert

    def alert(self, text: str, *, account: str, place: str, thread: str, at: dt.datetime, level: int,
              reported: str = "") -> Alert:
        """A post of the story that is an alert: the engine's, or, when the engine does not raise it (a song
        lyric; another model installed), opened by hand by the reviewer at ``level`` a few minutes later, with
        the reason (``reported``: what a member of the public reported)."""
        post, alert = self.post(text, account=account, place=place, thread=thread, at=at)
        if alert is not None:
            return alert
        reason = reported or f"人工研判：模型评级未达预警等级，审核员判断风险等级为{level}，需核实处置。"
        return services.do_open_manual(post, actor=self.ctx.users["reviewer"], level=level, reason=reason,
                                       now=at + dt.timedelta(minutes=2))


# The first half of 2023 as the seed's report states it: 8 warnings, of which 4 minors reached and safe.
# (day, place, level, text, outcome, age band of the person). Each post is stored with the engine's own scan;
# ``level`` is the reviewer's when the engine does not raise the post and the reviewer opens the alert by hand
# (the song lyric: a member of the public reported it, and it turned out a false alarm).
HISTORY_2023: list[tuple[str, str, int, str, str, str]] = [
    ("2023-01-14", "JC-JB", 8, "期末考砸了，不想活了，今晚就从学校顶楼跳下去", "reached_safe", "minor"),
    ("2023-02-09", "JC-JN", 7, "药已经攒够了，活着好累，想死", "counselling", "minor"),
    ("2023-03-03", "JC-GX", 9, "遗书写好了，周末去江边，再见了大家", "reached_safe", "minor"),
    ("2023-03-27", "JC-LJ", 6, "这首歌唱的是“我想死在你怀里”", "false_alarm", "unknown"),
    ("2023-04-18", "JC-QS", 8, "刀片已经准备好，今晚割腕", "reached_safe", "adult"),
    ("2023-05-06", "JC-JB", 9, "我已经买好了安眠药，今晚就走", "reached_safe", "minor"),
    ("2023-06-01", "JC-JN", 7, "活着好累，想从天台跳下去，时间还没定", "guardian_informed", "minor"),
    ("2023-07-02", "JC-GX", 8, "撑不下去了，想死，今晚就结束", "reached_safe", "minor"),
]
REPORTED = "网民举报：该账号发布疑似轻生言论，请核实。"
HISTORY_NOTES = {
    "reached_safe": "民警与监护人找到本人，安全，已转介心理咨询。",
    "counselling": "已联系学校心理老师，转介心理咨询。",
    "guardian_informed": "已告知监护人，监护人陪同。",
    "false_alarm": "歌词引用，无风险。",
}


def _history(feed: _Feeder, ctx: DemoContext) -> None:
    """Closed alerts of 2023, each with its outcome and the person's age band, through the services."""
    if Alert.objects.filter(thread_key="wb-2023-01").exists():
        return
    reviewer = ctx.users["reviewer"]
    tz = timezone.get_current_timezone()
    for n, (day, place, level, text, kind, band) in enumerate(HISTORY_2023, start=1):
        at = dt.datetime.fromisoformat(f"{day}T21:30").replace(tzinfo=tz)
        alert = feed.alert(text, account=f"wb_2023_{n}", place=place, thread=f"wb-2023-{n:02d}", at=at,
                           level=level, reported=REPORTED if kind == "false_alarm" else "")
        services.do_acknowledge(alert, actor=reviewer, now=at + dt.timedelta(minutes=6))
        done = at + dt.timedelta(hours=3)
        services.do_record_outcome(alert, actor=reviewer, kind=kind, resolve=True, note=HISTORY_NOTES[kind],
                                   now=done)
        services.do_set_age_band(alert.people.get(), actor=reviewer, band=band, now=done,
                                 reason="核查时由学校或监护人确认" if band != "unknown" else "未核实")
    ctx.log.append(f"alerts: {len(HISTORY_2023)} alerts of 2023 created")


def load(ctx: DemoContext) -> None:
    _history(_Feeder(ctx), ctx)
    if Alert.objects.filter(thread_key="wb-thread-1001").exists():
        ctx.log.append("alerts: demo alerts already present, kept")
        return
    feed = _Feeder(ctx)
    now = timezone.now()
    users = ctx.users
    m = dt.timedelta(minutes=1)

    # A recruitment thread and its replies: one incident, several people at risk.
    feed.alert("有没有人一起走，约好这周六在江边烧炭，不想一个人，私信我", account="wb_night_owl",
               place="JC-JB", thread="wb-thread-1001", at=now - 3 * m, level=9)
    for account, text in (("wb_rain_07", "我也想一起"), ("wb_little_fish", "带我一个，我也不想活了"),
                          ("wb_kite", "加我一个，我也撑不下去了，想死"), ("wb_sun", "楼主别这样，打12356聊聊吧")):
        feed.post(text, account=account, place="JC-JB", thread="wb-thread-1001", at=now - 2 * m)

    # Overdue and escalated: an emergency level, nobody acknowledged it for 40 minutes.
    feed.alert("遗书已经写好了，东西都送人了，过几天就从楼顶跳下去", account="wb_grey", place="JC-JN",
               thread="wb-thread-1002", at=now - 40 * m, level=10)
    services.escalate_overdue(now)

    ack = feed.alert("活着好累，想从天台跳下去，时间还没定", account="wb_moon", place="JC-GX",
                     thread="wb-thread-1003", at=now - 30 * m, level=7)
    services.do_acknowledge(ack, actor=users["reviewer"], reason="已阅，正在核实发帖人所在学校", now=now - 25 * m)

    _cross_city(feed, ctx, now)
    _intervention_and_outcomes(feed, ctx, now)
    ctx.log.append(f"alerts: {Alert.objects.count()} demo alerts created")


def _cross_city(feed: _Feeder, ctx: DemoContext, now: dt.datetime) -> None:
    """A Jiangcheng alert whose author is in Haizhou: dispatched to HZ-WA, with an identity request (调证)."""
    m = dt.timedelta(minutes=1)
    alert = feed.alert("我已经买好了安眠药，今晚就走，再见了大家", account="wb_seaside", place="JC-LJ",
                       thread="wb-thread-1004", at=now - 20 * m, level=8)
    reviewer = ctx.users["reviewer"]
    services.do_claim(alert, actor=reviewer, now=now - 19 * m)
    hz: Jurisdiction = ctx.places["HZ-WA"]
    services.do_dispatch(alert, actor=reviewer, to=hz, now=now - 15 * m,
                         shared_note="发帖IP属地为海州市，疑似在校中学生，今晚可能实施。请尽快落地核查并联系监护人。")
    services.do_request_identity(alert, actor=reviewer, platform_name="微博", now=now - 14 * m,
                                 legal_basis="《网络安全法》第28条 / 公安机关调证")


def _intervention_and_outcomes(feed: _Feeder, ctx: DemoContext, now: dt.datetime) -> None:
    h = dt.timedelta(hours=1)
    reviewer, responder = ctx.users["reviewer"], ctx.users["responder_jb"]
    busy = feed.alert("刀片已经准备好，今晚割腕", account="wb_paper", place="JC-JB", thread="wb-thread-1005",
                      at=now - 3 * h, level=8)
    dispatch = services.do_dispatch(busy, actor=reviewer, to=ctx.places["JC-JB-01"],
                                    now=now - 3 * h + dt.timedelta(minutes=5),
                                    shared_note="江北区东湖派出所辖区，请联系学校与监护人。")
    services.do_acknowledge_dispatch(dispatch, actor=responder, now=now - 3 * h + dt.timedelta(minutes=20))
    services.do_start_intervention(busy, actor=responder, reason="已联系学校心理老师，正在上门", now=now - 2 * h)

    done = feed.alert("我已经准备好安眠药了，今晚就走，带上我", account="wb_cloud", place="JC-JB",
                      thread="wb-thread-1006", at=now - 30 * h, level=9)
    services.do_acknowledge(done, actor=reviewer, now=now - 30 * h + dt.timedelta(minutes=4))
    services.do_record_outcome(done, actor=reviewer, kind="reached_safe", resolve=True, now=now - 27 * h,
                               note="民警与监护人当晚找到本人，安全，已转介心理咨询。")

    false = feed.alert("这首歌唱的是“我想死在你怀里”，太好听了", account="wb_music", place="JC-JN",
                       thread="wb-thread-1007", at=now - 50 * h, level=6, reported=REPORTED)
    services.do_record_outcome(false, actor=reviewer, kind="false_alarm", resolve=True, now=now - 49 * h,
                               note="歌词引用，无风险。")
