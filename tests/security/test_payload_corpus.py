"""The outside probe's payload corpus (issue 16), kept in the suite: about sixty hostile values (markup in text and
in attributes, template syntax, SQL fragments, spreadsheet formulas, right-to-left and zero-width characters,
very long strings, emoji, lone surrogates as JSON allows them) stored through the API and the pages into the
main record types (platform, content item, lead, outreach event, public report), then rendered in their
detail pages, list pages, CSV (and XLSX) exports and API answers.

What must hold for every value: no server error anywhere; each submission is stored or refused with a clear
4xx; nothing stored comes back as markup (no tag, event-handler attribute or ``javascript:`` URL the page did not
have, no raw payload with a markup character in it); template and SQL syntax is data (stored and returned as
sent, the secret key never shown); spreadsheet cells never start a formula; characters a reader cannot see are
shown as badges (core/hiddenchars.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import Tree
from youthsafe.content.models import ContentItem, PublicReport
from youthsafe.core.cells import FORMULA_STARTS
from youthsafe.core.models import User

pytestmark = pytest.mark.django_db

PAYLOADS: list[str] = [
    # markup in text and in attributes
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x',
    "<style>*{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<!-- x",
    "]]><x>",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    '{"a": "</script><script>alert(1)</script>"}',
    "<div hx-get=\"/users/\" hx-trigger=\"load\">x</div>",
    # template syntax of every engine a developer might reach for
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load static %}{% static 'x' %}",
    "{{ request.user.password }}",
    "{# comment #}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{7*7}}",
    "{{ ''.__class__.__mro__ }}",
    # SQL fragments
    "' OR '1'='1",
    "'; DROP TABLE registry_platform; --",
    '" OR 1=1 --',
    "1; SELECT pg_sleep(5)",
    "%' AND 1=1 AND '%'='",
    "\\'; --",
    "admin'--",
    "UNION SELECT username, password FROM core_user",
    # spreadsheet formulas (CSV injection)
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    # what a reader cannot see
    "invoice\u202efdp.exe",
    "违\u200b禁\u200c词",
    "\u2066isolate\u2069",
    "\ufeffBOM",
    "\u3164",
    "\u200f\u200e方向",
    # very long strings
    "长" * 6000,
    "A" * 20000,
    "😀" * 300,
    # emoji and characters outside the BMP
    "👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f ⚠️",
    "𠀀𪚥 𝕏",
    "e" + "\u0301" * 60,
    # control characters and lone surrogates (JSON can carry them; the input rule refuses them)
    "nul\x00byte",
    "vertical\x0btab",
    "\x1b[31mANSI\x1b[0m",
    "a\ud800b",
    "\udfff",
    # paths, encodings and words that mean something elsewhere
    "../../etc/passwd",
    "%00 %2e%2e%2f %0d%0a",
    "null",
    "\\u0000 \\x00",
    "a\tb\r\nc<br>",
]
# A payload with one of these characters must never appear raw in a page (an entity-only payload such as
# "&lt;script&gt;" is left out: it is exactly what the escaped form of "<script>" looks like).
MARKUP = set("<>\"'")


# ---------------------------------------------------------------- checks


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "hx-get", "hx-post"})


class _Markup(HTMLParser):
    """The markup of a page: anything a stored value could have injected."""

    DANGEROUS_TAGS = frozenset({"iframe", "svg", "math", "base", "object", "embed", "style", "x", "mi"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> {values}")
        if tag in self.DANGEROUS_TAGS or (tag == "img" and values.get("src") == "x"):
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on") or name in {"autofocus", "xlink:href"}:
                self.problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"<!--{data[:40]}")


def _check_page(html: str, payloads: list[str], where: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    found = [f"{where}: {p}" for p in parser.problems]
    found += [f"{where}: raw payload {p[:40]!r}" for p in payloads if MARKUP & set(p) and p in html]
    if str(django_settings.SECRET_KEY) in html:
        found.append(f"{where}: the secret key")
    return found


def _check_cells(rows: list[list[str]], where: str) -> list[str]:
    return [f"{where}: formula cell {cell[:40]!r}" for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# ---------------------------------------------------------------- the world


@pytest.fixture
def staff(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client], tmp_path: Path,
          settings: Any) -> Client:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 10_000
    return login(make_user("administrator"))


def _status_ok(response: Any, where: str, problems: list[str], accepted: set[int]) -> bool:
    if response.status_code >= 500 or response.status_code not in accepted:
        problems.append(f"{where}: status {response.status_code} {response.content[:200]!r}")
        return False
    return True


def _post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _fit(payload: str, limit: int) -> str:
    return payload[:limit]


def _pages(client: Client, url: str, pages: int = 3) -> Iterator[tuple[str, Any]]:
    for number in range(1, pages + 1):
        joiner = "&" if "?" in url else "?"
        address = f"{url}{joiner}page={number}"
        yield address, client.get(address)


def _render(client: Client, lists: list[str], details: Iterator[str] | list[str], stored: list[str],
            problems: list[str]) -> None:
    """List pages (their first pages) and detail pages, each checked."""
    pages = [item for url in lists for item in _pages(client, url)]
    for address, response in [*pages, *((url, client.get(url)) for url in details)]:
        if _status_ok(response, address, problems, {200}):
            problems += _check_page(response.content.decode(), stored, address)


# ---------------------------------------------------------------- record types


def test_platforms(staff: Client, tree: Tree) -> None:
    problems: list[str] = []
    stored: dict[int, str] = {}
    for n, payload in enumerate(PAYLOADS):
        body = {"name": _fit(payload, 200), "kind": "social", "operator": _fit(payload, 200),
                "jurisdiction": tree.north.pk, "security_officer": _fit(payload, 100),
                "notes": _fit(payload, 5000)}
        response = _post_json(staff, "/api/registry/platforms", body)
        if _status_ok(response, f"platform {n}", problems, {201, 422}) and response.status_code == 201:
            made = response.json()
            stored[made["id"]] = payload
            assert (made["name"], made["notes"]) == (_fit(payload, 200), _fit(payload, 5000)), n  # data, as sent
    assert len(stored) >= len(PAYLOADS) - 5  # only control characters and lone surrogates are refused
    values = list(stored.values())
    details = [*(f"/registry/{pk}/" for pk in stored), *(f"/registry/{pk}/edit/" for pk in stored)]
    _render(staff, ["/registry/"], details, values, problems)
    export = staff.get("/registry/export.csv")
    if _status_ok(export, "registry CSV", problems, {200}):
        rows = _csv(b"".join(export.streaming_content) if export.streaming else export.content)
        problems += _check_cells(rows, "registry CSV")
    xlsx = staff.get("/registry/export.xlsx")
    if _status_ok(xlsx, "registry XLSX", problems, {200}):
        content = b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        assert sheet is not None
        cells = [[str(v) for v in row if isinstance(v, str)] for row in sheet.iter_rows(values_only=True)]
        problems += _check_cells(cells, "registry XLSX")
    for pk, payload in stored.items():
        got = staff.get(f"/api/registry/platforms/{pk}")
        if _status_ok(got, f"GET platform {pk}", problems, {200}) and got.json()["notes"] != _fit(payload, 5000):
            problems.append(f"platform {pk}: notes changed on the way")
    assert problems == []


def test_content_items(staff: Client, tree: Tree) -> None:
    problems: list[str] = []
    for n, payload in enumerate(p for p in PAYLOADS if not any(0xD800 <= ord(c) <= 0xDFFF for c in p)):
        # (a page form cannot carry a lone surrogate)
        response = staff.post("/content/new/", {
            "jurisdiction": tree.north.pk, "location": _fit(payload, 500), "text": _fit(payload, 5000),
            "categories": ["A01"], "found_via": "patrol", "note": _fit(payload, 2000)})
        _status_ok(response, f"item {n}", problems, {200, 302})
    items = list(ContentItem.objects.values_list("pk", "text"))
    assert len(items) >= len(PAYLOADS) - 10  # the rest refused with an error beside the field
    values = [text for _pk, text in items]
    _render(staff, ["/content/"], [f"/content/{pk}/" for pk, _text in items], values, problems)
    api = staff.get("/api/content/items?limit=500")
    if _status_ok(api, "API items", problems, {200}):
        assert len(api.json()) == len(items)
    assert problems == []


def test_leads(staff: Client, tree: Tree) -> None:
    problems: list[str] = []
    stored: dict[int, str] = {}
    for n, payload in enumerate(PAYLOADS):
        response = _post_json(staff, "/api/leads/leads", {
            "jurisdiction": tree.north.pk, "source": "superior", "title": _fit(payload, 200),
            "summary": _fit(payload, 5000), "source_detail": _fit(payload, 200)})
        if _status_ok(response, f"lead {n}", problems, {201, 422}) and response.status_code == 201:
            stored[response.json()["id"]] = payload
            assert response.json()["title"] == _fit(payload, 200)
    assert len(stored) >= len(PAYLOADS) - 6
    _render(staff, ["/leads/"], [f"/leads/{pk}/" for pk in stored], list(stored.values()), problems)
    audit = staff.get("/audit/export.csv")
    if _status_ok(audit, "audit CSV", problems, {200}):
        problems += _check_cells(_csv(b"".join(audit.streaming_content)), "audit CSV")
    _render(staff, ["/audit/"], [], list(stored.values()), problems)
    assert problems == []


def test_outreach_events(staff: Client, tree: Tree) -> None:
    problems: list[str] = []
    stored: dict[int, str] = {}
    for n, payload in enumerate(PAYLOADS):
        response = _post_json(staff, "/api/outreach/events", {
            "kind": "school_lecture", "title": _fit(payload, 200), "held_on": "2026-03-01",
            "jurisdiction": tree.north.pk, "venue": _fit(payload, 200), "partner": _fit(payload, 200),
            "summary": _fit(payload, 5000), "follow_up": _fit(payload, 2000)})
        if _status_ok(response, f"event {n}", problems, {201, 422}) and response.status_code == 201:
            stored[response.json()["id"]] = payload
            assert response.json()["summary"] == _fit(payload, 5000)
    assert len(stored) >= len(PAYLOADS) - 6
    details = [*(f"/outreach/{pk}/" for pk in stored), *(f"/outreach/{pk}/edit/" for pk in stored)]
    _render(staff, ["/outreach/"], details, list(stored.values()), problems)
    assert problems == []


def test_public_reports(staff: Client, tree: Tree) -> None:
    problems: list[str] = []
    public = Client()
    for n, payload in enumerate(PAYLOADS):
        response = _post_json(public, "/api/content/public/reports", {
            "reason": "A15", "location": _fit(payload, 500), "explanation": _fit(payload, 5000),
            "platform_name": _fit(payload, 200), "contact": _fit(payload, 200), "good_faith": True})
        if _status_ok(response, f"report {n}", problems, {201, 422}) and response.status_code == 201:
            lookup = public.get(f"/api/content/public/reports/{response.json()['ack_number']}")
            _status_ok(lookup, f"lookup {n}", problems, {200})
    for n, payload in enumerate(PAYLOADS[:12]):  # the page form too
        page = public.post("/content/report/", {"reason": "A15", "location": _fit(payload, 500),
                                                "explanation": _fit(payload, 5000), "good_faith": "on"})
        if _status_ok(page, f"report page {n}", problems, {201, 400}):
            problems += _check_page(page.content.decode(), [payload], f"report page {n}")
    reports = list(PublicReport.objects.values_list("pk", "explanation"))
    assert len(reports) >= len(PAYLOADS) - 6
    _render(staff, ["/content/reports/?status=all"], [f"/content/reports/{pk}/" for pk, _text in reports],
            [text for _pk, text in reports], problems)
    assert problems == []


def test_hidden_characters_are_shown_in_the_pages(staff: Client, tree: Tree) -> None:
    """The right-to-left override of the corpus, stored as a platform name, is a badge on its page."""
    made = _post_json(staff, "/api/registry/platforms", {"name": "invoice\u202efdp.exe", "kind": "social",
                                                         "operator": "甲", "jurisdiction": tree.north.pk})
    assert made.status_code == 201
    page = staff.get(f"/registry/{made.json()['id']}/").content.decode()
    assert ">U+202E</span>fdp.exe" in page
