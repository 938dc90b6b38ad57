from django.urls import path

from . import views

urlpatterns = [
    path("views/", views.saved_view_list_view, name="views"),
    path("views/new", views.saved_view_create_view, name="view-create"),
    path("views/<int:pk>/", views.saved_view_change_view, name="view-change"),
    path("views/<int:pk>/delete", views.saved_view_delete_view, name="view-delete"),
]
