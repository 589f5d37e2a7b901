from django.urls import path

from youthsafe.leads import actions, views

app_name = "leads"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("received/", views.received, name="received"),
    path("dispatches/", views.dispatch_list, name="dispatch_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/item/", views.to_item, name="to_item"),
    path("<int:pk>/case/", views.open_case, name="open_case"),
    *(path(route, actions.STEPS.page(name), name=name) for name, route in actions.PATHS.items()),
]
