from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from youthsafe.core import observability, views
from youthsafe.core.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", observability.healthz, name="healthz"),
    path("metrics", observability.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/new/", views.jurisdiction_edit, name="jurisdiction_create"),
    path("jurisdictions/<int:pk>/edit/", views.jurisdiction_edit, name="jurisdiction_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("api/", api.urls),
    # Each app's pages under its own prefix (``urls``), and the few it serves at the root (``root_urls``: the
    # reports app's ``dashboard/``), listed as they are; core names no app.
    *(path(f"{app}/", include(f"youthsafe.{app}.urls")) for app in settings.YOUTHSAFE_APPS
      if find_spec(f"youthsafe.{app}.urls") is not None),
    *(page for app in settings.YOUTHSAFE_APPS if find_spec(f"youthsafe.{app}.root_urls") is not None
      for page in import_module(f"youthsafe.{app}.root_urls").urlpatterns),
]
