from django.urls import path

from . import views

urlpatterns = [
    path("tickets/sync", views.sync_create_view, name="sync"),
    path("tickets/sync/latest", views.sync_latest_view, name="sync-latest"),
    path("tickets/sync/<int:pk>", views.sync_status_view, name="sync-status"),
]
