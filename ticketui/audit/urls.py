from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list_view, name="list"),
    path("<int:pk>/", views.record_detail_view, name="detail"),
]
