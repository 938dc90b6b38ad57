"""Between the password and the second factor a user can reach only the second step: the code
page if they enrolled, the enrolment page if their role requires two-factor sign-in and they have
not enrolled yet. Everything else, the admin included, sends them there."""

from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import ENROL, second_step_of


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def open_paths(self) -> frozenset[str]:
        """What a user half-way through signing in may still reach."""
        names = ("accounts:two-factor-verify", "accounts:two-factor-enrol", "logout")
        return frozenset({*(reverse(name) for name in names), reverse("accounts:language")})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and request.path_info not in self.open_paths
        ):
            step = second_step_of(user=user)
            if step is not None:
                return self.second_step(request, step)
        return self.get_response(request)

    def second_step(self, request: HttpRequest, step: str) -> HttpResponse:
        name = "accounts:two-factor-enrol" if step == ENROL else "accounts:two-factor-verify"
        url = reverse(name)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        response = redirect(url)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = url
        return response
