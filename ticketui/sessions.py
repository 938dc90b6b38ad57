"""Session lifetime: an idle limit (no request for SESSION_IDLE_SECONDS) and an absolute one
(SESSION_COOKIE_AGE after login), whichever comes first; and no copy of a signed-in page or
export kept by a browser or a proxy (`Cache-Control: private, no-store`)."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

LAST_SEEN_KEY = "ticketui_last_seen"
STARTED_KEY = "ticketui_started"
# The idle clock is written at most this often, so that not every request saves the session.
TOUCH_EVERY_SECONDS = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED_KEY, now)
            last_seen = session.get(LAST_SEEN_KEY, now)
            if (
                now - last_seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                login_url = f"{reverse('login')}?next={request.path}"
                if request.headers.get("HX-Request"):
                    response = redirect(login_url)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(login_url)
            if now - last_seen >= TOUCH_EVERY_SECONDS or LAST_SEEN_KEY not in session:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Every response the application itself makes (static files are served before it, by
    whitenoise, with their long cache) is `private, no-store` unless its view chose otherwise
    (/healthz: no-cache): a signed-in page or an export must not stay in a shared cache or on
    a shared computer's disk, and a back button after logout must not show it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
