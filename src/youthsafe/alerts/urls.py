from django.urls import path

from youthsafe.alerts import actions, views

app_name = "alerts"

urlpatterns = [
    path("", views.index, name="index"),
    path("escalated/", views.escalated, name="escalated"),
    path("received/", views.received, name="received"),
    path("export.json", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    # Steps on an alert: /alerts/<pk>/<step>/; steps on a dispatch, identity request or follow-up:
    # /alerts/<record>/<pk>/<step>/.
    *(path(f"<int:pk>/{name}/" if a.model == "alert" else f"{a.model}/<int:pk>/{name}/", actions.STEPS.page(name),
           name=name) for name, a in actions.ACTIONS.items()),
]
