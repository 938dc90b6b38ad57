"""The second step of signing in, enrolling an authenticator app, recovery codes, and turning
two-factor sign-in off (only for those whose role does not require it)."""

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from ticketui.audit.services import Origin

from .forms import CodeForm, FirstCodeForm
from .selectors import enrolment_qr_code, enrolment_secret, two_factor_device, two_factor_required
from .services import (
    CodeCheck,
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_locked_until,
    two_factor_disable,
    two_factor_enrolment_confirm,
    two_factor_enrolment_start,
)

WRONG_CODE = gettext_noop(
    "That code is not right. Check the time on your phone and try the newest code."
)
WAIT = gettext_noop(
    "Too many wrong codes in a row: wait a few seconds, then enter the newest code."
)
FIRST_CODE_WRONG = gettext_noop("That code does not match. Enter the six digits the app shows now.")
TURNED_OFF = gettext_noop("Two-factor sign-in is off.")
ALREADY_ENROLLED = gettext_noop("Two-factor sign-in is already on.")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would take any other word for a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _signed_in(request: HttpRequest, device) -> None:
    request.session.cycle_key()  # a new session id once both factors are given
    django_otp.login(request, device)


def _locked_out(request: HttpRequest, until) -> HttpResponse:
    logout(request)
    return render(request, "accounts/two_factor_locked.html", {"until": until}, status=429)


@require_http_methods(["GET", "POST"])
def two_factor_verify_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified() or two_factor_device(user=request.user) is None:
        return redirect(_next_url(request))
    if until := second_factor_locked_until(user=request.user):
        return _locked_out(request, until)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = second_factor_check(
            user=request.user, code=form.cleaned_data["code"], origin=Origin.of(request)
        )
        if outcome.check is CodeCheck.ACCEPTED:
            _signed_in(request, outcome.device)
            return redirect(_next_url(request))
        if outcome.check is CodeCheck.LOCKED:
            return _locked_out(request, outcome.retry_at)
        form.add_error("code", _(WAIT if outcome.check is CodeCheck.WAIT else WRONG_CODE))
    context = {"form": form, "next": _next_url(request), "second_step": True}
    # A wrong code answers 200, as a wrong password does on the login page.
    return render(request, "accounts/two_factor_verify.html", context)


@require_http_methods(["GET", "POST"])
def two_factor_enrol_view(request: HttpRequest) -> HttpResponse:
    if two_factor_device(user=request.user) is not None:
        messages.info(request, _(ALREADY_ENROLLED))
        return redirect("accounts:profile")
    device = two_factor_enrolment_start(user=request.user)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor_enrolment_confirm(
            user=request.user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            _signed_in(request, device)
            context = {"codes": codes, "next": _next_url(request), "enrolled": True}
            return render(request, "accounts/two_factor_recovery_codes.html", context)
        form.add_error("code", _(FIRST_CODE_WRONG))
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": enrolment_qr_code(device=device),
        "secret": enrolment_secret(device=device),
        # Someone who must enrol can go nowhere else; someone who chose to may go back.
        "second_step": two_factor_required(user=request.user),
    }
    status = 400 if form.errors else 200
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    if two_factor_device(user=request.user) is None:
        return redirect("accounts:two-factor-enrol")
    codes = recovery_codes_regenerate(user=request.user)
    context = {"codes": codes, "next": "/", "enrolled": False}
    return render(request, "accounts/two_factor_recovery_codes.html", context)


@require_POST
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    """Only for users whose role leaves it optional, and only with a current code."""
    if two_factor_device(user=request.user) is None:
        return redirect("accounts:profile")
    if two_factor_required(user=request.user):
        raise PermissionDenied
    form = CodeForm(request.POST)
    if form.is_valid():
        outcome = second_factor_check(
            user=request.user, code=form.cleaned_data["code"], origin=Origin.of(request)
        )
        if outcome.check is CodeCheck.LOCKED:
            return _locked_out(request, outcome.retry_at)
        if outcome.check is CodeCheck.ACCEPTED:
            two_factor_disable(user=request.user)
            messages.success(request, _(TURNED_OFF))
            return redirect("accounts:profile")
    messages.error(request, _(WRONG_CODE))
    return redirect("accounts:profile")
