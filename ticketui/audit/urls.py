from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list_view, name="list"),
    path("export.csv", views.record_export_view, name="export"),
    path("head.txt", views.chain_head_view, name="head"),
    path("<int:pk>/", views.record_detail_view, name="detail"),
]
