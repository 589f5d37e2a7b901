"""Supervision, content and lead records for the figures test, built through each app's services (as the apps'
own tests do), placed on the period's edges, inside and outside the jurisdiction subtree and in states that
must not count; and their figures counted in plain Python from these specifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Tree
from tests.content import factories as content_factories
from tests.supervision.factories import platform as supervised_platform
from youthsafe.content import services as content_services
from youthsafe.content.models import PublicReport
from youthsafe.core.models import Jurisdiction, User
from youthsafe.leads import services as lead_services
from youthsafe.registry.controls import CONTROLS
from youthsafe.registry.models import Platform
from youthsafe.supervision.models import Inspection, RectificationOrder
from youthsafe.supervision.services import assessments, inspections, nightly, orders, sanctions

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


# ------------------------------------------------------------------ supervision

# platform name -> place (attribute of Tree)
PLATFORMS = {"北站作业": "north", "北区直播": "north", "派出所社区": "station", "南区游戏": "south",
             "市级论坛": "city", "海州短视频": "other_city"}


@dataclass(frozen=True)
class InspectionSpec:
    day: dt.date
    platform: str
    signed: bool  # completed but not signed off: not counted
    findings: int = 1


INSPECTIONS = [
    InspectionSpec(D(2022, 6, 1), "北站作业", True),  # 0: base of the north orders, outside every period
    InspectionSpec(D(2022, 6, 1), "南区游戏", True),  # 1: base of the south orders
    InspectionSpec(D(2022, 6, 1), "海州短视频", True),  # 2: base of the other city's orders
    InspectionSpec(D(2023, 1, 1), "北站作业", True, findings=2),  # first day: in
    InspectionSpec(D(2023, 3, 15), "北站作业", True),  # the same platform again: one platform inspected
    InspectionSpec(D(2022, 12, 31), "派出所社区", True),  # 5: the day before: out
    InspectionSpec(D(2023, 7, 10), "派出所社区", True, findings=3),  # last day: in
    InspectionSpec(D(2023, 7, 11), "南区游戏", True),  # the day after: out
    InspectionSpec(D(2023, 4, 2), "南区游戏", False, findings=2),  # not signed: no inspection, no finding
    InspectionSpec(D(2023, 5, 5), "市级论坛", True),
    InspectionSpec(D(2023, 2, 2), "海州短视频", True, findings=2),  # another city
    InspectionSpec(D(2023, 3, 20), "北区直播", True),
]


@dataclass(frozen=True)
class OrderSpec:
    inspection: int  # index in INSPECTIONS (the order is of its platform, in its place)
    issued: dt.date | None  # None: a draft, never issued
    overdue_at: dt.datetime | None = None  # delivered, and flagged overdue by the nightly job at this time


ORDERS = [
    OrderSpec(0, D(2023, 1, 1)),
    OrderSpec(0, D(2022, 12, 31)),
    OrderSpec(1, D(2023, 7, 10)),
    OrderSpec(1, D(2023, 7, 11)),
    OrderSpec(2, D(2023, 3, 1)),
    OrderSpec(0, None),  # draft: not issued
    OrderSpec(0, D(2022, 11, 1), _t("2023-01-01T00:30")),  # issued before, overdue on the first day
    OrderSpec(1, D(2023, 6, 1), _t("2023-07-10T23:30")),
    OrderSpec(1, D(2023, 6, 1), _t("2023-07-11T00:30")),  # flagged the next local day: out
    OrderSpec(0, D(2022, 11, 1), _t("2022-12-31T23:30")),
    OrderSpec(2, D(2023, 3, 1), _t("2023-04-01T10:00")),
    OrderSpec(5, D(2023, 3, 10), _t("2023-03-31T03:00")),
]
SANCTION_ORDER_DAY = D(2022, 10, 1)  # each sanction follows an order of its own, issued outside every period


@dataclass(frozen=True)
class SanctionSpec:
    inspection: int  # its order is drafted from this inspection
    kind: str
    carried_out: dt.date | None  # None: not carried out (approved, or only proposed)
    approved: bool = True
    amount: int = 0


SANCTIONS = [
    SanctionSpec(0, "website_shutdown", D(2023, 1, 1)),
    SanctionSpec(0, "website_shutdown", D(2022, 12, 31)),
    SanctionSpec(1, "app_removal", D(2023, 7, 10)),
    SanctionSpec(1, "app_removal", D(2023, 7, 11)),
    SanctionSpec(5, "app_removal", D(2023, 1, 1)),
    SanctionSpec(5, "disconnection", D(2023, 3, 3)),
    SanctionSpec(0, "disconnection", None),  # approved, not carried out
    SanctionSpec(1, "disconnection", D(2023, 7, 11)),
    SanctionSpec(0, "fine", D(2023, 2, 1), amount=50_000),
    SanctionSpec(1, "fine", D(2023, 7, 10), amount=30_000),
    SanctionSpec(2, "fine", D(2023, 3, 3), amount=99_999),
    SanctionSpec(0, "fine", None, approved=False, amount=12_345),  # only proposed
    SanctionSpec(0, "fine", D(2023, 7, 11), amount=7_000),
    SanctionSpec(5, "warning", D(2023, 3, 3)),  # a warning is none of the counted kinds
]


@dataclass(frozen=True)
class AssessmentSpec:
    platform: str
    verdict: str | None  # passed | failed | reassess | None (report in, no verdict)
    day: dt.date


ASSESSMENTS = [
    AssessmentSpec("北站作业", "passed", D(2023, 1, 1)),
    AssessmentSpec("南区游戏", "failed", D(2023, 7, 10)),
    AssessmentSpec("派出所社区", "passed", D(2022, 12, 31)),
    AssessmentSpec("市级论坛", "reassess", D(2023, 3, 3)),  # no verdict date: not counted
    AssessmentSpec("北区直播", None, D(2023, 3, 4)),
    AssessmentSpec("海州短视频", "passed", D(2023, 4, 4)),
    AssessmentSpec("北区直播", "failed", D(2023, 7, 11)),
]

# ------------------------------------------------------------------ content


@dataclass(frozen=True)
class ItemSpec:
    recorded: dt.datetime
    place: str
    categories: tuple[str, ...]
    outcome: str  # recorded | dismissed | instructed | failed | handled
    instructed: dt.datetime | None = None
    verified: dt.datetime | None = None  # handled (or verification failed) at


ITEMS = [
    ItemSpec(_t("2023-01-01T00:05"), "north", ("A01",), "handled", _t("2023-01-01T01:00"), _t("2023-01-02T10:00")),
    ItemSpec(_t("2022-12-31T23:55"), "north", ("A02", "A01"), "handled", _t("2022-12-31T23:58"),
             _t("2023-01-01T08:00")),
    ItemSpec(_t("2023-07-10T23:50"), "south", ("B08",), "handled", _t("2023-07-10T23:55"), _t("2023-07-11T09:00")),
    ItemSpec(_t("2023-03-03T10:00"), "station", ("A15", "B05"), "handled", _t("2023-03-03T11:00"),
             _t("2023-03-05T09:00")),
    ItemSpec(_t("2023-04-04T10:00"), "south", ("B01",), "handled", _t("2023-04-04T11:00"), _t("2023-04-06T09:00")),
    ItemSpec(_t("2023-05-05T10:00"), "city", ("A09",), "dismissed"),
    ItemSpec(_t("2023-05-06T10:00"), "north", ("A04",), "failed", _t("2023-05-06T12:00"), _t("2023-05-08T09:00")),
    ItemSpec(_t("2023-05-07T10:00"), "north", ("C01",), "instructed", _t("2023-05-07T11:00")),
    ItemSpec(_t("2023-02-02T10:00"), "other_city", ("A01",), "handled", _t("2023-02-02T11:00"),
             _t("2023-02-03T09:00")),
    ItemSpec(_t("2023-07-11T00:10"), "north", ("A03",), "recorded"),
    ItemSpec(_t("2023-06-10T10:00"), "station", ("A07", "B03"), "handled", _t("2023-06-10T11:00"),
             _t("2023-07-10T23:59")),
]


@dataclass(frozen=True)
class ReportSpec:
    received: dt.datetime
    place: str


REPORTS = [ReportSpec(_t("2023-01-01T00:00"), "north"), ReportSpec(_t("2022-12-31T23:59"), "north"),
           ReportSpec(_t("2023-07-10T23:59"), "south"), ReportSpec(_t("2023-07-11T00:00"), "south"),
           ReportSpec(_t("2023-03-03T12:00"), "other_city"), ReportSpec(_t("2023-04-04T12:00"), "station")]

# ------------------------------------------------------------------ leads


@dataclass(frozen=True)
class LeadSpec:
    received: dt.datetime
    place: str
    source: str
    verified: bool | None = None  # None: not checked yet; False: rejected
    reported: dt.datetime | None = None
    dispatches: tuple[tuple[dt.datetime, str], ...] = ()  # (sent at, to place); a second one after feedback
    case: dt.datetime | None = None


LEADS = [
    LeadSpec(_t("2023-01-01T00:01"), "north", "superior", True, _t("2023-01-02T09:00"),
             ((_t("2023-01-03T09:00"), "station"),), _t("2023-01-05T09:00")),
    LeadSpec(_t("2022-12-31T23:59"), "north", "own_work", True, _t("2023-01-01T09:00"),
             ((_t("2023-07-11T08:00"), "station"),)),
    LeadSpec(_t("2023-07-10T23:00"), "south", "public_report"),
    LeadSpec(_t("2023-03-03T09:00"), "station", "other_unit", False),
    LeadSpec(_t("2023-04-04T09:00"), "city", "own_work", True, _t("2023-07-11T01:00"),
             ((_t("2023-07-10T22:00"), "south"),), _t("2023-07-11T00:30")),
    LeadSpec(_t("2023-02-02T09:00"), "other_city", "superior", True, _t("2023-02-03T09:00"), (),
             _t("2023-02-04T09:00")),
    LeadSpec(_t("2023-05-05T09:00"), "north", "own_work", True, None,
             ((_t("2023-05-06T09:00"), "station"), (_t("2023-05-20T09:00"), "south"))),
    LeadSpec(_t("2023-07-11T00:00"), "north", "superior", True, _t("2023-07-11T02:00")),
]
CASES_WITHOUT_LEAD = [(_t("2023-06-06T09:00"), "station"), (_t("2022-12-31T22:00"), "south")]


@dataclass
class WorkRecords:
    inspections: list[InspectionSpec]
    orders: list[OrderSpec]  # with the orders the sanctions follow
    sanctions: list[SanctionSpec]
    assessments: list[AssessmentSpec]
    items: list[ItemSpec]
    reports: list[ReportSpec]
    leads: list[LeadSpec]
    cases_without_lead: list[tuple[dt.datetime, str]]


def _second_admin(tree: Tree) -> User:
    user = User(username="figures-approver", role="administrator", jurisdiction=tree.city, display_name="审批人")
    user.set_unusable_password()
    user.save()
    return user


def _build_supervision(tree: Tree, admin: User, approver: User) -> list[OrderSpec]:
    platforms: dict[str, Platform] = {}
    for n, (name, place) in enumerate(PLATFORMS.items()):
        platforms[name] = supervised_platform(getattr(tree, place), admin, name=name, website=f"https://p{n}.example.cn",
                                              app_store_ids=f"android:com.p{n}.app")
    built = _inspections(platforms, admin, approver)
    all_orders = [*ORDERS, *(OrderSpec(s.inspection, SANCTION_ORDER_DAY) for s in SANCTIONS)]
    made_orders = _orders(all_orders, built, admin)
    _sanctions(made_orders[len(ORDERS):], admin, approver)
    _assessments(platforms, admin)
    return all_orders


def _inspections(platforms: dict[str, Platform], admin: User, signer: User) -> list[Inspection]:
    """Conducted by ``admin``, signed by ``signer``: who conducts an inspection cannot sign it."""
    built = []
    for spec in INSPECTIONS:
        made = inspections.do_create_inspection(platforms[spec.platform], actor=admin, inspected_on=spec.day)
        for n, control in enumerate(CONTROLS):
            if n < spec.findings:
                inspections.do_record_item(made, control.id, actor=admin, result="failed", note=f"问题{n}",
                                           severity="high")
            else:
                inspections.do_record_item(made, control.id, actor=admin, result="passed")
        made = inspections.do_complete(made, actor=admin, summary=f"发现{spec.findings}项问题")
        if spec.signed:
            made = inspections.do_sign(made, actor=signer)
        built.append(made)
    return built


def _orders(all_orders: list[OrderSpec], built: list[Inspection], admin: User) -> list[RectificationOrder]:
    made_orders = []
    for spec in all_orders:
        inspection = built[spec.inspection]
        # An overdue order is delivered on its issue day with a period ending the day before it is flagged.
        days = 30
        if spec.overdue_at is not None and spec.issued is not None:
            days = (spec.overdue_at.date() - dt.timedelta(days=1) - spec.issued).days
        order = orders.do_draft_order(inspection.platform, actor=admin, inspection=inspection,
                                      findings=list(inspection.findings.all()), problems="未成年人模式缺失",
                                      legal_basis="《未成年人网络保护条例》第四十三条", period_days=days)
        if spec.issued is not None:
            order = orders.do_issue(order, actor=admin, issued_on=spec.issued)
        if spec.overdue_at is not None:
            assert spec.issued is not None
            order = orders.do_deliver(order, actor=admin, delivered_on=spec.issued, method="直接送达")
        made_orders.append(order)
    # The nightly job on each flagging day in order: an earlier run flags no later order (its deadline has not
    # passed), orders only issued are never flagged.
    for when in sorted({s.overdue_at for s in all_orders if s.overdue_at is not None}):
        nightly.run(today=when.date(), now=when)
    return made_orders


def _sanctions(made_orders: list[RectificationOrder], admin: User, approver: User) -> None:
    for spec, order in zip(SANCTIONS, made_orders, strict=True):
        terms: dict[str, Any] = {}
        if spec.kind == "fine":
            terms["amount"] = Decimal(spec.amount)
        if spec.kind == "disconnection":
            start = spec.carried_out or D(2023, 3, 1)
            terms.update(start_date=start, end_date=start + dt.timedelta(days=30))
        if spec.kind == "app_removal":
            terms.update(app_store="华为应用市场", app_id=f"com.app.{order.pk}")
        if spec.kind == "website_shutdown":
            terms["website"] = order.platform.website
        proposed = sanctions.do_propose(order, actor=admin, kind=spec.kind, statute="《网络安全法》第六十一条",
                                        reason="情节严重", serious=True, **terms)
        if spec.approved:
            approved = sanctions.do_approve(proposed, actor=approver, note="同意")
            if spec.carried_out is not None:
                sanctions.do_carry_out(approved, actor=admin, on=spec.carried_out)


def _assessments(platforms: dict[str, Platform], admin: User) -> None:
    for a in ASSESSMENTS:
        made_a = assessments.do_request(platforms[a.platform], actor=admin, trigger="T3", requested_on=a.day)
        assessments.do_receive_report(made_a, actor=admin, received_on=a.day, summary="自评估报告")
        if a.verdict is None:
            continue
        for item in made_a.items.all():
            failed = a.verdict == "failed" and item.control_id == "SA-3-LOGS"
            assessments.do_review_item(made_a, item.control_id, actor=admin, result="failed" if failed else "passed",
                                       note="日志仅30天" if failed else "")
        assessments.do_verdict(made_a, actor=admin, verdict=a.verdict, note="审核意见", on=a.day)


def _build_content(tree: Tree, admin: User) -> None:
    targets = {place: content_factories.platform(admin, getattr(tree, place), name=f"内容平台-{place}")
               for place in {i.place for i in ITEMS}}
    for n, spec in enumerate(ITEMS):
        item = content_services.do_record_item(
            {"jurisdiction": getattr(tree, spec.place), "platform": targets[spec.place],
             "location": f"https://x.example/p/{n}", "text": f"{content_factories.HARMFUL} 第{n}条",
             "categories": list(spec.categories), "found_via": "patrol", "found_at": spec.recorded},
            actor=admin, now=spec.recorded)
        if spec.outcome == "dismissed":
            content_services.do_dismiss(item, actor=admin, reason="不构成有害信息")
            continue
        if spec.instructed is None:
            continue
        instruction = content_services.do_instruct(item, actor=admin, now=spec.instructed)
        if spec.verified is None:
            continue
        instruction = content_services.do_confirm(instruction, actor=admin, confirmation="已处理",
                                                  confirmed_at=spec.instructed + dt.timedelta(minutes=1))
        content_services.do_verify(instruction, actor=admin, done=spec.outcome == "handled", note="人工核验",
                                   now=spec.verified)
    for n, report in enumerate(REPORTS):
        made = content_factories.report(getattr(tree, report.place), location=f"https://x.example/r/{n}")
        PublicReport.objects.filter(pk=made.pk).update(received_at=report.received)


def _build_leads(tree: Tree, admin: User) -> None:
    case_platform = content_factories.platform(admin, tree.city, name="线索关联平台")

    def case(lead: object, when: dt.datetime, place: Jurisdiction) -> None:
        lead_services.do_open_case(lead, {"jurisdiction": place, "title": "案件", "offender": "某账号",  # type: ignore[arg-type]
                                          "summary": "诱骗未成年人", "platform_failure": "未落实实名",
                                          "platform": case_platform}, actor=admin, now=when)

    for n, spec in enumerate(LEADS):
        place = getattr(tree, spec.place)
        lead = lead_services.do_create_lead({"jurisdiction": place, "source": spec.source, "title": f"线索{n}",
                                             "summary": "涉未成年人有害信息", "received_at": spec.received},
                                            actor=admin)
        if spec.verified is not None:
            lead = lead_services.do_verify(lead, actor=admin, founded=spec.verified, note="核查")
        if spec.reported is not None:
            lead = lead_services.do_report_upward(lead, actor=admin, note="报送上级", now=spec.reported)
        for k, (when, to) in enumerate(spec.dispatches):
            dispatch = lead_services.do_dispatch(lead, actor=admin, to=getattr(tree, to), instructions="请核处",
                                                 now=when)
            if k + 1 < len(spec.dispatches):
                lead_services.do_acknowledge(dispatch, actor=admin)
                lead_services.do_feedback(dispatch, actor=admin, feedback="已处置")
            lead.refresh_from_db()
        if spec.case is not None:
            case(lead, spec.case, place)
    for when, place_name in CASES_WITHOUT_LEAD:
        case(None, when, getattr(tree, place_name))


def build_work(tree: Tree, admin: User) -> WorkRecords:
    approver = _second_admin(tree)
    all_orders = _build_supervision(tree, admin, approver)
    _build_content(tree, admin)
    _build_leads(tree, admin)
    return WorkRecords(INSPECTIONS, all_orders, SANCTIONS, ASSESSMENTS, ITEMS, REPORTS, LEADS, CASES_WITHOUT_LEAD)


def expected_work(work: WorkRecords, tree: Tree, start: dt.date, end: dt.date,
                  inside: Callable[[Jurisdiction], bool]) -> dict[str, int]:
    """Each figure counted from the specifications above (places by walking parents, periods by local days)."""

    def at(place: str) -> bool:
        return inside(getattr(tree, place))

    def day(value: dt.date | dt.datetime | None) -> bool:
        if value is None:
            return False
        local = value.astimezone(TZ).date() if isinstance(value, dt.datetime) else value
        return start <= local <= end

    signed = [s for s in work.inspections if s.signed and day(s.day) and at(PLATFORMS[s.platform])]
    orders_ = [(o, PLATFORMS[work.inspections[o.inspection].platform]) for o in work.orders]
    done = [(s, PLATFORMS[work.inspections[s.inspection].platform]) for s in work.sanctions]
    carried = [(s, place) for s, place in done if s.carried_out is not None and day(s.carried_out) and at(place)]
    items_at = [i for i in work.items if at(i.place)]
    handled = [i for i in items_at if i.outcome == "handled" and day(i.verified)]
    leads_at = [(n, lead) for n, lead in enumerate(work.leads) if at(lead.place)]
    cases = [c for lead in work.leads if lead.case is not None and at(lead.place) and day(lead.case)
             for c in (lead.case,)] + [w for w, p in work.cases_without_lead if at(p) and day(w)]
    return {
        "inspections_done": len(signed),
        "platforms_inspected": len({s.platform for s in signed}),
        "findings": sum(s.findings for s in signed),
        "orders_issued": sum(1 for o, place in orders_ if day(o.issued) and at(place)),
        "orders_overdue": sum(1 for o, place in orders_ if day(o.overdue_at) and at(place)),
        "websites_shut": sum(1 for s, _p in carried if s.kind == "website_shutdown"),
        "apps_removed": sum(1 for s, _p in carried if s.kind == "app_removal"),
        "disconnections": sum(1 for s, _p in carried if s.kind == "disconnection"),
        "fines": sum(1 for s, _p in carried if s.kind == "fine"),
        "fine_amount": sum(s.amount for s, _p in carried if s.kind == "fine"),
        "assessments_reviewed": sum(1 for a in work.assessments if a.verdict in {"passed", "failed"} and day(a.day)
                                    and at(PLATFORMS[a.platform])),
        "content_items_recorded": sum(1 for i in items_at if day(i.recorded)),
        "harmful_items_handled": len(handled),
        # tier B alone is labelled, anything with an A or C category is removed
        "items_taken_down": sum(1 for i in handled if any(c[0] in "AC" for c in i.categories)),
        "takedown_instructions": sum(1 for i in items_at if day(i.instructed)),
        "public_reports_received": sum(1 for r in work.reports if day(r.received) and at(r.place)),
        "leads_received": sum(1 for _n, lead in leads_at if day(lead.received)),
        "leads_reported_upward": sum(1 for _n, lead in leads_at if day(lead.reported)),
        "leads_dispatched": sum(1 for _n, lead in leads_at for when, _to in lead.dispatches if day(when)),
        "cases_opened": len(cases),
    }
