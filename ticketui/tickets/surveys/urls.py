from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:pk>/survey", views.survey_panel_view, name="survey"),
    path("tickets/<int:pk>/survey/send", views.survey_create_view, name="survey-send"),
]
