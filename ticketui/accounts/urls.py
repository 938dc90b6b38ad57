from django.urls import path

from . import views
from .two_factor import views as two_factor

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile_view, name="profile"),
    path("language", views.language_switch_view, name="language"),
    path("two-factor/verify", two_factor.two_factor_verify_view, name="two-factor-verify"),
    path("two-factor/enrol", two_factor.two_factor_enrol_view, name="two-factor-enrol"),
    path("two-factor/recovery-codes", two_factor.recovery_codes_view, name="recovery-codes"),
    path("two-factor/disable", two_factor.two_factor_disable_view, name="two-factor-disable"),
]
