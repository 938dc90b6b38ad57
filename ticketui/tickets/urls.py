"""The tickets app's pages, one list of routes per capability, all named in the "tickets"
namespace (e.g. tickets:operate, tickets:bulk)."""

from django.urls import include, path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("tickets/track", views.ticket_track_view, name="track"),
    path("tickets/<int:pk>/", views.ticket_detail_view, name="detail"),
    path("tickets/<int:pk>/summary", views.ticket_status_view, name="summary"),
    path("tickets/<int:pk>/timeline", views.ticket_timeline_view, name="timeline"),
    path("", include("ticketui.tickets.operations.urls")),
    path("", include("ticketui.tickets.surveys.urls")),
    path("", include("ticketui.tickets.sync.urls")),
    path("", include("ticketui.tickets.bulk.urls")),
    path("", include("ticketui.tickets.conversation.urls")),
    path("", include("ticketui.tickets.ownership.urls")),
    path("", include("ticketui.tickets.saved_views.urls")),
]
