from django.urls import path

from youthsafe.leads import views

app_name = "leads"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("received/", views.received, name="received"),
    path("dispatches/", views.dispatch_list, name="dispatch_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/check/", views.case_check, name="case_check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/report-upward/", views.report_upward, name="report_upward"),
    path("<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/item/", views.to_item, name="to_item"),
    path("<int:pk>/case/", views.open_case, name="open_case"),
    path("dispatch/<int:pk>/acknowledge/", views.dispatch_ack, name="dispatch_ack"),
    path("dispatch/<int:pk>/feedback/", views.dispatch_feedback, name="dispatch_feedback"),
]
