"""Review of the Sensitive-lexicon candidate lists: which terms become rules, measured on everyday text first.

    .venv/bin/python benchmarks/lexicon_review.py [--emit] [--examples] [--no-rules]

Source: ``../shared/data/sensitive-lexicon/Vocabulary/`` (Konsheng/Sensitive-lexicon, MIT licence), five lists:
广告类型 (ads), 涉枪涉爆 (guns and explosives), 色情类型 and 色情词库 (pornography), 非法网址 (domains). The lists
are noisy (everyday words, insults, names, political terms, truncated fragments), so every entry was read and
given a decision below (``REVIEW``); the script refuses to run if an entry has none.

Steps, for the four word lists in the order above:

1. Entries: a line split on ``| / , ，`` (the lists join alternatives with them), normalised as the engine does
   (``normalize_text``); repeats within a list or of an earlier list are counted once.
2. Automatic drops: the term is already a rule term (exact), or the current rules (every file but
   ``lexicon_reviewed.yaml``) already score it in the planned category (a strong term they already flag, or a
   weak term that some rule of its category already matches: adding it would count the same word twice and
   flag it alone).
3. Reviewed drops, by reason (``REASONS``): everyday words, words inside common words, anatomy / crime / sex-
   education vocabulary that is discussed rather than offered, profanity and insults (bullying_hate.yaml's
   B09), political terms, identity terms, people's names, other categories, obscure fragments, lawful trade.
4. Measured: every term kept by review is matched (with its rule's ``pinyin``/``homophone`` flags, through the
   engine's own ``Lexicon``) on everyday real text and on the project's hard negatives:

   * LCCC ``lccc-toy/data/toy_train.txt`` (10,000 Weibo dialogues, spaces between characters removed, each
     turn matched alone), COLD train+dev+test comments labelled 0, SWSR comments labelled 0;
   * ``src/youthsafe/detection/data/corpus/posts/*.jsonl`` lines with empty ``labels``.

   Bound: a term may match at most ``floor(everyday lines / 20,000)`` everyday lines (1 in 20,000, so 1 of the
   ~35,000 here); a strong term may also not newly flag any hard negative by itself (after the context
   suppressors). A term over the bound that still signals its category goes to the category's shadow rule
   (reported, never scoring) when it matches fewer than ``SHADOW_MAX`` everyday lines; above that it is dropped.
5. Redundant: a kept term that contains another kept term of the same category and at least its strength
   (or that the new explosive-recipe pattern matches) adds nothing and is left out.

Then, unless ``--no-rules``: whether ``rules/lexicon_reviewed.yaml`` holds exactly the kept terms with the
planned flags, the new flags its rules add (rules alone: score times suppression factor at the category
threshold, the whole rule set against the rule set without the file) on the labelled posts per category, on
the negatives and on ``tests/data/identity_neutral.jsonl``; and the measurement of the domain list.

``--emit`` prints the kept terms as YAML lists; ``--examples`` prints the everyday lines a kept term matches.
The data sets are read in place (``../shared/data``) and never copied into the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from youthsafe.detection.lexicon import Lexicon, TermSpec
from youthsafe.detection.normalize import normalize, normalize_text, normalize_texts
from youthsafe.detection.rules import RuleSet, default_rules_dir, load_rules

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
VOCAB = SHARED / "sensitive-lexicon" / "Vocabulary"
CORPUS_POSTS = ROOT / "src" / "youthsafe" / "detection" / "data" / "corpus" / "posts"
IDENTITY = ROOT / "tests" / "data" / "identity_neutral.jsonl"
RULE_FILE = "lexicon_reviewed.yaml"
WORD_LISTS = ("广告类型", "涉枪涉爆", "色情类型", "色情词库")
URL_LIST = "非法网址"
SPLIT = re.compile(r"[|/,，]")
PER_LINES = 20_000  # a term may match at most one everyday line in this many
SHADOW_MAX = 5  # everyday matches from which an over-bound term is dropped rather than shadowed


@dataclass(frozen=True)
class Plan:
    """A rule of ``lexicon_reviewed.yaml`` as planned here (the YAML must agree)."""

    category: str
    weight: float
    strength: str  # "strong" or "weak"
    pinyin: bool
    homophone: bool = False


# Strong terms flag alone (weight >= the category threshold 0.6, as A01.porn.terms 0.7 and A11.weapons 0.7);
# weak ones (0.45, as A01.porn.mention and A06.gambling.medium) need a second rule of the category or a contact.
# Pinyin only for the strong rules (mostly 3+ characters): with it, the weak two-character words matched
# mixed-script text (因WA read as 淫娃, Mei比 as 美逼, one SWSR and one COLD line); homophones never (内射/内设).
PLANS: dict[str, Plan] = {
    "A01.lexicon.strong": Plan("A01", 0.7, "strong", pinyin=True),
    "A01.lexicon.weak": Plan("A01", 0.45, "weak", pinyin=False),
    "A11.lexicon.strong": Plan("A11", 0.7, "strong", pinyin=True),
    "A11.lexicon.weak": Plan("A11", 0.45, "weak", pinyin=False),
    "A06.lexicon.weak": Plan("A06", 0.45, "weak", pinyin=False),
    "A17.lexicon.weak": Plan("A17", 0.45, "weak", pinyin=False),
}
SHADOW_RULE = "{category}.lexicon.shadow"
# The explosive and incendiary recipes of 涉枪涉爆 (about 70 phrasings of "how to make X") as one pattern on
# the normalised text; drinks and bath bombs called 炸弹 (深水炸弹, 鸡尾酒炸弹, 沐浴炸弹) are excluded.
RECIPE_RULE = "A11.lexicon.recipe"
RECIPE_PATTERNS = (
    "(?<!深水)(?<!鸡尾酒)(?<!芝士)(?<!沐浴)(?<!泡澡)(?<!卡路里)(?:炸药|炸弹|燃烧弹|燃烧瓶|雷管|硝化甘油|硝酸甘油|"
    "tnt|c4|黑索金|zha药)的?(?:基本)?(?:制作|制造|制法|制备|配方|做法|教程)",
    "(?:教你做|教你制作|怎么做|如何做|如何制作|怎么制作|如何自制|怎么自制|自制|如何制)(?:简易|土)?"
    "(?:炸药|炸弹|燃烧弹|燃烧瓶|雷管|硝化甘油|tnt|引爆器|起爆器)",
)

REASONS = {
    "duplicate": "repeated (within the list or of an earlier list)",
    "in_rules": "already a term of the rules",
    "covered": "already scored by the current rules in its category",
    "everyday": "everyday or general word (its ordinary sense dominates)",
    "collision": "sits inside common words or is an ambiguous abbreviation (口交 in 门口交警, sm, bt)",
    "discussed": "anatomy, health, sex-education or crime word: discussed, reported, not offered",
    "profanity": "profanity or insult (B09, bullying_hate.yaml's scope), not pornography",
    "political": "political term or official's name (out of scope)",
    "identity": "identity term (orientation)",
    "person": "a person's name",
    "other_category": "another category or none of the taxonomy (noted in the report)",
    "obscure": "obscure, obsolete or truncated entry (old site or brand, hoax, fragment)",
    "lawful": "lawful trade (knife shops, toy models): not a controlled item as such",
    "game": "game, toy or history vocabulary (手枪, 燃烧弹, C4炸药, 黑火药)",
    "joke": "not a credible item (home-made nuclear bombs and missiles)",
    "false_alarm": f"matches everyday text more than 1 in {PER_LINES:,} lines (or flags a hard negative)",
    "redundant": "contains a kept term of its category and strength (or the recipe pattern matches it)",
}


def _w(words: str) -> list[str]:
    """A whitespace-separated word list (the decisions below read as the lists do)."""
    return words.split()


# Every entry of every word list, by decision: {list: {"keep": {rule: [...]}, "drop": {reason: [...]}}}.
# Entries the automatic steps drop (duplicates, terms already in the rules) need no decision; an entry listed
# for keeping can still be dropped by them, by the measurement or as redundant.
REVIEW: dict[str, dict[str, dict[str, list[str]]]] = {
    "广告类型": {
        "keep": {
            "A01.lexicon.weak": _w("狼友 吞精"),
            "A06.lexicon.weak": _w("曾道人 足球投注"),
            "A17.lexicon.weak": _w("代开发票 信用卡提现 代孕妈妈 地下钱庄 调查婚外情 出售答案"),
        },
        "drop": {
            "everyday": _w("""
                招聘 网络 qq 有意者 到货 本店 扣扣 客服 微店 兼值 淘宝 小姐 包夜 技师 推油 全套 桑拿 咪咪 全职
                网购 网络工作 代理 专业代理 帮忙点一下 帮忙点下 请点击进入 详情请进入 私人侦探 私家侦探
                无抵押贷款 广告代理 原音铃声 找个妈妈 找个爸爸 腾讯客服电话 销售热线 免费订购热线 低价出售
                款到发货 回复可见 连锁加盟 加盟连锁 免费二级域名 免费使用 免费索取 买小车 视频来源 下载速度
                高清在线 全集在线 在线播放 txt下载 资金周转 资金短缺 质押贷款 小额贷款 隐形耳机 借腹生子 证监会
                救市 股市圈钱 崩盘 六位qq 6位qq 送qb
                """),
            "collision": _w("3p ly js bt sm 口爆 足交 口交 口暴 毒龙 胸推 售肾 替考试 代生孩子 刻章办"),
            "obscure": _w("乳方 考中答案 答an da案 个qb 位的qq 玛雅网 电脑传讯 改卷内幕 婴儿汤 蚁力神"),
            "discussed": _w("妓女 性伴侣 针孔摄象 套牌车"),
            "profanity": _w("婊子 操逼"),
            "political": _w("中国复兴党 阿波罗网 周小川 刘明康 尚福林 孔丹"),
            "other_category": _w("用刀横向切腹 完全自杀手册 四海帮"),
        },
    },
    "涉枪涉爆": {
        "keep": {
            "A11.lexicon.strong": (
                # explosives and incendiaries for sale, and recipe phrasings the pattern does not reach
                _w("""
                出售炸药 炸药出售 简易炸药 简易炸弹 简易燃烧弹 恐怖分子傻瓜手册 购买自爆材料 用火药混合塑料
                高性能爆炸物质混合 汽油三分之一白糖混合 黑火药和硝酸钾农药混合 怎么用土办法做武器
                教你怎么用土办法做武器 你怎么用土办法做武器 莫洛托夫鸡尾酒的配方 弹药制造方法 水浴法制tnt
                燃烧剂的简易制备 燃烧剂的简易制作 简易大威力炸弹 制作性能优良的燃烧弹 炸药及其制造方法
                恐怖分子自己制造炸弹 手柄制作炸弹引爆器 制作炸弹首先要 火药制作简易炸弹
                """)
                # the recipe phrasings the pattern covers (listed so that none is lost if the pattern changes)
                + _w("""
                硝酸甘油炸弹制作 tnt炸弹的制作 硝铵炸药配方 炸弹配方 炸弹制作 硝酸甘油炸弹制作方法
                手把手教你做炸弹 自制燃烧弹 液体炸药配方 炸药配方与制作 tnt炸药配方 炸药的制作 各种炸药配方大全
                燃烧弹的制作方 燃烧弹制作 制作硝化甘油 zz炸弹的制作方法 炸药制造生产工艺 汽车炸弹制作
                人体炸弹制作流程 炸弹制作从入门 集束炸弹制作 黑索金的制造过程 zha药制造进程 可塑炸弹制作方法
                高爆炸药的基本配方 如何制硝化甘油 炸弹制作入门 硝酸甘油炸药制作 可塑炸弹制作 炸药硝酸甘油制法
                燃烧弹的制作方法 怎么自制燃烧弹 tnt炸弹制作 高爆炸药基本配方 炸弹制作从入门到精 写的炸弹制作教程
                下硝化甘油的制作方法 燃烧瓶的制作方法 炸弹制作手册硫酸 炸药的制作配方 炸药的配方 如何自制燃烧弹
                标准炸弹教程 燃烧瓶制作 硝酸甘油制作 出售炸药电话 出售炸药qq
                """)
                # already scored by the current rules (雷管, 自制炸药, 气枪出售, 仿真枪出售, 枪支出售, 甩棍出售)
                + _w("""
                出售雷管 出售雷管炸药 自制炸药配方 雷管出售 自制炸药方法 娥眉气枪出售 各式气枪出售
                工字牌气枪出售专卖 气枪仿真枪出售 三箭气枪出售 锡峰气枪出售 仙鹤气枪出售 有军用枪支出售
                防卫甩棍出售
                """)
                # guns for sale and gun slang with a sale word (气狗/汽狗/手狗: air guns and pistols)
                + _w("""
                出售气枪 出售气枪qq 出售气枪电话 出售手枪 出售手枪qq 出售手枪电话 出售猎枪 出售猎枪qq
                出售猎枪电话 出售汽枪 出售步枪 出售狙击枪 出售手狗 出售气狗 手枪出售联系电话 64式手枪出售
                92式手枪出售 出售高仿真枪 出售54式手枪 出售m1911 出售国产军用54手枪 出售仿真枪
                出售麻醉枪免收任何定金 出售手枪货到付款 出售袖珍手枪 防身手枪qq 防身武器手枪 仿真枪qq
                钢珠枪小口径步枪 高压狗qq 高压气枪 气枪子弹 电狗专卖 气枪货到付款 各类军用枪 各类军用枪支
                工字汽狗麻醉枪 供应军用手枪 供应汽枪 购买枪支qq 国产汽狗专卖 集团出售手枪 集团出售手枪气枪
                进口气枪 军用54出售 军用77出售 军用手枪钢珠枪 里有汽枪出售 猎枪出售 猎枪仿真枪qq
                猎枪麻醉枪钢珠枪 猎枪哪里有卖 猎枪手枪买卖 猎枪销售手枪销售气枪 猎枪专卖店 猎枪子弹底火专卖
                麻醉枪出售可验货 麻醉枪猎枪军用 买卖54狗 买卖64狗 买卖警察枪支 买卖军用枪支 卖64手枪 卖92手枪
                卖钢珠枪qq 哪里能买到自制手枪 哪里有钢珠枪 哪里有连发猎枪买卖 哪里有卖双管猎 哪里有气枪卖
                哪里有枪出售 哪里有真枪出售 哪里有真枪卖买 哪能买到真枪 期出售手枪气枪猎 气狗高压气枪
                气狗出售进口气狗 气枪专卖网 气枪购买 气枪组装 汽狗出售 气枪价格仿真气枪 气枪价格 气枪专卖店
                气枪看货加qq 气枪联系qq 气枪猎枪麻醉枪 气枪迷魂药 汽狗高压汽枪 铅弹上海工字气枪 全金属仿真枪专卖
                热武器qq 手枪买卖自制手枪 售枪购买手枪 售手枪qq 淘宝气枪货到付款 提供气狗专卖店
                提供专业及时的气狗 秃鹰气枪货到付款 买卖77式手枪 销售电手狗 销售气手狗 销售小口径步枪
                销售运动步枪 长期出售手枪 折叠狗qq 转让猎枪 子弹货到付款 自制手枪哪里买 自制手枪哪里有卖
                最新销售汽狗 高压气枪专卖店
                """)
                # crossbows (弩 are controlled) and poisoned darts (麻醉箭, 三步倒) used to steal dogs
                + _w("""
                弓弩专营 弓弩专卖网货到付款 弓弩专卖网 弓弩专卖货到付款 弓弩专卖店网 弓弩专卖店 弓弩专卖
                弓弩直销 弓弩有限公司 弓弩营销中心 弓弩一百专卖店 弓弩销售 弓弩网 弓弩特许经销 弓弩狩猎网
                追风弓弩麻醉箭专卖 专业弓弩网 中国战神军用弓弩 中国弩弓专卖 中国弓弩专卖网 中国弓弩直销
                中国弓弩网 中国弓弩狩猎网 中国弓驽网 郑州弓弩专卖 赵氏弓弩专卖网 赵氏弓弩专卖店 赵氏弓弩专卖
                赵氏弓弩销售 小型弓弩专卖店 小猎人弓弩网 狩猎器材弓弩专卖 狩猎器材弓弩 狩猎弓弩专卖网
                狩猎弓弩专卖 狩猎弓弩麻醉箭 手枪式折叠三用弩 三利达弓弩专卖网 三利达弓弩直营 三利达弓弩配件
                三步倒药箭批发 三步倒弩箭专卖 三步倒麻醉弩箭销售 三步倒麻醉箭专卖 三步倒麻醉箭 三步倒捕狗药
                军用弓弩专卖网 军用弓弩专卖店 军用弓弩批发 军用弓弩公司 供应三利达弓弩麻醉箭 供应三步倒麻醉箭
                供应秦氏弓弩 供应弩用麻醉箭 供应弩捕狗箭 供应麻醉箭三步倒 供应麻醉箭批发 供应麻醉箭
                供应军用弩折叠弩 供应军用弓弩专卖 供应精品弓弩 供应弓弩麻醉箭 供应弓弩 供应钢珠弓弩 弓弩商城专卖
                弓弩商城 弓弩亲兄弟货到付款 弓弩批发 弓弩免定金货到付款 弓弩麻醉箭 弓弩麻醉镖 钢珠弓弩专卖网
                钢珠弓弩专卖店 打狗弓弩三步倒 麻醉弓弩专卖店 三利达弓弩军刀
                """)
                # controlled knives (军刺, 弹簧刀, 跳刀, 三棱刀, 蝴蝶刀, 匕首) and batons
                + _w("""
                出售军刺 出售弹簧刀 出售三棱刀 出售跳刀 三棱军刺专卖 出售开山刀军刺 出售军刺军刀 警用刀具出售
                匕首蝴蝶甩刀专卖 军刀专卖军刺 军品军刺网 军刀军刺甩棍 正品军刺出售 仿品军刺出售 自动跳刀专卖
                军刀电棍销售 军刀甩棍销售 仿品军刺网 野营开山刀军刺 防卫电棍出售 军刺野营砍刀出售 刺刀专卖网
                直刀匕首直销网 军刀匕首直销网
                """)
            ),
            "A11.lexicon.weak": _w("""
                炸药 起爆器 气枪 钢珠枪 汽枪 仿真枪 组装手枪 弓弩制作 弓弩图纸 自制手弩 制作简易弓弩 弓弩论坛
                """),
        },
        "drop": {
            "everyday": _w("出售 销售 专卖 专卖网 枪 硝酸甘油"),
            "collision": _w("出售猎狗 出售各类猎狗 买卖军狗 真枪 鸡尾酒炸弹制作 红烧兔子大餐"),
            "game": _w("""
                燃烧弹 c4炸药 c4塑胶炸药 c4炸药的成分 塑胶炸弹 莫洛托夫燃烧弹 手枪 猎枪 阻击枪 出售火枪游戏
                制作火药配方 火药配方 黑火药的配方 黑火药的制作 黑火药比例 黑火药配方比例 黑火药的成分
                黑火药配方 火药的配方 火药原理 炸药的成分 tnt炸药成分 土炸药成份 硝酸铵的简便制取方法
                """),
            "joke": _w("""
                在家里做原子弹 氢弹手工制作方法 原子弹配方 原子弹diy教程 diy核弹 核弹制作方法 原子弹制作手册
                简易原子弹教程 原子弹制造完全手册 原子弹制作方法 手教你制作原子弹 轻型巡航导弹的制作
                简易核弹头的制造 简易导弹制作 核弹头的制造 手教你做原子弹 手把手教你制作原子弹 教你制作原子弹
                diy原子弹 原子弹制作 atom弹制造 三分钟教你原子弹 原子弹制作方法diy
                """),
            "obscure": _w("基本配方是硝酸甘 酸甘油炸药 爆破和杀伤燃烧弹 气枪货 手枪气枪猎 小口径秃鹰沙漠"),
            "lawful": _w("""
                出售进口金属枪模 出售外国枪模 司马仿真枪模型qq 出售警用手铐 出售军刀 军刀网 南方军刀网
                户外军刀网 西点军刀网 军刀专卖 戈博军刀 阿兰德龙户外 出售军品军刀 勃朗宁军刀 军刀军品网
                阿兰得龙野营刀具网 折刀专卖网 阳江军品军刀网 野营刀专卖 砍刀精品折刀专卖 军刀专卖刀具批发
                军刀图片砍刀 军刀网军刀专卖 军刀价格军用刀具 阳江刀具批发网 北方先锋军刀 野营军刀出售
                开山刀砍刀出售 军刀直刀专卖 手工猎刀专卖 美国军刀出售 极端武力折刀 防卫棍刀户外刀具
                阿兰德龙野营刀 野营砍刀户外军刀 手工猎刀户外刀具 中国户外刀具网 西点军品军刀网 尼泊尔军刀出售
                防卫野营砍刀出售 防卫著名军刀出售 防卫棍刀出售 著名精品折刀出售 战术军刀出售 户外军刀出售
                阳江刀具直销网 冷钢刀具直销网 防卫刀具直销网 极端武力直销网 刀具直销网 军刀直销网 折刀砍刀军品网
                野营刀具军品网 阳江刀具军品网 冷钢刀具军品网 防卫刀具军品网 极端武力军品网 军用刀具军品网
                军刀直刀军品网 折刀砍刀专卖 野营刀具专卖 阳江刀具专卖 冷钢刀具专卖 防卫刀具专卖 出售美军现役军刀
                """),
        },
    },
    "色情类型": {
        "keep": {
            "A01.lexicon.strong": _w("""
                成人电影 成人论坛 成人小说 成人色情 国产av 大力抽送 风月大陆 少年阿宾 夜勤病栋 淫兽学园
                淫术炼金士 淫电影 颜射 骚穴 蜜穴 嫩穴 菊穴 裸陪
                """),
            "A01.lexicon.weak": _w("""
                爱液 潮吹 潮喷 抽插 艳情小说 成人游戏 盗撮 粉穴 口淫 乱伦 嫩逼 肉逼 美逼 插逼 插阴 舔阴 炮友
                砲友 骚水 套弄 无修正 一本道 一夜欢 淫荡 淫叫 淫教师 淫母 淫虐 淫妻 淫声浪语 淫书 淫水 淫娃 淫液
                淫照 原味内衣 援助交际 招鸡 招妓 丝诱 a片 h动画 h动漫 淫荡自慰器 换妻俱乐部 一ye情
                """),
            "A11.lexicon.strong": _w("失身粉"),
            "A11.lexicon.weak": _w("春药"),
        },
        "drop": {
            "everyday": _w("""
                按摩棒 拔出来 大波 好嫩 后庭 美腿 美少妇 嫩女 奶子 前凸后翘 全裸 色色 色诱 色欲 色界 情色 肉欲
                兽欲 熟妇 熟母 熟女 爽片 双臀 丝袜 裤袜 体位 调教 偷欢 脱内裤 舞女 性感妖娆 性感诱惑 欲火 欲女
                酥痒 捏弄 放尿 发浪 叫床 浪叫 要射了 情趣用品 成人文学 大乳 豪乳 巨奶 巨乳 爆乳 暴乳 美乳 漏乳
                玉乳 揉乳 乳爆 摸奶 摸胸 抓胸 性饥渴 性技巧 性欲 g点 包二奶 淫威 淫糜 淫魔
                """),
            "collision": _w("""
                口活 口射 内射 脚交 乳交 拳交 群交 乱交 人妻 人兽 女优 聊性 性息 文做 色猫 色区 美穴 美幼 秘唇
                蜜液 食精 吸精 吃精 喷精 射颜 小穴 小xue 穴口 肉穴 肉棒 肉茎 兽交 暴干 被操 被插 被干 插进 插你
                插我 插暴 插比 插b 操我 干穴 肉洞 肉棍 肉具 买春 应召 后穴
                """),
            "discussed": _w("""
                肛交 肛门 龟头 精液 阴部 阴唇 阴道 阴阜 阴核 阴户 阴茎 阴精 阳具 乳房 乳沟 乳头 屁眼 肉唇 肉缝
                菊门 菊花洞 性交 手淫 自慰 作爱 性奴 性虐 强暴 强jian 强奸处女 轮奸 轮暴 鸡奸 兽奸 逼奸 迷奸
                凌辱 奸情 相奸 母奸 体奸 暴奸
                """),
            "profanity": _w("""
                爆草 操黑 操烂 肏你 肏死 操死 厕奴 男奴 干死你 几吧 鸡吧 鸡巴 浪逼 肥逼 黑逼 骚逼 骚比 色逼 色b
                死逼 小逼 日逼 日烂 露b 狂操 狂插 轮操 荡妇 荡女 浪妇 浪女 骚女 淫妇 淫女 淫贱 淫虫 舔脚 阴b
                巨屌 fuck
                """),
            "person": _w("仓井空 奈美 松岛枫 汤加丽 夏川纯 杨思敏"),
            "identity": _w("gay片"),
            "obscure": _w("""
                暴淫 裹本 虎骑 色盟 射爽 释欲 校鸡 性虎 穴图 亚情 淫河 淫浪 淫媚 淫色 淫亵 淫样 淫情 玉穴 就去日
                密穴
                """),
            "other_category": _w("幼交"),
        },
    },
    "色情词库": {
        "keep": {
            "A01.lexicon.strong": _w("""
                成人dv 成人卡通 色情电影 色情图片 色情影片 裸体写真 美女裸体 裸舞视 美女上门 性交视频 性交图片
                淫荡美女 淫荡视频 淫荡照片 淫骚妹 淫穴 裸聊网 sexinsex xiao77 tokyohot
                """),
            "A01.lexicon.weak": _w("""
                成人片 色情片 三级片 色情小说 色情服务 色情表演 性服务 伦理片 伦理电影 18禁 porn 淫情女 扌由插
                抽一插 玉蒲团 yin荡
                """),
            "A11.lexicon.strong": _w("迷昏药 迷奸粉 谜奸药 迷情粉 迷情水 迷情药 乖乖粉"),
            "A11.lexicon.weak": _w("迷幻药 迷魂药 迷魂香"),
        },
        "drop": {
            "everyday": _w("""
                爱女人 赤裸 封面女郎 花花公子 寂寞男 寂寞女 激情 偷拍 写真 学生妹 自拍 少妇 中年美妇 美艳少妇
                美女写真 男公关 火辣 按摩 快感 处男 猛男 屁股 内裤 浑圆 发情 刺激 白嫩 粉嫩 兽性 风骚 呻吟 阉割
                高潮 裸露 不穿 脱光 和弦 限量 铃声 adult amateur hardcore secom 惹火身材 金鳞岂是池中物
                金麟岂是池中物 玉女心经 欲仙欲死 爽死我了 淫兽 淫靡
                """),
            "discussed": _w("""
                精子 射精 诱奸 强奸 做爱 性爱 发生关系 下体 阴蒂 阴毛 性伙伴 xing伴侣 性奴集中营 淫乱 乱奸
                麻醉药 精神药品 morphine narcotic anal incest 幼女 幼男
                """),
            "collision": _w("""
                色电影 色视频 色小说 色妹妹 妹按摩 妹上门 伦理大 性福情 性感少 成人电 成人视 成人图 成人文
                成人小 成人聊 伦理毛 乱伦类 乱伦小
                """),
            "identity": _w("g片"),
            "obscure": _w("""
                99bb a4u a4y 品香堂 少修正 流淫 集体淫 多人轮 淫魔舞 淫肉 淫兽学 迷昏口 我就色 裙中性运动 sm女王
                阴间来电
                """),
            "person": _w("张筱雨 铃木麻"),
            "profanity": _w("""
                屄 贱人 装b 大sb 傻逼 傻b 煞逼 煞笔 刹笔 傻比 沙比 欠干 婊子养的 我日你 我操 我草 卧艹 卧槽
                爆你菊 艹你 cao你 你他妈 真他妈 别他吗 草你吗 草你丫 操你妈 擦你妈 操你娘 操他妈 日你妈 干你妈
                干你娘 娘西皮 狗操 狗草 狗杂种 狗日的 操你祖宗 操你全家 操你大爷 妈逼 你麻痹 麻痹的 妈了个逼
                马勒 狗娘养 贱比 贱b 下贱 死全家 全家死光 全家不得好死 全家死绝 白痴 无耻 sb 杀b 你吗b 你妈的
                贱货 人渣 混蛋 媚外 骚妇 骚货 骚浪 骚嘴 干你 干死 我干
                """),
            "other_category": _w("阴茎增大 阴茎助勃"),
        },
    },
}

# Second-level words of the domain list measured as a keyword rule (porn, lottery, QQ-phishing families).
DOMAIN_KEYWORDS = {
    "A01": ("sese", "xxoo", "qingse", "selang", "seqing", "97bose", "avav"),
    "A06": ("caipiao", "qipai", "cpw", "ssq", "flcp"),
    "A15": ("qqvip", "haoma", "zhongjiang", "lingjiang"),
}
TEXT_DOMAIN = re.compile(r"(?i)\b(?:[a-z0-9-]+\.)+[a-z]{2,6}\b")


# --------------------------------------------------------------------------------------------- data


@dataclass
class Texts:
    everyday: dict[str, list[list[str]]]  # source → lines, each a list of parts matched alone (LCCC turns)
    hard_negatives: list[str]
    positives: list[tuple[str, list[str]]]
    identity: list[str]

    @property
    def everyday_lines(self) -> int:
        return sum(len(v) for v in self.everyday.values())


def _csv_label0(path: Path, column: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [[row[column]] for row in csv.DictReader(fh) if row["label"] == "0"]


def load_texts() -> Texts:
    lccc_file = SHARED / "lccc-toy" / "data" / "toy_train.txt"
    lccc = [line.replace(" ", "").split("\t") for line in lccc_file.read_text(encoding="utf-8").splitlines()]
    cold = [row for split in ("train", "dev", "test") for row in _csv_label0(SHARED / "cold" / f"{split}.csv", "TEXT")]
    swsr = _csv_label0(SHARED / "swsr" / "SexComment.csv", "comment_text")
    hard: list[str] = []
    positives: list[tuple[str, list[str]]] = []
    for path in sorted(CORPUS_POSTS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row["labels"]:
                    positives.append((row["text"], list(row["labels"])))
                else:
                    hard.append(row["text"])
    identity = [json.loads(x)["text"] for x in IDENTITY.read_text(encoding="utf-8").splitlines() if x.strip()]
    return Texts({"lccc": lccc, "cold": cold, "swsr": swsr}, hard, positives, identity)


@dataclass
class Entry:
    term: str  # normalised
    raw: str
    source: str
    decision: str = ""  # "keep:<rule>" while under review, "kept:<rule>", "shadow" or a key of REASONS
    note: str = ""


def read_lists() -> tuple[dict[str, list[Entry]], dict[str, int]]:
    """Every entry of the word lists, in order, with repeats marked; lines read per list."""
    seen: set[str] = set()
    out: dict[str, list[Entry]] = {}
    lines: dict[str, int] = {}
    for name in WORD_LISTS:
        raw_lines = (VOCAB / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        lines[name] = sum(1 for x in raw_lines if x.strip())
        entries = []
        for raw_line in raw_lines:
            for part in SPLIT.split(raw_line):
                term = normalize_text(part.strip())
                if term:
                    entries.append(Entry(term, part.strip(), name, "duplicate" if term in seen else ""))
                    seen.add(term)
        out[name] = entries
    return out, lines


# --------------------------------------------------------------------------------------------- rules


def rules_without_review() -> RuleSet:
    """The current rules minus ``lexicon_reviewed.yaml`` (loaded from a temporary copy of the other files)."""
    with tempfile.TemporaryDirectory() as tmp:
        for path in default_rules_dir().glob("*.yaml"):
            if path.name != RULE_FILE:
                shutil.copy(path, tmp)
        return load_rules(tmp)


def category_state(rules: RuleSet, text: str) -> tuple[dict[str, float], dict[str, float]]:
    """Category scores and suppression factors of the rules alone on one text."""
    hits, _ = rules.apply(text, normalize_text(text))
    return rules.score(hits)


def flagged(rules: RuleSet, text: str) -> set[str]:
    """Categories the rules alone flag (score times suppression factor at the threshold)."""
    scores, factors = category_state(rules, text)
    return {c for c, s in scores.items() if s * factors.get(c, 1.0) >= rules.threshold(c)}


# --------------------------------------------------------------------------------------------- matching


class Matcher:
    """Terms matched exactly as the engine does (normalisation, pinyin and homophone flags, Latin boundaries)."""

    def __init__(self, terms: Sequence[tuple[str, bool, bool]]) -> None:
        self.lexicon = Lexicon(TermSpec(t, i, p, h) for i, (t, p, h) in enumerate(terms))

    def per_text(self, texts: Sequence[str]) -> list[set[int]]:
        norm = normalize_texts(list(texts))
        direct = self.lexicon.find_many(norm)
        raw = self.lexicon.find_pinyin_many(norm)
        out: list[set[int]] = []
        for text, n, d, r in zip(texts, norm, direct, raw, strict=True):
            found = self.lexicon.resolve(normalize(text, n), d, r) if d or r else []
            out.append({m.payload for m in found})
        return out


class RecipeMatcher:
    """The recipe pattern as one candidate (index 0), with ``Matcher``'s interface."""

    def __init__(self) -> None:
        self.regexes = [re.compile(p) for p in RECIPE_PATTERNS]

    def per_text(self, texts: Sequence[str]) -> list[set[int]]:
        return [{0} if any(rx.search(n) for rx in self.regexes) else set() for n in normalize_texts(list(texts))]


@dataclass
class Counts:
    everyday: Counter[str] = field(default_factory=Counter)  # source → lines matched
    hard: int = 0
    hard_flags: int = 0  # hard negatives the term alone would newly flag
    positives: int = 0  # labelled posts of its category it matches
    positives_other: int = 0  # labelled posts of other categories only
    examples: list[str] = field(default_factory=list)

    @property
    def everyday_total(self) -> int:
        return sum(self.everyday.values())

    def example(self, text: str) -> None:
        if len(self.examples) < 3:
            self.examples.append(text[:100])


def measure(
    candidates: Sequence[tuple[str, Plan]], texts: Texts, base: RuleSet, matcher: Matcher | RecipeMatcher | None = None
) -> dict[str, Counts]:
    """Match counts of every candidate on the everyday lines, the hard negatives and the labelled posts."""
    matcher = matcher or Matcher([(t, p.pinyin, p.homophone) for t, p in candidates])
    counts = {t: Counts() for t, _ in candidates}
    for source, lines in texts.everyday.items():
        found = iter(matcher.per_text([p for parts in lines for p in parts]))
        for parts in lines:
            for idx in set().union(*(next(found) for _ in parts)):
                c = counts[candidates[idx][0]]
                c.everyday[source] += 1
                c.example(f"[{source}] " + " / ".join(parts))
    for text, found in zip(texts.hard_negatives, matcher.per_text(texts.hard_negatives), strict=True):
        state = category_state(base, text) if found else ({}, {})
        for idx in found:
            term, plan = candidates[idx]
            c = counts[term]
            c.hard += 1
            c.hard_flags += _newly_flags(base, state, plan)
            c.example("[hard negative] " + text)
    positives = matcher.per_text([t for t, _ in texts.positives])
    for (_, labels), found in zip(texts.positives, positives, strict=True):
        for idx in found:
            term, plan = candidates[idx]
            if plan.category in labels:
                counts[term].positives += 1
            else:
                counts[term].positives_other += 1
    return counts


def _newly_flags(base: RuleSet, state: tuple[dict[str, float], dict[str, float]], plan: Plan) -> bool:
    """Whether a hit of weight ``plan.weight`` would take the category over its threshold (after suppression)."""
    scores, factors = state
    cat = plan.category
    old = scores.get(cat, 0.0)
    new = 1 - (1 - old) * (1 - plan.weight)
    factor = factors.get(cat, 1.0)
    return new * factor >= base.threshold(cat) > old * factor


# --------------------------------------------------------------------------------------------- review


@dataclass
class Kept:
    term: str
    rule: str
    plan: Plan
    source: str
    counts: Counts

    @property
    def shadow(self) -> bool:
        return self.rule.endswith(".shadow")


def decide(lists: dict[str, list[Entry]], base: RuleSet) -> None:
    """Steps 2 and 3: duplicates and rule terms, then the reviewed decisions; every entry must have one."""
    existing = {normalize_text(t) for r in base.rules for t, _ in r.terms}
    unknown: list[str] = []
    for name, entries in lists.items():
        decided = {normalize_text(t): f"keep:{rule}" for rule, ts in REVIEW[name]["keep"].items() for t in ts}
        decided |= {normalize_text(t): reason for reason, ts in REVIEW[name]["drop"].items() for t in ts}
        stale = sorted(set(decided) - {e.term for e in entries})
        if stale:
            raise SystemExit(f"{name}: decisions for entries that are not in the list: {stale}")
        for e in entries:
            if e.decision == "duplicate":
                continue
            e.decision = "in_rules" if e.term in existing else decided.get(e.term, "")
            unknown += [] if e.decision else [f"{name}:{e.term}"]
    if unknown:
        raise SystemExit(f"entries without a decision ({len(unknown)}): {' '.join(unknown)}")
    for e in (e for es in lists.values() for e in es if e.decision.startswith("keep:")):
        plan = PLANS[e.decision[5:]]
        have = category_state(base, e.raw)[0].get(plan.category, 0.0)
        if have >= base.threshold(plan.category) or (plan.strength == "weak" and have > 0):
            e.decision, e.note = "covered", f"{plan.category} {have:.2f} already"


def apply_bound(lists: dict[str, list[Entry]], counts: dict[str, Counts], bound: int) -> list[Kept]:
    """Step 4: terms over the false-alarm bound go to the shadow rule or are dropped."""
    kept: list[Kept] = []
    for name, entries in lists.items():
        for e in (e for e in entries if e.decision.startswith("keep:")):
            rule = e.decision[5:]
            plan, c = PLANS[rule], counts[e.term]
            over = c.everyday_total > bound or (plan.strength == "strong" and c.hard_flags > 0)
            if over and c.everyday_total < SHADOW_MAX:
                kept.append(Kept(e.term, SHADOW_RULE.format(category=plan.category), plan, name, c))
                e.decision, e.note = "shadow", f"{c.everyday_total} everyday, {c.hard_flags} hard-negative flags"
            elif over:
                e.decision, e.note = "false_alarm", f"{c.everyday_total} everyday lines"
            else:
                kept.append(Kept(e.term, rule, plan, name, c))
    return kept


def drop_redundant(lists: dict[str, list[Entry]], kept: list[Kept]) -> list[Kept]:
    """Step 5, shortest first: a term holding an accepted term of its category and >= strength is left out."""
    rank = {"strong": 2, "weak": 1}
    recipe = RecipeMatcher()
    by_term = {e.term: e for es in lists.values() for e in es}
    accepted: list[Kept] = []
    for k in sorted(kept, key=lambda k: (len(k.term), k.term)):
        entry = by_term[k.term]
        if not k.shadow and k.plan.category == "A11" and recipe.per_text([k.term])[0]:
            entry.decision, entry.note = "redundant", "recipe pattern"
            continue
        same = (k.plan.category, k.shadow)
        inner = [
            a
            for a in accepted
            if (a.plan.category, a.shadow) == same and rank[a.plan.strength] >= rank[k.plan.strength]
        ]
        holders = Matcher([(a.term, a.plan.pinyin, a.plan.homophone) for a in inner]).per_text([k.term])[0]
        if holders:
            entry.decision, entry.note = "redundant", "contains " + inner[min(holders)].term
            continue
        accepted.append(k)
        if not k.shadow:
            entry.decision = f"kept:{k.rule}"
    return accepted


def review(texts: Texts, base: RuleSet) -> tuple[dict[str, list[Entry]], dict[str, int], list[Kept], Counts]:
    lists, lines = read_lists()
    decide(lists, base)
    candidates = [
        (e.term, PLANS[e.decision[5:]]) for es in lists.values() for e in es if e.decision.startswith("keep:")
    ]
    counts = measure(candidates, texts, base)
    recipe = measure([("recipe", PLANS["A11.lexicon.strong"])], texts, base, RecipeMatcher())["recipe"]
    kept = apply_bound(lists, counts, texts.everyday_lines // PER_LINES)
    return lists, lines, drop_redundant(lists, kept), recipe


# --------------------------------------------------------------------------------------------- reports

TABLE = "   {:<18} {:<20} {:>5} {:>5} {:>5} {:>7} {:>5} {:>8} {:>10}"


def print_review(lists: dict[str, list[Entry]], lines: dict[str, int], kept: list[Kept], bound: int) -> None:
    for name, entries in lists.items():
        by = Counter("kept" if e.decision.startswith("kept:") else e.decision for e in entries)
        here = sorted((k for k in kept if k.source == name), key=lambda k: (k.rule, -k.counts.positives, k.term))
        print(f"\n== {name}: {lines[name]} lines read, {len(entries)} entries after splitting, "
              f"{len(entries) - by['duplicate']} distinct; kept {sum(not k.shadow for k in here)}, "
              f"shadow {sum(k.shadow for k in here)}")  # fmt: skip
        for reason, text in REASONS.items():
            if by[reason]:
                print(f"   dropped {by[reason]:4d}  {reason}: {text}")
        for rule, n in sorted(Counter(k.rule for k in here).items()):
            print(f"   kept    {n:4d}  {rule}")
        for reason in ("covered", "shadow", "false_alarm"):
            notes = [f"{e.term} ({e.note})" for e in entries if e.decision == reason]
            if notes:
                print(f"   {reason}: " + ", ".join(notes))
        if here:
            print(TABLE.format("term", "rule", "lccc", "cold", "swsr", "hardneg", "flags", "pos(cat)", "pos(other)"))
        for k in here:
            c = k.counts
            print(TABLE.format(k.term, k.rule, c.everyday["lccc"], c.everyday["cold"], c.everyday["swsr"], c.hard,
                               c.hard_flags, c.positives, c.positives_other))  # fmt: skip
    print(f"\n(bound: at most {bound} everyday line per term; flags = hard negatives the term alone would newly flag; "
          "pos = labelled posts matched, of the rule's category or of others only)")  # fmt: skip


def print_judged_drops(lists: dict[str, list[Entry]], texts: Texts, base: RuleSet) -> None:
    """The reviewed drops measured too: how often the words judged everyday, colliding, ... occur."""
    automatic = {"duplicate", "in_rules", "covered", "false_alarm", "redundant", "shadow"}
    judged = [(e.term, e.decision) for es in lists.values() for e in es if e.decision in set(REASONS) - automatic]
    plan = Plan("A01", 0.0, "weak", pinyin=False)
    counts = measure([(t, plan) for t, _ in judged], texts, base)
    by_reason: dict[str, list[str]] = defaultdict(list)
    for term, reason in judged:
        n = counts[term].everyday_total + counts[term].hard
        if n:
            by_reason[reason].append(f"{term} {n}")
    matched = sum(len(v) for v in by_reason.values())
    print(f"\n== Reviewed drops measured the same way (no pinyin): {matched} of {len(judged)} match everyday or "
          "hard-negative lines (term, lines):")  # fmt: skip
    for reason, items in by_reason.items():
        print(f"   {reason}: " + ", ".join(items))


def emit(kept: list[Kept]) -> None:
    by_rule: dict[str, list[str]] = defaultdict(list)
    for k in kept:
        by_rule[k.rule].append(k.term)
    for rule, terms in sorted(by_rule.items()):
        print(f"{rule}: [{', '.join(sorted(terms, key=lambda t: (len(t), t)))}]")


def check_yaml(kept: list[Kept]) -> bool:
    """Whether the rule file holds exactly the kept terms, with the planned category, weight and flags."""
    path = default_rules_dir() / RULE_FILE
    if not path.exists():
        print(f"\n{RULE_FILE}: not written yet")
        return False
    rules = {r["id"]: r for r in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]}
    want: dict[str, set[str]] = defaultdict(set)
    for k in kept:
        want[k.rule].add(k.term)
    problems = []
    for rule_id, terms in want.items():
        got = rules.get(rule_id)
        if got is None:
            problems.append(f"{rule_id}: missing")
            continue
        have = {normalize_text(str(t)) for t in got.get("terms", [])}
        if have != terms:
            problems.append(f"{rule_id}: extra {sorted(have - terms)}, missing {sorted(terms - have)}")
        plan = PLANS.get(rule_id)
        flags = (got["category"], float(got["weight"]), bool(got.get("pinyin")), bool(got.get("homophone")))
        if plan and flags != (plan.category, plan.weight, plan.pinyin, plan.homophone):
            problems.append(f"{rule_id}: category/weight/pinyin/homophone {flags} differ from the plan {plan}")
        if rule_id.endswith(".shadow") != bool(got.get("shadow")):
            problems.append(f"{rule_id}: shadow flag")
    if tuple(rules.get(RECIPE_RULE, {}).get("patterns", ())) != RECIPE_PATTERNS:
        problems.append(f"{RECIPE_RULE}: patterns differ from RECIPE_PATTERNS")
    for p in problems:
        print(f"   {p}")
    print(
        f"\n{RULE_FILE} " + ("DIFFERS (above)" if problems else "holds exactly the kept terms with the planned flags")
    )
    return not problems


def rules_effect(texts: Texts, base: RuleSet) -> None:
    """New flags of the whole rule set against the rule set without the file, on every text set."""
    full = load_rules()
    mine = {r.id for r in full.rules if r.file == RULE_FILE}
    print(f"\n== Effect of {RULE_FILE} ({len(mine)} rules), rules alone; new flag = flagged with the file, not without")
    total: Counter[str] = Counter()
    new: Counter[str] = Counter()
    right: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    wrong: list[str] = []
    for text, labels in texts.positives:
        total.update(labels)
        hits, _ = full.apply(text, normalize_text(text))
        fired.update({h.rule.category for h in hits if h.rule.id in mine and not h.rule.shadow})
        for cat in flagged(full, text) - flagged(base, text):
            new[cat] += 1
            right[cat] += cat in labels
            if cat not in labels:
                wrong.append(f"{cat} on a post labelled {labels}: {text[:70]}")
    print("   labelled posts (category: posts labelled, new flags, of which on posts labelled otherwise; posts a live "
          "rule of the file fires on):")  # fmt: skip
    for cat in sorted(set(new) | set(fired)):
        print(f"   {cat}: {total[cat]:4d} labelled, {new[cat]:3d} new flags ({new[cat] - right[cat]} on posts labelled "
              f"otherwise), fires on {fired[cat]}")  # fmt: skip
    for w in wrong[:12]:
        print(f"     {w}")
    for name, items in {"hard negatives": [[t] for t in texts.hard_negatives], **texts.everyday}.items():
        _effect_on_negatives(name, items, full, base, mine)
    bad = [t for t in texts.identity if _fires(full, t, mine) or flagged(full, t) != flagged(base, t)]
    print(f"   identity_neutral.jsonl: {len(texts.identity)} lines, {len(bad)} with any hit or new flag of the file")
    for x in bad:
        print(f"     {x}")


def _fires(rules: RuleSet, text: str, ids: set[str]) -> bool:
    hits, _ = rules.apply(text, normalize_text(text))
    return any(h.rule.id in ids for h in hits)


def _effect_on_negatives(name: str, items: list[list[str]], full: RuleSet, base: RuleSet, mine: set[str]) -> None:
    fired = 0
    new_flags = []
    for parts in items:
        fired += any(_fires(full, p, mine) for p in parts)
        got = set().union(*(flagged(full, p) - flagged(base, p) for p in parts))
        if got:
            new_flags.append(f"{sorted(got)} {' / '.join(parts)[:70]}")
    print(f"   {name}: {len(items)} lines, a rule of the file (shadow included) fires on {fired}, "
          f"new flags on {len(new_flags)}")  # fmt: skip
    for x in new_flags[:8]:
        print(f"     {x}")


def domain_report(texts: Texts) -> None:
    """Step for 非法网址: where its hosts sit, and whether any host or second-level word occurs in the texts."""
    lines = [d.strip().lower() for d in (VOCAB / f"{URL_LIST}.txt").read_text(encoding="utf-8").splitlines()]
    hosts = {re.sub(r"^https?://", "", d).split("/")[0].split(":")[0] for d in lines if d}
    parents = Counter(_parent(h) for h in hosts)
    shared = {s: n for s, n in parents.items() if n >= 20}
    tld = Counter(h.rsplit(".", 1)[-1] for h in hosts)
    cheap = ("top", "xyz", "vip", "cc", "club", "app", "shop", "site", "online")
    print(f"\n== {URL_LIST}: {sum(1 for d in lines if d)} lines, {len(hosts)} distinct hosts; TLDs "
          + ", ".join(f".{t} {n}" for t, n in tld.most_common(6)))  # fmt: skip
    print(f"   {sum(shared.values())} hosts ({sum(shared.values()) / len(hosts):.0%}) under {len(shared)} shared "
          "parents with >= 20 listed hosts each (dynamic-DNS and free-subdomain services): "
          + ", ".join(f"{s} {n}" for s, n in parents.most_common(6)))  # fmt: skip
    print(f"   under the cheap TLDs of today's spam ({' '.join(cheap)}): {sum(tld[t] for t in cheap)} "
          f"({sum(tld[t] for t in cheap) / len(hosts):.1%})")  # fmt: skip
    groups = {
        "everyday": [" ".join(p) for v in texts.everyday.values() for p in v],
        "hard negatives": texts.hard_negatives,
        "labelled posts": [t for t, _ in texts.positives],
    }
    found = {name: [[m.lower() for m in TEXT_DOMAIN.findall(t)] for t in items] for name, items in groups.items()}
    for name, per_text in found.items():
        with_domain = [ds for ds in per_text if ds]
        listed = sum(any(_host_listed(d, hosts) for d in ds) for ds in with_domain)
        tlds = Counter(d.rsplit(".", 1)[-1] for ds in with_domain for d in ds)
        common = ", ".join(f".{k} {n}" for k, n in tlds.most_common(5))
        print(f"   {name}: {len(per_text)} lines, {len(with_domain)} with a domain-like token, {listed} with a "
              f"listed host (or a subdomain of one); their TLDs {common}")  # fmt: skip
    for cat, words in DOMAIN_KEYWORDS.items():
        for w in words:
            in_domains = {name: sum(any(w in d for d in ds) for ds in per_text) for name, per_text in found.items()}
            anywhere = {name: sum(w in t.lower() for t in items) for name, items in groups.items()}
            print(f"   keyword {cat} {w!r}: {sum(w in h for h in hosts)} listed hosts; texts with it in a domain "
                  f"{in_domains}, anywhere {anywhere}")  # fmt: skip


def _parent(host: str) -> str:
    """The registrable parent: last two labels, three under a two-level public suffix (com.cn, co.uk)."""
    parts = host.split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in {"com", "net", "org", "gov", "edu", "ac"}:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def _host_listed(host: str, hosts: set[str]) -> bool:
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(len(parts) - 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--emit", action="store_true", help="print the kept terms as YAML lists")
    parser.add_argument("--examples", action="store_true", help="print the lines kept terms match")
    parser.add_argument("--no-rules", action="store_true", help="skip the YAML check, rule effect and domains")
    args = parser.parse_args()
    texts = load_texts()
    base = rules_without_review()
    print(f"negatives: everyday {texts.everyday_lines:,} lines ("
          + ", ".join(f"{k} {len(v):,}" for k, v in texts.everyday.items())
          + f"); hard negatives {len(texts.hard_negatives):,}; labelled posts {len(texts.positives):,}")  # fmt: skip
    lists, lines, kept, recipe = review(texts, base)
    print_review(lists, lines, kept, texts.everyday_lines // PER_LINES)
    print(f"   {RECIPE_RULE} (pattern): lccc {recipe.everyday['lccc']}, cold {recipe.everyday['cold']}, swsr "
          f"{recipe.everyday['swsr']}, hard negatives {recipe.hard} ({recipe.hard_flags} flags), labelled A11 "
          f"{recipe.positives}, other {recipe.positives_other}")  # fmt: skip
    print_judged_drops(lists, texts, base)
    if args.examples:
        print("\n== Lines matched by kept terms")
        for k in kept:
            for ex in k.counts.examples:
                print(f"   {k.term}: {ex}")
    if args.emit:
        print()
        emit(kept)
    if not args.no_rules:
        check_yaml(kept)
        rules_effect(texts, base)
        domain_report(texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
