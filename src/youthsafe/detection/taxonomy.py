"""Harm-category taxonomy: the stable category ids every other module keys on.

Source: regulatory-reference.md section 2.1 (A01-A14, B01-B10, C01-C02, D01-D05, W01), plus the project's
A15 fraud, A16 trading of personal information and A17 black-industry services (architecture.md,
"Contracts"). Handling paths follow section 2.2.

Design principle (section 0.2): categories describe *content and behaviour* only. No category names,
targets or scores an identity group; ``tests/detection/test_taxonomy.py`` enforces that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CATEGORIES", "HANDLING", "Category", "Tier", "get", "text_detectable_ids"]


class Tier(StrEnum):
    """Tier (regulatory-reference 2.1): A illegal, B restricted, C minors' image/data, D design, W welfare."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    W = "W"


# Section 2.2: the minimum handling the law requires per tier.
HANDLING: dict[Tier, str] = {
    Tier.A: "stop transmission, delete/block, keep records, report to CAC and police, act against the "
    "account (条例 Art. 29(1); 未保法 Art. 80(2)-(3); CSL Art. 47)",
    Tier.B: "label before display; never in minor products, prominent slots or pushes to minors "
    "(条例 Arts. 23, 24, 29(2); 未保法 Art. 80(1))",
    Tier.C: "prompt the minor, stop transmission, honour access/deletion, guardian consent under 14, report "
    "if harm is likely (条例 Arts. 34, 38; 未保法 Arts. 72-73; PIPL Art. 31)",
    Tier.D: "compliance controls, audits and reports; not per-item moderation (条例 Arts. 20, 37, 42-47)",
    Tier.W: "crisis triage and outreach; never sanction the disclosure; escalate when harm is imminent "
    "(regulatory-reference section 6)",
}


@dataclass(frozen=True, slots=True)
class Category:
    """One harm category: what is said, shown, sold or done (never who someone is)."""

    id: str
    tier: Tier
    name_zh: str
    name_en: str
    legal_basis: str
    welfare: bool = False
    text_detectable: bool = True

    @property
    def handling(self) -> str:
        """Handling path of the category's tier (regulatory-reference 2.2)."""
        return HANDLING[self.tier]


def _c(cid: str, name_zh: str, name_en: str, basis: str) -> Category:
    tier = Tier(cid[0])
    return Category(
        id=cid,
        tier=tier,
        name_zh=name_zh,
        name_en=name_en,
        legal_basis=basis,
        welfare=tier is Tier.W,
        # Tier D is service design and operation, judged by inspection rather than per post (2.1, 2.2).
        text_detectable=tier is not Tier.D,
    )


_S = "regulatory-reference 2.1: "
_ALL: tuple[Category, ...] = (
    _c(
        "A01",
        "宣扬淫秽色情",
        "Pornographic or obscene content reaching minors",
        _S + "条例 Art. 22(1); 未保法 Art. 50; CSL Art. 12(2)",
    ),
    _c(
        "A02",
        "涉未成年人淫秽色情信息",
        "Sexualised or sexual-abuse content involving minors",
        _S + "条例 Art. 22(2); 未保法 Art. 52",
    ),
    _c(
        "A03",
        "网络性引诱/性侵害",
        "Online grooming, sexual solicitation or sexual harassment of minors",
        _S + "未保法 Art. 54; 条例 Art. 27",
    ),
    _c(
        "A04",
        "宣扬暴力",
        "Content promoting violence or instructing serious violence",
        _S + "条例 Art. 22(1); 未保法 Art. 50",
    ),
    _c(
        "A05",
        "宣扬邪教、迷信",
        "Cult propaganda; promotion of superstition",
        _S + "条例 Art. 22(1); 未保法 Art. 50",
    ),
    _c(
        "A06",
        "宣扬赌博/向未成年人提供彩票",
        "Gambling promotion; lottery or gambling services to minors",
        _S + "条例 Art. 22(1); 未保法 Arts. 50, 59",
    ),
    _c(
        "A07",
        "引诱自残自杀",
        "Inducing, encouraging or instructing self-harm or suicide, incl. suicide pacts",
        _S + "条例 Art. 22(1); 未保法 Art. 50",
    ),
    _c(
        "A08",
        "宣扬恐怖主义、分裂主义、极端主义",
        "Terrorist or violent-extremist propaganda and recruitment",
        _S + "条例 Art. 22(1); 未保法 Art. 50; CSL Art. 12(2)",
    ),
    _c(
        "A09",
        "网络欺凌",
        "Cyberbullying of a minor: insult, defamation, threats, image damage",
        _S + "条例 Art. 26; 未保法 Art. 77",
    ),
    _c(
        "A10",
        "组织、教唆、胁迫、引诱未成年人违法犯罪",
        "Recruiting, inciting or luring minors into illegal acts",
        _S + "条例 Art. 27; 未保法 Art. 80(3)",
    ),
    _c(
        "A11",
        "违禁品、管制物品网上交易",
        "Online offer or sale of prohibited or controlled items",
        _S + "CSL Art. 46",
    ),
    _c(
        "A12",
        "违规网售药品",
        "Illegal online retail of prescription-only or banned drugs (the transaction)",
        _S + "药品管理法 Arts. 61, 62, 131; 药品网络销售监督管理办法; 未保法 Art. 55",
    ),
    _c(
        "A13",
        "向未成年人推送或诱骗接触有害信息",
        "Pushing harmful content to minors or luring them to view it",
        _S + "条例 Art. 25",
    ),
    _c(
        "A14",
        "烟酒向未成年人销售",
        "Sale of tobacco, e-cigarettes or alcohol to minors online",
        _S + "未保法 Art. 59",
    ),
    _c(
        "A15",
        "诈骗",
        "Fraud: fake part-time jobs, order brushing rebates, refund or game-item scams",
        "project category (architecture.md); 刑法 fraud provisions; 未保法 Art. 80(3)",
    ),
    _c(
        "A16",
        "买卖个人信息",
        "Trading personal information (students', parents', teachers' data)",
        "project category (architecture.md); PIPL Arts. 10, 28, 31; 条例 Arts. 31-38",
    ),
    _c(
        "A17",
        "黑产服务",
        "Black-industry services: account farming, paid posting, renting bank or SIM cards",
        "project category (architecture.md); 反电信网络诈骗法 (two-card rules); CSL Art. 46",
    ),
    _c(
        "B01",
        "诱导模仿不安全行为",
        "Content inducing imitation of unsafe acts, dangerous challenges",
        _S + "条例 Art. 23; 分类办法 cat. 1",
    ),
    _c(
        "B02",
        "诱导实施不良行为",
        "Content inducing misbehaviour: smoking, drinking, cheating, glorified bullying",
        _S + "条例 Art. 23; 分类办法 cat. 1",
    ),
    _c(
        "B03",
        "引发极端情绪",
        "Content likely to provoke extreme anger, fear or anxiety",
        _S + "条例 Art. 23; 分类办法 cat. 1",
    ),
    _c(
        "B04",
        "养成不良嗜好/不良生活方式",
        "Content promoting unhealthy habits: binge eating, medicine misuse",
        _S + "条例 Art. 23; 分类办法 cat. 1",
    ),
    _c(
        "B05",
        "诱导非理性消费",
        "Content or features inducing irrational spending: tipping, top-ups",
        _S + "条例 Art. 44; 分类办法 cat. 1",
    ),
    _c(
        "B06",
        "饭圈不良行为",
        "Fan-economy pressure behaviours: fundraising from minors, vote-rigging, fan wars",
        _S + "条例 Art. 45; 分类办法 cat. 1",
    ),
    _c(
        "B07",
        "不良价值导向",
        "Content promoting harmful values: money-worship, 'study is useless'",
        _S + "分类办法 cat. 2",
    ),
    _c(
        "B08",
        "性暗示、低俗内容",
        "Sexually suggestive (not obscene) or vulgar content",
        _S + "生态治理规定 Art. 7; 分类办法 cat. 1",
    ),
    _c(
        "B09",
        "煽动歧视、仇恨",
        "Abusive content or incitement of hatred directed at people (the act)",
        _S + "CSL Art. 12(2); 生态治理规定 Art. 7; 分类办法 cat. 1",
    ),
    _c("B10", "血腥惊悚", "Gory, horrific or cruel imagery causing distress", _S + "生态治理规定 Art. 7"),
    _c(
        "C01",
        "不当使用未成年人形象",
        "Improper use of a minor's image or voice for attention or profit",
        _S + "分类办法 cat. 3",
    ),
    _c(
        "C02",
        "不当披露/使用未成年人个人信息",
        "Improper disclosure of minors' personal information",
        _S + "分类办法 cat. 4; 条例 Arts. 31-38; 未保法 Arts. 72-73; PIPL Arts. 28, 31",
    ),
    _c(
        "D01",
        "诱导沉迷的产品设计",
        "Addiction-inducing design or missing anti-addiction system",
        _S + "未保法 Art. 74; 条例 Arts. 42-43",
    ),
    _c(
        "D02",
        "面向未成年人的自动化决策营销",
        "Automated-decision marketing to minors",
        _S + "条例 Art. 24(3)",
    ),
    _c(
        "D03", "危害信息置于醒目位置", "Placing restricted content in prominent slots", _S + "条例 Art. 24(2)"
    ),
    _c(
        "D04",
        "直播、游戏年龄违规",
        "Streaming and gaming age rules: under-16 streamers, 22:00-08:00 gaming",
        _S + "未保法 Arts. 75-76; 条例 Arts. 31(2), 46",
    ),
    _c(
        "D05",
        "未落实基础义务",
        "Missing baseline controls: real-name, 6-month logs, complaints, incident plan",
        _S + "CSL Arts. 21, 24, 25, 49; 条例 Art. 7",
    ),
    _c(
        "W01",
        "自伤自杀风险信号（本人表达）",
        "First-person disclosure of distress, suicidal ideation or self-harm",
        _S + "条例 Art. 2 (best interests of the minor); section 6 (Tree Hole scale)",
    ),
)

CATEGORIES: dict[str, Category] = {c.id: c for c in _ALL}


def get(category_id: str) -> Category:
    """Return the category with ``category_id``; raises ``KeyError`` naming the unknown id."""
    try:
        return CATEGORIES[category_id]
    except KeyError:
        raise KeyError(f"unknown category id {category_id!r}") from None


def text_detectable_ids() -> list[str]:
    """Ids of the categories a single post can show (all but tier D), in taxonomy order."""
    return [c.id for c in _ALL if c.text_detectable]
