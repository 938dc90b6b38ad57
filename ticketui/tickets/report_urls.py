"""The team lead's reports, under /reports/."""

from django.urls import path

from . import survey_views

app_name = "reports"
urlpatterns = [
    path("satisfaction", survey_views.satisfaction_report_view, name="satisfaction"),
    path("satisfaction.csv", survey_views.satisfaction_export_view, name="satisfaction_csv"),
    path("satisfaction/dimensions", survey_views.dimension_settings_view, name="dimensions"),
]
