"""Shows each signed-in user the dashboard in the language and time zone of their profile.
Without a saved language the browser's preference (LocaleMiddleware) stands."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .selectors import profile_display_zone, profile_interface_language, profile_of


class ProfileTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = profile_of(user=getattr(request, "user", None))
        if language := profile_interface_language(profile=profile):
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
