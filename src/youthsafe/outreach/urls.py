from django.urls import path

from youthsafe.outreach import actions, views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    *(path(f"<int:pk>/{route}/", actions.STEPS.page(name), name=name) for name, route in actions.PATHS.items()),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
