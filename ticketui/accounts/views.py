"""The user's own profile page."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm
from .selectors import profile_call_context, profile_of
from .services import profile_update

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
    context = {"form": form, "call_context": profile_call_context(user=request.user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)
