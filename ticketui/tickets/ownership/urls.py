from django.urls import path

from . import views

urlpatterns = [
    path("tickets/<int:pk>/claim", views.ticket_claim_view, name="claim"),
    path("tickets/<int:pk>/owner", views.ticket_assign_view, name="assign"),
]
