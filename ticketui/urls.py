from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from ticketui.accounts.forms import ThrottledAuthenticationForm
from ticketui.admin_site import DashboardAdminSite
from ticketui.health import health_view, live_view
from ticketui.metrics.views import metrics_view

# The admin admits only sessions that gave the second factor, and signs in through the
# dashboard's own login (password, then the second factor) instead of a form of its own.
admin.site.__class__ = DashboardAdminSite

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
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("healthz", health_view, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("livez", live_view, name="live"),
    path("", include("ticketui.tickets.urls")),
]
