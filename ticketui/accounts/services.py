"""Writes for profiles."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from .models import LANGUAGE_CHOICES, TIME_ZONE_CHOICES, Profile
from .selectors import PROFILE_MEMO

UNKNOWN_LANGUAGE = "Choose zh-cn or en-us, or the team default."
UNKNOWN_TIME_ZONE = "Choose one of the listed UTC offsets, or the team default."


def profile_update(
    *, user: AbstractBaseUser, language: str, utc_offset_minutes: int | None
) -> Profile:
    """Save the user's preferences; empty values mean "the team default"."""
    errors = {}
    if language and language not in dict(LANGUAGE_CHOICES):
        errors["language"] = [UNKNOWN_LANGUAGE]
    if utc_offset_minutes is not None and utc_offset_minutes not in dict(TIME_ZONE_CHOICES):
        errors["utc_offset_minutes"] = [UNKNOWN_TIME_ZONE]
    if errors:
        raise ValidationError(errors)
    profile, _ = Profile.objects.update_or_create(
        user=user, defaults={"language": language, "utc_offset_minutes": utc_offset_minutes}
    )
    setattr(user, PROFILE_MEMO, profile)  # what the rest of this request reads
    return profile
