"""Length limits on free text (issue 16): every text field of every form and every API input schema has a maximum
length, no larger than the model field it is stored in, and a value over it is a clear error (422 with
``string_too_long`` in the API, an error beside the field on a page). Without one, a long value was a server error
on PostgreSQL (``varchar(n)``) and stored whole on SQLite."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms as django_forms
from django.db import models
from django.test import Client

from tests.alerts.access_routes import make_objects
from tests.conftest import Tree
from tests.core.test_input_rule import _product_modules, _subclasses
from tests.supervision.factories import platform
from youthsafe.alerts.api import IdentityIn, LabelIn, OutcomeIn
from youthsafe.alerts.models import Alert, IdentityRequest, Outcome, ReviewLabel
from youthsafe.content.api import ReportIn
from youthsafe.content.models import PublicReport
from youthsafe.core.inputrule import InputSchema
from youthsafe.core.models import User
from youthsafe.leads.api import LeadIn
from youthsafe.leads.models import Lead
from youthsafe.outreach.api import EventIn
from youthsafe.outreach.models import OutreachEvent
from youthsafe.registry import services
from youthsafe.registry.models import Platform
from youthsafe.registry.schemas import PlatformIn, PlatformPatch
from youthsafe.supervision.api import InterviewIn
from youthsafe.supervision.models import ChecklistItem, Interview
from youthsafe.supervision.services import inspections


def _product_forms() -> list[type[django_forms.BaseForm]]:
    _product_modules()
    return sorted((cls for cls in _subclasses(django_forms.BaseForm) if cls.__module__.startswith("youthsafe.")),
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_text_field_of_every_form_has_a_length_limit() -> None:
    missing = []
    for cls in _product_forms():
        for name, field in cls.base_fields.items():
            if isinstance(field, django_forms.CharField) and not isinstance(field.widget, django_forms.PasswordInput) \
                    and field.max_length is None:
                missing.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert missing == [], f"give these form fields a max_length: {missing}"


def _input_schemas() -> list[type[Any]]:
    _product_modules()
    return sorted(set(_subclasses(InputSchema)), key=lambda c: c.__name__)


def _strings(schema: dict[str, Any], defs: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every string in a JSON schema (through anyOf, arrays and references), with where it is."""
    if "$ref" in schema:
        yield from _strings(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, path)
        return
    for option in schema.get("anyOf", []):
        yield from _strings(option, defs, path)
    if schema.get("type") == "string":
        yield path, schema
    if schema.get("type") == "array":
        yield from _strings(schema.get("items", {}), defs, f"{path}[]")
    for name, prop in schema.get("properties", {}).items():
        yield from _strings(prop, defs, f"{path}.{name}")


def test_every_text_field_of_every_input_schema_has_a_length_limit() -> None:
    missing = []
    schemas = _input_schemas()
    assert len(schemas) >= 15
    for cls in schemas:
        document = cls.model_json_schema()
        for where, string in _strings(document, document.get("$defs", {}), cls.__name__):
            if "maxLength" not in string and "enum" not in string and "format" not in string:
                missing.append(where)
    assert missing == [], f"give these schema fields a max_length: {sorted(set(missing))}"


def _pairs() -> Iterator[tuple[type[Any], type[models.Model]]]:
    yield from ((PlatformIn, Platform), (PlatformPatch, Platform), (EventIn, OutreachEvent), (LeadIn, Lead),
                (ReportIn, PublicReport), (InterviewIn, Interview), (IdentityIn, IdentityRequest),
                (LabelIn, ReviewLabel), (OutcomeIn, Outcome))


@pytest.mark.parametrize(("schema", "model"), list(_pairs()), ids=lambda v: v.__name__)
def test_schema_limits_fit_the_model_fields(schema: type[Any], model: type[models.Model]) -> None:
    document = schema.model_json_schema()
    too_long = []
    fields = {f.name: f for f in model._meta.get_fields()}
    for name in document["properties"]:
        field = fields.get(name)  # a schema field may have no model field of that name
        if isinstance(field, models.CharField) and field.max_length:
            for _where, string in _strings(document["properties"][name], document.get("$defs", {}), name):
                limit = string.get("maxLength")
                if (limit is None and "enum" not in string) or (limit or 0) > field.max_length:
                    too_long.append((name, limit, field.max_length))
    assert too_long == []


# ---------------------------------------------------------------- the errors


@pytest.fixture
def staff(tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_user("administrator"))


@pytest.mark.django_db
def test_an_over_long_event_title_is_a_clear_422(staff: Client, tree: Tree) -> None:
    response = staff.post("/api/outreach/events", data=json.dumps({
        "kind": "school_lecture", "title": "讲" * 201, "held_on": "2026-03-01", "jurisdiction": tree.north.pk}),
        content_type="application/json")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"][-1], error["msg"]) == ("string_too_long", "title", "过长：最多 200。")
    assert not OutreachEvent.objects.exists()


@pytest.mark.django_db
def test_an_over_long_alert_reason_is_a_clear_422(staff: Client, tree: Tree, make_user: Callable[..., User]) -> None:
    admin = User.objects.get(role="administrator")
    own = services.do_create_platform(actor=admin, data={"name": "平台", "kind": "game", "operator": "甲",
                                                         "jurisdiction": tree.north})
    alert = make_objects(tree=tree, admin=admin, own=own, other=own)["alert"]
    before = Alert.objects.get(pk=alert).status
    response = staff.post(f"/api/alerts/alerts/{alert}/acknowledge", data=json.dumps({"reason": "因" * 4001}),
                          content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_too_long"
    assert Alert.objects.get(pk=alert).status == before


@pytest.mark.django_db
def test_an_over_long_note_on_a_page_is_an_error_beside_the_field(tree: Tree, make_user: Callable[..., User],
                                                                  login: Callable[[User], Client]) -> None:
    analyst = make_user("analyst", tree.north)
    made = inspections.do_create_inspection(platform(tree.north, make_user("administrator")), actor=analyst,
                                            inspected_on=dt.date(2026, 3, 2))
    item = made.items.filter(result="unchecked").first()
    assert item is not None
    response = login(analyst).post(f"/supervision/step/inspection_item/{item.pk}/",
                                   {"result": "passed", "note": "注" * 2001})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert ChecklistItem.objects.get(pk=item.pk).result == "unchecked"
