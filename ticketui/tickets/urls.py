from django.urls import path

from . import bulk_views, survey_views, views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("tickets/track", views.ticket_track_view, name="track"),
    path("tickets/<int:pk>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:pk>/summary", views.ticket_status_view, name="summary"),
    path("tickets/<int:pk>/timeline", views.ticket_timeline_view, name="timeline"),
    path("tickets/<int:pk>/operations", views.operation_create_view, name="operate"),
    path("tickets/sync", views.sync_create_view, name="sync"),
    path("tickets/sync/<int:pk>", views.sync_status_view, name="sync-status"),
    path("tickets/<int:pk>/survey", survey_views.survey_panel_view, name="survey"),
    path("tickets/<int:pk>/rating", survey_views.rating_create_view, name="rate"),
    path("bulk/", bulk_views.bulk_list_view, name="bulk-list"),
    path("bulk/new", bulk_views.bulk_create_view, name="bulk-create"),
    path("bulk/<int:pk>/", bulk_views.bulk_detail_view, name="bulk"),
    path("bulk/<int:pk>/cancel", bulk_views.bulk_cancel_view, name="bulk-cancel"),
    path("bulk/<int:pk>/resume", bulk_views.bulk_resume_view, name="bulk-resume"),
    path("bulk/<int:pk>/export.csv", bulk_views.bulk_export_view, name="bulk-export"),
]
