"""The rectification notice (责令限期改正通知书) and the inspection record (监督检查记录) as DOCX in Chinese,
filled from the records (PDF via ``core.documents.docx_to_pdf``). Numbers come from the configured schemes.
Record text enters the document only through ``_para``, ``_centered`` and table cells, each through
``xml_text`` (a character XML cannot hold is shown as U+FFFD instead of failing the whole document)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from youthsafe.core.documents import HEADING_FONT, chinese_document, set_font, to_bytes, xml_text
from youthsafe.registry.controls import CONTROLS_BY_ID, GROUP_LABELS
from youthsafe.supervision.models import Inspection, ItemResult, RectificationOrder
from youthsafe.supervision.services.numbering import authority_for

RESULT_ZH = {ItemResult.PASSED: "符合", ItemResult.FAILED: "不符合", ItemResult.NOT_APPLICABLE: "不适用",
             ItemResult.UNCHECKED: "未检查"}
SEVERITY_ZH = {"low": "轻微", "medium": "一般", "high": "较重", "critical": "严重"}
GROUP_ZH = {"csl": "一、网络安全法基本义务", "assessment": "二、安全评估规定检查项",
            "minors": "三、未成年人网络保护专项", "regulations": "四、《未成年人网络保护条例》其他义务"}
CONTROL_ZH: dict[str, str] = {
    "CSL-21-OFFICER": "明确网络安全负责人", "CSL-21-LOGS": "网络日志留存不少于六个月",
    "CSL-21-MEASURES": "防病毒、防入侵措施，数据备份和加密", "CSL-24-REALNAME": "信息发布、即时通讯真实身份认证",
    "CSL-25-INCIDENT": "网络安全事件应急预案", "CSL-47-CONTENT": "违法信息停止传输、消除、留存记录并报告",
    "CSL-49-COMPLAINTS": "公布投诉举报渠道", "SA-1-RESPONSIBLE": "安全管理负责人、信息审核人员或机构",
    "SA-2-IDENTITY": "用户真实身份核验及注册信息留存", "SA-3-LOGS": "用户日志和发布信息记录留存",
    "SA-4-NAMES": "账号名称、群组名称等违法有害信息防范处置", "SA-5-TECH": "个人信息保护及防止违法信息扩散的技术措施",
    "SA-6-COMPLAINTS": "投诉举报制度及联系方式", "SA-7-CAC": "为网信部门提供技术、数据支持的工作机制",
    "SA-8-POLICE": "为公安、国家安全机关提供支持的工作机制", "MP-9-MINORMODE": "未成年人模式（时长、权限、消费管理）",
    "MP-10-AGE": "未成年人身份识别及不适宜功能限制", "MP-11-BULLYING": "网络欺凌预警、识别和保护设置",
    "MP-12-PI": "未成年人个人信息保护制度", "MP-13-LABELS": "可能影响未成年人身心健康信息的提示和展示限制",
    "MP-14-LARGE": "大型平台影响评估、外部监督机构及社会责任报告", "MP-15-REPORTING": "网络安全事件应急预案及报告",
    "CSL-46-ILLEGAL": "不得设立用于诈骗、传授犯罪方法、销售违禁物品和管制物品的网站、通讯群组，不得发布相关信息",
    "CSL-48-APPSTORE": "应用软件下载服务：对传播恶意程序或违法信息的停止提供服务，保存记录并报告",
    "CSL-50-ORDERS": "依网信等部门要求停止传输违法信息",
    "REG-24-MARKETING": "不得以自动化决策方式向未成年人进行商业营销",
    "REG-25-PUSH": "不得向未成年人推送有害信息，不得诱导、强制其浏览",
    "REG-29-HANDLING": ("发现危害未成年人信息的处置：停止传输、删除、保存记录、向网信和公安报告并处置账号；"
                        "未提示信息不得传输"),
    "REG-38-HARM": "发现未成年人私密信息显示其可能受到侵害的，立即保存记录并向公安机关报告",
    "REG-42-ADDICTION": "网络沉迷防治制度及年度报告",
    "REG-45-FANDOM": "不得设置应援集资、投票打榜、刷量控评等群组、话题，不得诱导未成年人参与",
    "REG-47-RATING": "网络游戏适龄提示",
}


def zh_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _centered(doc: Any, text: str, size: float, *, bold: bool = True, font: str = HEADING_FONT) -> None:
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run(xml_text(text))
    set_font(run, font, size, bold=bold)


def _para(doc: Any, text: str, *, indent: bool = True, align: Any = None) -> Any:
    para = doc.add_paragraph()
    if indent:
        para.paragraph_format.first_line_indent = Cm(0.85)
    if align is not None:
        para.alignment = align
    para.add_run(xml_text(text))
    return para


def rectification_notice(order: RectificationOrder) -> bytes:
    """责令限期改正通知书, filled from the order (a draft says so in its number line)."""
    platform = order.platform
    authority = authority_for(order.jurisdiction)
    doc = chinese_document()
    _centered(doc, authority, 18)
    _centered(doc, "责令限期改正通知书", 22)
    _centered(doc, order.number or "（草稿，未编号）", 12, bold=False)
    _para(doc, f"{platform.operator}：", indent=False)
    _para(doc, f"经查，你单位运营的“{platform.name}”存在以下问题：")
    problems = [p.strip() for p in order.problems.replace("；", "\n").splitlines() if p.strip()]
    for number, problem in enumerate(problems, start=1):
        _para(doc, f"{number}. {problem}")
    _para(doc, f"上述行为违反了{order.legal_basis}的规定。")
    if order.deadline:
        when = f"于{zh_date(order.deadline)}前（自收到本通知书之日起{order.period_days}日内）"
    else:
        when = f"自收到本通知书之日起{order.period_days}日内"
    _para(doc, f"根据有关法律法规的规定，现责令你单位{when}改正，并将整改情况及佐证材料书面报送我单位。"
               f"逾期不改正或者拒不改正的，我单位将依法予以处罚。")
    if order.requirements:
        _para(doc, f"整改要求：{order.requirements}")
    _para(doc, "如不服本决定，可以在收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院"
               "提起行政诉讼。")
    doc.add_paragraph()
    _para(doc, authority, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, zh_date(order.issued_on), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.add_paragraph()
    delivered = f"{zh_date(order.delivered_on)}，{order.delivery_method}" if order.delivered_on else "____年__月__日"
    _para(doc, f"送达情况：{delivered}", indent=False)
    _para(doc, "被通知单位签收：______________    签收日期：____年__月__日", indent=False)
    return to_bytes(doc)


def inspection_record(inspection: Inspection) -> bytes:
    """监督检查记录: the platform, the checklist with results, the findings and the signed-off result."""
    platform = inspection.platform
    doc = chinese_document()
    _centered(doc, authority_for(inspection.jurisdiction), 16)
    _centered(doc, "网络安全监督检查记录", 20)
    _centered(doc, inspection.number or "（未签发，未编号）", 12, bold=False)
    facts = [("被检查单位", platform.operator), ("平台名称", platform.name), ("网站", platform.website or "—"),
             ("ICP备案号", platform.icp_number or "—"), ("检查日期", zh_date(inspection.inspected_on)),
             ("检查人员", inspection.inspectors or "—"), ("联合检查部门", inspection.joint_department or "—")]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in facts:
        row = table.add_row().cells
        row[0].text, row[1].text = key, xml_text(value)
    current = ""
    checklist = None
    for item in inspection.items.all():
        control = CONTROLS_BY_ID.get(item.control_id)
        group = control.group if control else ""
        if group != current:
            current = group
            heading = doc.add_paragraph()
            set_font(heading.add_run(GROUP_ZH.get(group, str(GROUP_LABELS.get(group, group)))), HEADING_FONT, 13,
                     bold=True)
            checklist = doc.add_table(rows=1, cols=4)
            checklist.style = "Table Grid"
            for cell, text in zip(checklist.rows[0].cells, ("检查项", "依据", "结果", "说明"), strict=True):
                cell.text = text
        assert checklist is not None  # noqa: S101  (created with the first group)
        row = checklist.add_row().cells
        row[0].text = xml_text(CONTROL_ZH.get(item.control_id, item.control_id))
        row[1].text = control.basis if control else ""
        row[2].text = xml_text(RESULT_ZH.get(ItemResult(item.result), item.result))
        row[3].text = xml_text(item.note)
    heading = doc.add_paragraph()
    set_font(heading.add_run("发现的问题"), HEADING_FONT, 13, bold=True)
    findings = list(inspection.findings.all())
    for number, finding in enumerate(findings, start=1):
        _para(doc, f"{number}. {finding.description}（{SEVERITY_ZH.get(finding.severity, finding.severity)}；"
                   f"{finding.legal_basis or '—'}）")
    if not findings:
        _para(doc, "未发现问题。")
    _para(doc, f"检查结论：{inspection.summary or '—'}", indent=False)
    signer = str(inspection.signed_by) if inspection.signed_by else "__________"
    _para(doc, f"审核签发：{signer}    日期：{zh_date(inspection.signed_at.date() if inspection.signed_at else None)}",
          indent=False)
    _para(doc, "被检查单位负责人签字：______________", indent=False)
    return to_bytes(doc)
