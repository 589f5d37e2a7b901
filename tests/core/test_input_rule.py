"""One input rule for the whole product (issue 16, item 4): a NUL, another C0 control character (all of
U+0000-U+001F but tab, line feed and carriage return) or a lone surrogate (U+D800-U+DFFF, which a JSON escape
can carry) is refused wherever text comes in. The API answers 422 with the field and the character; a page
shows the error beside the field in the user's language; a path or query string with one is a 404 or a
400/422, never a server error. PostgreSQL cannot store a NUL at all (a 500 before the rule), SQLite stored it.

The rule lives in ``youthsafe.core.inputrule`` and is applied structurally: every API input schema derives
from ``InputSchema``, every form of the product from the rule's form mixin, and a middleware checks every
path and query string. ``test_every_form_and_input_schema_carries_the_rule`` keeps it so."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pydantic
import pytest
from django import forms as django_forms
from django.conf import settings as django_settings
from django.test import Client

from tests.alerts.access_routes import make_objects
from tests.conftest import Tree
from youthsafe.alerts.models import Alert
from youthsafe.content.models import PublicReport
from youthsafe.core.api import api
from youthsafe.core.inputrule import InputRuleFormMixin, InputSchema, find
from youthsafe.core.models import Jurisdiction, JurisdictionKind, User
from youthsafe.leads.models import Lead
from youthsafe.outreach.models import OutreachEvent
from youthsafe.pipeline.records import bad_character
from youthsafe.registry import services as registry
from youthsafe.registry.models import Platform
from youthsafe.reports import rendering
from youthsafe.reports.models import ReportTemplate
from youthsafe.supervision.models import Interview

pytestmark = pytest.mark.django_db

# NUL, other C0 controls (SOH, vertical tab, form feed, unit separator), DEL is allowed, and a lone surrogate.
BAD = ["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\ud800"]
BAD_IDS = ["NUL", "SOH", "VT", "FF", "US", "surrogate"]
ALLOWED = "第一行\t制表\r\n第二行 ⚠️ 👨\u200d👩\u200d👧"


def _report(**extra: Any) -> dict[str, Any]:
    return {"reason": "A15", "location": "https://x.example/p/1", "explanation": "有人骗学生扫码付款",
            "platform_name": "某平台", "contact": "", "good_faith": True, **extra}


def _post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    # json.dumps escapes a lone surrogate as "\ud800": the body is valid JSON that decodes to one.
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _refused(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    errors = [e for e in response.json()["detail"] if e["type"] == "control_character"]
    assert errors, response.json()
    assert errors[0]["loc"][-1] == field, errors
    assert "控制字符" in errors[0]["msg"], errors  # the caller's language (Chinese by default)
    return errors[0]


@pytest.fixture
def admin(tree: Tree, make_user: Callable[..., User]) -> User:
    return make_user("administrator")


@pytest.fixture
def staff(admin: User, login: Callable[[User], Client]) -> Client:
    return login(admin)


# ---------------------------------------------------------------- the public report API (anonymous)


@pytest.mark.parametrize("char", BAD, ids=BAD_IDS)
@pytest.mark.parametrize("field", ["location", "explanation", "platform_name", "contact"])
def test_public_report_api_refuses_a_control_character_in_any_text_field(tree: Tree, field: str, char: str) -> None:
    response = _post_json(Client(), "/api/content/public/reports", _report(**{field: f"某处{char}文字"}))
    error = _refused(response, field)
    assert f"U+{ord(char):04X}" in error["msg"]
    assert PublicReport.objects.count() == 0


def test_public_report_api_keeps_tabs_line_breaks_and_emoji(tree: Tree) -> None:
    response = _post_json(Client(), "/api/content/public/reports", _report(explanation=ALLOWED))
    assert response.status_code == 201, response.content
    assert PublicReport.objects.get().explanation == ALLOWED.strip()


def test_public_report_api_answers_in_english_when_asked(tree: Tree) -> None:
    response = Client().post("/api/content/public/reports", data=json.dumps(_report(location="a\x00b")),
                             content_type="application/json", headers={"accept-language": "en"})
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "control character" in message
    assert "U+0000" in message
    assert "Character 2" in message


@pytest.mark.parametrize("number", ["AB%00CD", "AB%01CD", "JB-%0B"])
def test_public_lookup_with_a_control_character_in_the_path_is_not_found(tree: Tree, number: str) -> None:
    response = Client().get(f"/api/content/public/reports/{number}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_public_lookup_page_with_a_nul_is_refused_not_failed(tree: Tree) -> None:
    response = Client().get("/content/report/lookup/?ack_number=AB%00CD")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_failed_submissions_do_not_use_up_rate_limit_slots(tree: Tree, settings: Any) -> None:
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="10.9.9.9")
    for char in BAD:
        assert _post_json(client, "/api/content/public/reports", _report(explanation=f"x{char}")).status_code == 422
    for char in BAD[:-1]:  # a form post cannot carry a lone surrogate
        page = client.post("/content/report/", {**_report(explanation=f"x{char}"), "good_faith": "on"})
        assert page.status_code == 400
    assert _post_json(client, "/api/content/public/reports", _report(good_faith=False)).status_code == 422
    assert client.post("/content/report/", {**_report(), "good_faith": ""}).status_code == 400
    assert _post_json(client, "/api/content/public/reports", _report()).status_code == 201
    assert client.post("/content/report/", {**_report(), "good_faith": "on"}).status_code == 201
    assert _post_json(client, "/api/content/public/reports", _report()).status_code == 429  # now the limit


def test_a_report_refused_after_the_slot_was_counted_gives_the_slot_back(db: None, settings: Any) -> None:
    """No jurisdiction to file reports in: the report is refused with a message and the slot is not used up."""
    settings.YOUTHSAFE_REPORT_RATE_LIMIT = 1
    client = Client(REMOTE_ADDR="10.9.9.8")
    for _ in range(3):
        assert _post_json(client, "/api/content/public/reports", _report()).status_code == 422

    Jurisdiction.objects.create(code="JC", name="江城市", kind=JurisdictionKind.CITY)
    assert _post_json(client, "/api/content/public/reports", _report()).status_code == 201


# ---------------------------------------------------------------- the public report form (page)


@pytest.mark.parametrize("char", BAD[:-1], ids=BAD_IDS[:-1])  # a form post cannot carry a lone surrogate
def test_public_report_form_shows_the_error_beside_the_field(tree: Tree, char: str) -> None:
    response = Client().post("/content/report/", {**_report(explanation=f"骗{char}钱"), "good_faith": "on"})
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["explanation"]
    message = form.errors["explanation"][0]
    assert "控制字符" in message
    assert f"U+{ord(char):04X}" in message
    assert "第 2 个字符" in message
    assert PublicReport.objects.count() == 0


# ---------------------------------------------------------------- logged-in API operations


@pytest.fixture
def records(tree: Tree, admin: User) -> dict[str, int]:
    own = registry.do_create_platform(actor=admin, data={"name": "本辖区平台", "kind": "education",
                                                          "operator": "甲公司", "jurisdiction": tree.north})
    made = make_objects(tree=tree, admin=admin, own=own, other=own)
    return {**made, "platform": own.pk, "north": tree.north.pk}


def _cases() -> Iterator[tuple[str, str, Callable[[dict[str, int], str], dict[str, Any]], str]]:
    yield ("lead", "/api/leads/leads",
           lambda r, t: {"jurisdiction": r["north"], "source": "superior", "title": t, "summary": "摘要"}, "title")
    yield ("lead summary", "/api/leads/leads",
           lambda r, t: {"jurisdiction": r["north"], "source": "superior", "title": "标题", "summary": t}, "summary")
    yield ("outreach event", "/api/outreach/events",
           lambda r, t: {"kind": "school_lecture", "title": t, "held_on": "2026-03-01", "jurisdiction": r["north"]},
           "title")
    yield ("outreach material", "/api/outreach/events",
           lambda r, t: {"kind": "school_lecture", "title": "讲座", "held_on": "2026-03-01",
                         "jurisdiction": r["north"], "materials": [{"kind": t, "quantity": 1}]}, "materials")
    yield ("interview", "/api/supervision/platforms/{platform}/interviews",
           lambda r, t: {"kind": "R2", "held_on": "2026-03-01", "attendees": t, "matters": "约谈"}, "attendees")
    yield ("alert acknowledge", "/api/alerts/alerts/{alert}/acknowledge", lambda r, t: {"reason": t}, "reason")
    yield ("alert close", "/api/alerts/alerts/{alert}/close", lambda r, t: {"reason": t}, "reason")
    yield ("platform", "/api/registry/platforms",
           lambda r, t: {"name": t, "kind": "game", "operator": "丙公司", "jurisdiction": r["north"]}, "name")


CASES = list(_cases())


def _footprint() -> tuple[int, int, int, int]:
    alerts = tuple(Alert.objects.order_by("pk").values_list("status", "version"))
    return Lead.objects.count(), OutreachEvent.objects.count(), Interview.objects.count(), hash(alerts)


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\ud800"], ids=["NUL", "VT", "surrogate"])
@pytest.mark.parametrize(("name", "url", "body", "field"), CASES, ids=[c[0] for c in CASES])
def test_logged_in_operations_refuse_a_control_character(
    staff: Client, records: dict[str, int], name: str, url: str,
    body: Callable[[dict[str, int], str], dict[str, Any]], field: str, char: str,
) -> None:
    before = _footprint(), Platform.objects.count()
    response = _post_json(staff, url.format(**records), body(records, f"文字{char}文字"))
    _refused(response, field)
    assert (_footprint(), Platform.objects.count()) == before


def test_a_platform_patch_with_a_vertical_tab_is_refused(staff: Client, records: dict[str, int]) -> None:
    response = staff.patch(f"/api/registry/platforms/{records['platform']}", data=json.dumps({"name": "平台\x0b"}),
                           content_type="application/json")
    _refused(response, "name")
    assert Platform.objects.get(pk=records["platform"]).name == "本辖区平台"


# ---------------------------------------------------------------- query strings and paths


@pytest.mark.parametrize("url", ["/content/?q=%00", "/content/?q=a%0Bb", "/registry/?q=%00", "/alerts/?status=%00",
                                 "/leads/?status=%01", "/audit/?q=%00", "/content/?%00=1",
                                 "/supervision/inspections/?q=%00", "/outreach/?kind=%00"])
def test_a_page_with_a_control_character_in_the_query_is_a_clear_400(staff: Client, url: str) -> None:
    response = staff.get(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert "控制字符" in page
    assert "<nav" in page  # the ordinary layout, with the user's navigation


@pytest.mark.parametrize(("url", "param"), [("/api/content/items?status=%00", "status"),
                                             ("/api/registry/platforms?q=%00", "q"),
                                             ("/api/alerts/alerts?status=a%0Bb", "status"),
                                             ("/api/leads/leads?status=%00", "status"),
                                             ("/api/outreach/events?kind=%00", "kind"),
                                             ("/api/supervision/inspections?status=%00", "status"),
                                             ("/api/reports/indicators?jurisdiction=%00", "jurisdiction")])
def test_an_api_query_with_a_control_character_is_a_422(staff: Client, url: str, param: str) -> None:
    response = staff.get(url)
    assert response.status_code == 422, response.content[:300]
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("control_character", ["query", param])


@pytest.mark.parametrize("url", ["/registry/%00/", "/content/%00/", "/api/registry/platforms/%00",
                                 "/api/leads/leads/1%00", "/supervision/inspections/1%0B/"])
def test_a_path_with_a_control_character_is_not_found(staff: Client, url: str) -> None:
    assert staff.get(url).status_code == 404


# ---------------------------------------------------------------- pages (forms) of logged-in users


def test_lead_form_shows_the_error_in_chinese_and_stores_nothing(staff: Client, tree: Tree) -> None:
    response = staff.post("/leads/new/", {"jurisdiction": tree.north.pk, "source": "superior",
                                           "title": "标题\x01", "summary": "摘要"})
    assert response.status_code == 200
    assert "控制字符" in response.context["form"].errors["title"][0]
    assert Lead.objects.count() == 0


def test_platform_form_refuses_a_vertical_tab_in_the_name(staff: Client, tree: Tree) -> None:
    response = staff.post("/registry/new/", {"name": "星河\x0b学堂", "kind": "education", "operator": "甲公司",
                                             "jurisdiction": tree.north.pk, "status": "active",
                                             "registered_users": 0, "minor_users": 0})
    assert response.status_code == 200
    assert "U+000B" in response.context["form"].errors["name"][0]
    assert not Platform.objects.filter(name__startswith="星河").exists()


def test_report_template_form_refuses_a_control_character(staff: Client) -> None:
    rendering.ensure_defaults()
    template = ReportTemplate.objects.get(name="work_report")
    response = staff.post(f"/reports/templates/{template.pk}/", {
        "name": template.name, "title": template.title, "kind": template.kind, "version": template.version,
        "body": "# 报告\x01\n{{ period }}"})
    assert response.status_code == 200
    assert "U+0001" in response.context["form"].errors["body"][0]
    template.refresh_from_db()
    assert "\x01" not in template.body


def test_a_choice_field_with_a_nul_is_a_form_error_not_a_database_error(staff: Client, tree: Tree) -> None:
    response = staff.post("/leads/new/", {"jurisdiction": f"{tree.north.pk}\x00", "source": "superior",
                                           "title": "标题", "summary": "摘要"})
    assert response.status_code == 200
    assert "jurisdiction" in response.context["form"].errors


# ---------------------------------------------------------------- the rule is applied structurally


def _product_modules() -> None:
    for app in ["core", *django_settings.YOUTHSAFE_APPS]:
        for module in ("forms", "views", "actions", "api", "schemas", "filters"):
            try:
                importlib.import_module(f"youthsafe.{app}.{module}")
            except ModuleNotFoundError:
                continue


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_product_carries_the_rule() -> None:
    _product_modules()
    forms = {cls for cls in _subclasses(django_forms.BaseForm) if cls.__module__.startswith("youthsafe.")}
    assert len(forms) > 50
    missing = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in forms
                     if not issubclass(cls, InputRuleFormMixin))
    assert missing == [], f"derive these forms from youthsafe.core.inputrule.Form / ModelForm: {missing}"


def _models_in(annotation: Any) -> Iterator[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        yield from _models_in(getattr(meta, "annotation", None))


def test_every_api_input_schema_carries_the_rule() -> None:
    """Bodies, forms and query schemas of every operation: their schemas derive from InputSchema (plain path and
    query parameters are checked by the middleware, and no body is a bare string)."""
    missing, bare = [], []
    operations = 0
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                operations += 1
                for model in operation.models:
                    source = model.__ninja_param_source__
                    for name, field in model.model_fields.items():
                        found = list(_models_in(field.annotation))
                        if source in {"body", "form"} and not found:
                            bare.append(f"{operation.view_func.__name__}.{name}")
                        missing.extend(f"{operation.view_func.__name__}: {m.__name__}" for m in found
                                       if not issubclass(m, InputSchema))
    assert operations > 50
    assert missing == [], f"derive these input schemas from youthsafe.core.inputrule.InputSchema: {missing}"
    assert bare == [], f"wrap these body parameters in an InputSchema: {bare}"


def test_the_rule_is_the_intake_rule() -> None:
    """The same characters are refused as the intake of posts refuses (pipeline/records.py)."""
    differ = [code for code in range(0x10000) if (find(chr(code)) is None) != (bad_character(chr(code)) is None)]
    assert differ == []


@pytest.mark.parametrize("url", ["/dashboard/", "/api/alerts/alerts", "/content/report/"])
def test_a_session_cookie_with_a_nul_is_ignored_not_a_server_error(db: None, url: str) -> None:
    """The cookie parser turns ``"\\000"`` in a quoted cookie into a NUL; the session key is looked up in the
    database (a server error on PostgreSQL). Such a cookie was not set by this site: it is ignored and deleted."""
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    client.cookies["csrftoken"] = "x\x01y"
    response = client.get(url)
    assert response.status_code in {200, 302, 401}
    assert response.cookies["sessionid"].value == ""  # deleted in the answer


def test_django_s_own_bad_request_page_is_left_alone(db: None) -> None:
    """The rule's 400 page is its own template: Django's answer to a request it refuses before any user is known
    (an unknown Host) stays its plain 400, not a page that needs the user's navigation."""
    response = Client(HTTP_HOST="evil.example").get("/dashboard/")
    assert response.status_code == 400
