from django.urls import path

from youthsafe.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.index, name="index"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/reveal/", views.post_reveal, name="post_reveal"),
    path("versions/", views.versions_page, name="versions"),
    path("versions/card/", views.model_card_page, name="model_card"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("dead-letters/<int:pk>/resolve/", views.dead_letter_resolve, name="dead_letter_resolve"),
    path("sources/<int:pk>/tokens/", views.source_tokens, name="source_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
