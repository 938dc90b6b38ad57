from django.urls import path

from . import views

urlpatterns = [
    path("bulk/", views.bulk_list_view, name="bulk-list"),
    path("bulk/new", views.bulk_create_view, name="bulk-create"),
    path("bulk/confirm", views.bulk_preview_view, name="bulk-preview"),
    path("bulk/<int:pk>/", views.bulk_detail_view, name="bulk"),
    path("bulk/<int:pk>/cancel", views.bulk_cancel_view, name="bulk-cancel"),
    path("bulk/<int:pk>/resume", views.bulk_resume_view, name="bulk-resume"),
    path("bulk/<int:pk>/export.csv", views.bulk_export_view, name="bulk-export"),
]
