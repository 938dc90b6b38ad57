"""The team lead's reports, under /reports/."""

from django.urls import path

from ..surveys import views as survey_views
from . import views

app_name = "reports"
urlpatterns = [
    path("satisfaction", views.satisfaction_report_view, name="satisfaction"),
    path("satisfaction.csv", views.satisfaction_export_view, name="satisfaction_csv"),
    path("satisfaction/dimensions", survey_views.dimension_settings_view, name="dimensions"),
]
