import math

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .login_throttle import login_failure_record, login_success_record, login_wait
from .models import LANGUAGE_CHOICES, TIME_ZONE_CHOICES
from .services import UNKNOWN_LANGUAGE, UNKNOWN_TIME_ZONE


class ProfileForm(forms.Form):
    language = forms.TypedChoiceField(
        label=_("Language"),
        required=False,
        empty_value="",
        error_messages={"invalid_choice": UNKNOWN_LANGUAGE},
        help_text=_("Huawei Cloud answers in this language (X-Language)."),
    )
    utc_offset_minutes = forms.TypedChoiceField(
        label=_("Time zone"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": UNKNOWN_TIME_ZONE},
        help_text=_(
            "Times on the dashboard are shown in it, and Huawei Cloud is told it (X-Time-Zone). "
            "Daylight saving is not applied: choose the offset you keep now."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        team_language = _("Team default (%(value)s)") % {"value": settings.OSM_LANGUAGE}
        team_zone = _("Team default (%(value)s)") % {"value": settings.OSM_TIME_ZONE}
        self.fields["language"].choices = [("", team_language), *LANGUAGE_CHOICES]
        self.fields["utc_offset_minutes"].choices = [("", team_zone), *TIME_ZONE_CHOICES]


LOGIN_SLOWED = _(
    "Too many failed sign-ins for this user. Wait %(seconds)s seconds, then try again."
)


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing at once while the username's wait lasts (login_throttle.py)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if username and (wait := login_wait(username=username)):
            raise ValidationError(LOGIN_SLOWED, code="slowed", params={"seconds": math.ceil(wait)})
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if username and getattr(error, "code", None) == "invalid_login":
                login_failure_record(username=username)
            raise
        if username:
            login_success_record(username=username)
        return cleaned
