"""Pages of the reports app at the root of the site (core/urls.py includes each app's ``root_urls``)."""

from django.urls import path

from youthsafe.reports.dashboard import dashboard_page

urlpatterns = [
    path("dashboard/", dashboard_page, name="dashboard"),
]
