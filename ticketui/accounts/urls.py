from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_view, name="profile"),
    path("language", views.language_switch_view, name="language"),
]
