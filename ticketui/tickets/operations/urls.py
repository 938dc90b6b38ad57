from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:pk>/operations", views.operation_create_view, name="operate"),
    path("tickets/<int:pk>/operations/form", views.operation_form_view, name="operate-form"),
]
