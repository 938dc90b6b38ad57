"""Reads for profiles: a user's profile, and the per-call upstream headers it implies."""

from datetime import timedelta, timezone, tzinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from ticketui.osm.client import CallContext
from ticketui.osm.headers import INTERFACE_LANGUAGE

from .models import Profile

# The profile as read once for this user object (one request, one command, one task): the
# middleware, the view and each upstream call made on the user's behalf all need it.
PROFILE_MEMO = "_ticketui_profile"


def profile_of(*, user: AbstractBaseUser | AnonymousUser | None) -> Profile | None:
    """The user's saved profile, or None (anonymous, or never saved one)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return getattr(user, PROFILE_MEMO)
    except AttributeError:
        profile = Profile.objects.filter(user_id=user.pk).first()
        setattr(user, PROFILE_MEMO, profile)
        return profile


def profile_call_context(*, user: AbstractBaseUser | AnonymousUser | None) -> CallContext:
    """X-Language and X-Time-Zone for a call made on this user's behalf, falling back to the
    team's defaults (OSM_LANGUAGE, OSM_TIME_ZONE) for what the profile leaves unset."""
    profile = profile_of(user=user)
    return CallContext(
        language=profile_language(profile=profile),
        time_zone=(profile and profile.header_time_zone) or settings.OSM_TIME_ZONE,
    )


def profile_display_zone(*, profile: Profile | None) -> tzinfo | None:
    """The time zone the dashboard shows this user's times in; None for the site default."""
    if profile is None or profile.utc_offset_minutes is None:
        return None
    return timezone(timedelta(minutes=profile.utc_offset_minutes), profile.header_time_zone)


def profile_language(*, profile: Profile | None) -> str:
    """The user's language as the upstream's X-Language code: the profile's choice, else the
    team's (OSM_LANGUAGE). The dashboard is shown to them in the same language."""
    return (profile and profile.language) or settings.OSM_LANGUAGE


def profile_interface_language(*, profile: Profile | None) -> str:
    """The interface language a signed-in user sees: the one their upstream calls ask for."""
    return INTERFACE_LANGUAGE[profile_language(profile=profile)]
