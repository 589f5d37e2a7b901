"""Characters an officer cannot see are shown (issue 16): a right-to-left override or a zero-width space in a
platform name, a post, a public report or a person's name is shown as a visible badge with its code point
(the template filter ``reveal``, core/hiddenchars.py), never as the invisible character itself. An emoji made
of several (a family joined by U+200D) is left whole. These characters are not refused on input (they are
legitimate in names and texts of right-to-left languages), only made visible."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.alerts.factories import RECRUIT, feed, source
from tests.conftest import Tree
from tests.content import factories as content
from youthsafe.core.hiddenchars import reveal
from youthsafe.core.models import User
from youthsafe.leads import services as leads
from youthsafe.registry import services
from youthsafe.supervision.services import interviews

RLO, ZWSP = "\u202e", "\u200b"


def test_the_filter_escapes_and_shows_each_hidden_character() -> None:
    html = str(reveal(f"<b>invoice{RLO}fdp.exe</b> 违{ZWSP}禁 \u3164 x\x0by"))
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert '<span class="hidden-char" title="U+202E RIGHT-TO-LEFT OVERRIDE">U+202E</span>' in html
    assert '<span class="hidden-char" title="U+200B ZERO WIDTH SPACE">U+200B</span>' in html
    assert ">U+3164<" in html  # a Hangul filler: a "blank" name
    assert ">U+000B<" in html  # a control character from before the input rule
    assert not any(ch in html for ch in (RLO, ZWSP, "\u3164", "\x0b"))


def test_emoji_sequences_and_line_breaks_are_left_alone() -> None:
    family, england = "👨\u200d👩\u200d👧", "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    text = f"{family} {england}\n第二行\t完"
    assert str(reveal(text)) == text
    assert ">U+200D<" in str(reveal("违\u200d禁"))  # a joiner between two Chinese characters is not an emoji


def _main(html: str) -> str:
    """The page's content, without <title> (plain text there) and form fields."""
    found = re.search(r"<main.*?</main>", html, re.S)
    assert found is not None
    return found.group()


@pytest.fixture
def world(tree: Tree, make_user: Callable[..., User], tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user("administrator")
    officer = make_user("readonly", tree.north, username=f"officer{RLO}1")
    officer.display_name = f"值班{ZWSP}员"
    officer.save()
    platform = services.do_create_platform(actor=admin, data={
        "name": f"星河{RLO}学堂", "kind": "education", "operator": f"甲{ZWSP}公司", "jurisdiction": tree.north,
        "security_officer": f"王{RLO}敏"})
    alert = feed(source(tree.north), f"{RECRUIT}{RLO}快来", author="a1", thread="t1", jurisdiction=tree.north)
    assert alert is not None
    item = content.item(admin, tree.north, platform, location=f"https://x.example/{RLO}gpj.exe",
                        text=f"加微信看福利视频，未成年萝莉{ZWSP}资源打包出售")
    report = content.report(tree.north, location=f"https://x.example/{RLO}1", platform_name=f"某{ZWSP}平台")
    report.explanation = f"骗学生{RLO}扫码付款"
    report.save()
    lead = leads.do_create_lead({"jurisdiction": tree.north, "source": "superior", "title": f"线索{ZWSP}标题",
                                 "summary": "摘要", "platform": platform}, actor=admin)
    leads.do_verify(lead, actor=admin, founded=True, note="属实")
    case = leads.do_open_case(lead, {"jurisdiction": tree.north, "title": "案件", "offender": f"某{RLO}账号",
                                     "summary": "经过", "platform": platform, "platform_failure": "未处置"},
                              actor=admin)
    interview = interviews.do_record_interview(platform, actor=admin, kind="R2", held_on=dt.date(2026, 3, 1),
                                               attendees=f"张{ZWSP}三", matters="约谈")
    return {"admin": admin, "platform": platform, "alert": alert, "item": item, "report": report, "lead": lead,
            "case": case, "interview": interview}


PAGES = [
    ("/registry/", "platform name in the list"),
    ("/registry/{platform.pk}/", "platform name, operator, security officer"),
    ("/alerts/{alert.pk}/", "post text"),
    ("/alerts/", "post excerpt in the queue"),
    ("/content/{item.pk}/", "item text and location"),
    ("/content/", "item location and platform in the list"),
    ("/content/reports/{report.pk}/", "report location, platform and explanation"),
    ("/content/reports/?status=all", "report location in the list"),
    ("/leads/{lead.pk}/", "lead title"),
    ("/leads/cases/{case.pk}/", "offender"),
    ("/supervision/interviews/{interview.pk}/", "attendees"),
    ("/users/", "a person's name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "what"), PAGES, ids=[p[1] for p in PAGES])
def test_pages_show_hidden_characters_as_badges(world: dict[str, Any], login: Callable[[User], Client],
                                                page: str, what: str) -> None:
    response = login(world["admin"]).get(page.format(**world))
    assert response.status_code == 200
    main = _main(response.content.decode())
    assert 'class="hidden-char"' in main, what
    assert RLO not in main
    assert ZWSP not in main
