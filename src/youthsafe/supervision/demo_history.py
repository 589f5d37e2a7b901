"""The seed's half-year of supervision in 江城市 (JC), 2023-01-01 to 2023-07-10, made through the services.

First the year is drawn (pure data, a fixed seed): signed inspections spread over the city's platforms,
districts and working days, the items they found failed, the orders those findings led to, which of them the
platform refused, and the sanctions that followed the refusals. Then it is played through the services in time
order, every step with ``now=`` its own time (a story per inspection yields the time of its next step; the
earliest step of all goes first), so the ladder, the document numbers, the status history and the audit trail
read as the year happened. The indicators report 638 inspections, 12 websites shut and 7 apps removed for the
half-year because those records exist.

The platforms the current stories are about (``demo.STORY``) are left out of the year, so that what happens to
them today does not contradict their past (a website shut in 2023 is closed in the registry).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from youthsafe.core import audit
from youthsafe.core.models import Jurisdiction, User
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import Platform
from youthsafe.supervision import workflow as wf
from youthsafe.supervision.models import (
    ChecklistItem,
    Inspection,
    InspectionStatus,
    ItemResult,
    RectificationOrder,
    SanctionKind,
)
from youthsafe.supervision.services import inspections, orders, sanctions

HALF_START = dt.date(2023, 1, 1)
HALF_END = dt.date(2023, 7, 10)
# The problem each failable control reports when it fails.
PROBLEMS: dict[str, str] = {
    "CSL-21-LOGS": "网络日志留存不足六个月", "CSL-21-OFFICER": "未明确网络安全负责人",
    "CSL-24-REALNAME": "发布信息未落实真实身份认证", "CSL-25-INCIDENT": "未制定网络安全事件应急预案",
    "CSL-47-CONTENT": "发现违法信息未及时处置、留存记录并报告", "CSL-49-COMPLAINTS": "投诉举报渠道未公布",
    "MP-9-MINORMODE": "未成年人模式缺少时长和消费限制", "MP-10-AGE": "未区分未成年人身份，直播打赏功能未限制",
    "MP-11-BULLYING": "缺少网络欺凌预警和保护设置", "MP-12-PI": "未成年人个人信息未取得监护人同意",
    "MP-13-LABELS": "可能影响未成年人身心健康的信息未作提示", "SA-3-LOGS": "用户操作日志留存不全",
}
LEGAL = "《未成年人网络保护条例》第五十四条、《网络安全法》第五十九条"
STATUTE = "《未成年人网络保护条例》第五十四条"
DISCONNECTION_STATUTE = "《计算机信息网络国际联网安全保护管理办法》第二十一条"
# The sanctions on the refusals of the half-year, in order: 13 website shutdowns (the 13th approved and never
# carried out), 8 app removals (the 8th carried out after July 10), 3 disconnections; fines and warnings after.
SANCTION_KINDS = [SanctionKind.WEBSITE_SHUTDOWN] * 13 + [SanctionKind.APP_REMOVAL] * 8 + [
    SanctionKind.DISCONNECTION] * 3
NEVER_CARRIED_OUT, CARRIED_OUT_LATE = 12, 20


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of ``day`` in the product's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)
            if (start + dt.timedelta(days=n)).weekday() < 5]


# --- The year, drawn -------------------------------------------------------------------------------------------
@dataclass
class SanctionPlan:
    kind: SanctionKind
    done: dt.date  # when it is carried out (or would have been)
    carried: bool = True
    amount: Decimal | None = None


@dataclass
class OrderPlan:
    issued: dt.date
    days: int
    refused: bool
    sanction: SanctionPlan | None = None

    @property
    def delivered(self) -> dt.date:
        return self.issued + dt.timedelta(days=1)

    @property
    def refused_on(self) -> dt.date:
        return self.delivered + dt.timedelta(days=self.days + 3)


@dataclass
class Visit:
    """One inspection of the year and what followed from it."""

    platform: Platform
    day: dt.date
    signed: bool
    conductor: User
    joint: str = ""
    failed: list[tuple[str, str]] = field(default_factory=list)  # (control, severity)
    order: OrderPlan | None = None


@dataclass(frozen=True)
class Cast:
    analyst: User
    analyst_jb: User
    leader: User
    jiangbei: Jurisdiction


def _conductor(cast: Cast, platform: Platform, rng: random.Random) -> User:
    """The city's analyst; for a platform of Jiangbei, either analyst (the district's may inspect only there)."""
    pick = rng.choice([cast.analyst, cast.analyst_jb])
    return pick if platform.jurisdiction.is_within(cast.jiangbei) else cast.analyst


def draw(cast: Cast, rng: random.Random, platforms: list[Platform]) -> list[Visit]:
    """638 signed inspections in the half-year, 20 cancelled ones and 40 signed after it, in date order; the
    failed items of the signed ones; orders for those of the half-year with findings; their sanctions."""
    days = working_days(HALF_START, HALF_END)
    later = working_days(dt.date(2023, 7, 11), dt.date(2023, 9, 30))
    rows = ([(rng.choice(platforms), rng.choice(days), True) for _ in range(638)]
            + [(rng.choice(platforms), rng.choice(days), False) for _ in range(20)]
            + [(rng.choice(platforms), rng.choice(later), True) for _ in range(40)])
    rows.sort(key=lambda row: row[1])
    visits = [Visit(platform, day, signed, _conductor(cast, platform, rng),
                    joint=rng.choice(["", "", "市教育局", "市文化市场综合执法支队"])) for platform, day, signed in rows]
    for visit in visits:
        if visit.signed:
            failed = rng.sample(list(PROBLEMS), rng.choice([0, 0, 0, 1, 1, 2, 3]))
            visit.failed = [(cid, rng.choice(["medium", "medium", "high", "low", "critical"])) for cid in failed]
    for visit in visits:
        if visit.failed and visit.day <= HALF_END:
            visit.order = OrderPlan(visit.day + dt.timedelta(days=rng.randint(1, 4)), rng.choice([10, 15, 15, 30]),
                                    refused=rng.random() >= 0.9)
    _draw_sanctions(rng, [v.order for v in visits if v.order is not None and v.order.refused])
    return visits


def _draw_sanctions(rng: random.Random, refused: list[OrderPlan]) -> None:
    rng.shuffle(refused)
    in_period = [o for o in refused if o.refused_on <= HALF_END - dt.timedelta(days=3)]
    for index, order in enumerate(in_period):
        kind = SANCTION_KINDS[index] if index < len(SANCTION_KINDS) else rng.choice(
            [SanctionKind.FINE, SanctionKind.WARNING])
        done = order.refused_on + dt.timedelta(days=rng.randint(1, 3))
        plan = SanctionPlan(kind, done, amount=Decimal(rng.choice([50_000, 100_000, 200_000]))
                            if kind == SanctionKind.FINE else None)
        if index == NEVER_CARRIED_OUT:
            plan.carried = False
        if index == CARRIED_OUT_LATE:
            plan.done = HALF_END + dt.timedelta(days=5)
        order.sanction = plan


# --- The year, played ------------------------------------------------------------------------------------------
Story = Iterator[dt.datetime]


def play(stories: Iterable[Story]) -> None:
    """Run the steps of all stories in time order. A story yields the time of its next step and takes that
    step when it is resumed; ties go in the order the stories were given."""
    queue: list[tuple[dt.datetime, int, Story]] = []
    for seq, story in enumerate(stories):
        first = next(story, None)
        if first is not None:
            heapq.heappush(queue, (first, seq, story))
    while queue:
        _when, seq, story = heapq.heappop(queue)
        following = next(story, None)
        if following is not None:
            heapq.heappush(queue, (following, seq, story))


def inspection_story(visit: Visit, cast: Cast) -> Story:
    """Opened in the morning, the checklist gone through, submitted and signed in the afternoon (or cancelled);
    then the order its findings led to."""
    yield (start := at(visit.day, 9))
    made = inspections.do_create_inspection(visit.platform, actor=visit.conductor, inspected_on=visit.day,
                                            inspectors="李分析、赵民警", joint_department=visit.joint, now=start)
    if not visit.signed:
        yield (when := at(visit.day, 11))
        inspections.do_cancel(made, actor=visit.conductor, reason="被检查单位停业，检查取消", now=when)
        return
    yield (when := at(visit.day, 10))
    for control_id, severity in visit.failed:
        inspections.do_record_item(made, control_id, actor=visit.conductor, result=ItemResult.FAILED,
                                   note=PROBLEMS[control_id], severity=severity, now=when)
    inspections.do_pass_unchecked(made, actor=visit.conductor, now=when)
    yield (when := at(visit.day, 16))
    made = inspections.do_complete(made, actor=visit.conductor, summary="检查完成", now=when)
    yield (when := at(visit.day, 17))
    signed = inspections.do_sign(made, actor=cast.leader, now=when)
    if visit.order is not None:
        yield from order_story(signed, visit.order, cast)


def order_story(inspection: Inspection, plan: OrderPlan, cast: Cast) -> Story:
    """Drafted and issued, delivered by hand; rectified and re-checked, or refused and sanctioned."""
    yield (when := at(plan.issued, 9, 30))
    findings = list(inspection.findings.all())
    order = orders.do_draft_order(inspection.platform, actor=cast.analyst, inspection=inspection, findings=findings,
                                  problems="；".join(f.description for f in findings), legal_basis=LEGAL,
                                  period_days=plan.days, now=when)
    yield (when := at(plan.issued, 10))
    order = orders.do_issue(order, actor=cast.analyst, issued_on=plan.issued, now=when)
    yield (when := at(plan.delivered, 10))
    order = orders.do_deliver(order, actor=cast.analyst, delivered_on=plan.delivered, method="直接送达", now=when)
    if plan.refused:
        yield (when := at(plan.refused_on, 10))
        order = orders.do_record_refusal(order, actor=cast.analyst, refused_on=plan.refused_on, now=when,
                                 evidence="逾期未整改，经再次书面督促仍拒不改正（询问笔录在卷）")
        if plan.sanction is not None:
            yield from sanction_story(order, plan, plan.sanction, cast)
        return
    evidence_on = plan.delivered + dt.timedelta(days=plan.days - 2)
    yield (when := at(evidence_on, 10))
    orders.do_receive_evidence(order, actor=cast.analyst, evidence_on=evidence_on, now=when,
                               text="已完成整改并提交截图和制度文件")
    recheck_on = plan.delivered + dt.timedelta(days=plan.days + 2)
    yield (when := at(recheck_on, 10))
    orders.do_recheck(order, actor=cast.analyst, passed=True, result="复查合格", recheck_on=recheck_on, now=when)


def sanction_story(order: RectificationOrder, plan: OrderPlan, sanction: SanctionPlan, cast: Cast) -> Story:
    """Proposed the afternoon of the refusal, approved the next morning, carried out; a disconnection is lifted
    (reconnected) on its end date."""
    kind, platform = sanction.kind, order.platform
    timed = kind == SanctionKind.DISCONNECTION
    yield (when := at(plan.refused_on, 15))
    proposed = sanctions.do_propose(
        order, actor=cast.analyst, kind=kind, statute=DISCONNECTION_STATUTE if timed else STATUTE,
        reason="责令限期改正后拒不改正", now=when, amount=sanction.amount,
        start_date=sanction.done if timed else None, end_date=wf.add_months(sanction.done, 3) if timed else None,
        app_store="华为应用市场" if kind == SanctionKind.APP_REMOVAL else "",
        app_id=f"com.demo.app{platform.pk}" if kind == SanctionKind.APP_REMOVAL else "",
        website=platform.website if kind == SanctionKind.WEBSITE_SHUTDOWN else "")
    yield (when := at(plan.refused_on, 15) + dt.timedelta(hours=20))
    proposed = sanctions.do_approve(proposed, actor=cast.leader, note="同意", now=when)
    if not sanction.carried:
        return
    yield (when := at(sanction.done, 14))
    proposed = sanctions.do_carry_out(proposed, actor=cast.analyst, on=sanction.done, now=when)
    if timed and proposed.end_date is not None:
        yield (when := at(proposed.end_date, 10))
        sanctions.do_lift(proposed, actor=cast.analyst, on=proposed.end_date, note="期满恢复联网", now=when)


def load(cast: Cast, rng: random.Random, platforms: list[Platform]) -> None:
    """The half-year through the services; the audit rows are appended to the chain in one go at the end."""
    visits = draw(cast, rng, platforms)
    with audit.deferred():
        play(inspection_story(visit, cast) for visit in visits)


def haizhou(platforms: list[Platform], rng: random.Random, signer: User) -> None:
    """15 signed inspections of the second city's platforms in the half-year, so that the city's figures have
    records around them to leave out.

    Written in bulk, not through the services, and with no history: the demo's cast (core.demo.USERS, fixed)
    has one person who may change records in Haizhou, the administrator, and a signature needs a second person
    who did not take part (four eyes). They are signed by the administrator as a record of another city's
    work, with their full checklist passed."""
    days = working_days(HALF_START, HALF_END)
    made = Inspection.objects.bulk_create([
        Inspection(platform=platform, jurisdiction_id=platform.jurisdiction_id, status=InspectionStatus.SIGNED,
                   inspected_on=day, inspectors="海州市公安局网安支队", summary="检查完成", signed_by=signer,
                   signed_at=at(day, 17))
        for platform, day in sorted(((rng.choice(platforms), rng.choice(days)) for _ in range(15)),
                                    key=lambda row: row[1])])
    ChecklistItem.objects.bulk_create([ChecklistItem(inspection=i, control_id=c.id, result=ItemResult.PASSED)
                                       for i in made for c in CONTROLS])

