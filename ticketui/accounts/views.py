"""The user's own profile page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ProfileForm
from .selectors import profile_call_context, profile_of
from .services import UNKNOWN_LANGUAGE, profile_update
from .two_factor.selectors import two_factor_summary

PROFILE_SAVED = "Your preferences are saved."


@require_http_methods(["GET", "POST"])
def profile_view(request) -> HttpResponse:
    profile = profile_of(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, _(PROFILE_SAVED))
            return redirect("accounts:profile")
    else:
        initial = {}
        if profile is not None:
            initial = {
                "language": profile.language,
                "utc_offset_minutes": profile.utc_offset_minutes,
            }
        form = ProfileForm(initial=initial)
    context = {
        "form": form,
        "call_context": profile_call_context(user=request.user),
        "two_factor": two_factor_summary(user=request.user),
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@require_POST
def language_switch_view(request) -> HttpResponse:
    """The top bar's language switch: one click sets the profile's language (the interface and
    the upstream's answers), keeping the time zone, and returns to the page it came from."""
    language = request.POST.get("language", "")
    profile = profile_of(user=request.user)
    try:
        profile_update(
            user=request.user,
            language=language,
            utc_offset_minutes=profile.utc_offset_minutes if profile else None,
        )
    except ValidationError:
        return HttpResponseBadRequest(_(UNKNOWN_LANGUAGE))
    back = request.POST.get("next", "")
    # A path on this site only: redirect() would take any other word for a view's name.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("tickets:list")
    return redirect(back)
