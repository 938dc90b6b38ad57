"""Shows each signed-in user the dashboard in the language and time zone of their profile.
Without a saved language they see the team's (OSM_LANGUAGE), the one the upstream is asked to
answer them in; only pages shown before signing in follow the browser (LocaleMiddleware)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .selectors import profile_display_zone, profile_interface_language, profile_of


class ProfileTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        profile = profile_of(user=user)
        if user is not None and user.is_authenticated:
            language = profile_interface_language(profile=profile)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        zone = profile_display_zone(profile=profile)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
