from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ticketui.accounts.forms import ThrottledAuthenticationForm
from ticketui.health import health_view, live_view
from ticketui.metrics.views import metrics_view

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("ticketui.accounts.urls")),
    path("audit/", include("ticketui.audit.urls")),
    path("reports/", include("ticketui.tickets.reports.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health_view, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("livez", live_view, name="live"),
    path("", include("ticketui.tickets.urls")),
]
