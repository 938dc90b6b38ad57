"""Reads for two-factor sign-in: who must use it, who has enrolled, and the enrolment QR code."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# What a signed-in user who has given only a password must do next.
VERIFY = "verify"
ENROL = "enrol"


def two_factor_required(*, user: AbstractBaseUser) -> bool:
    """Staff, superusers and the members of TWO_FACTOR_REQUIRED_GROUPS must use a second factor."""
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=settings.TWO_FACTOR_REQUIRED_GROUPS).exists()


def two_factor_device(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they enrolled one."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def two_factor_groups() -> tuple[str, ...]:
    """The groups whose members must use a second factor (TWO_FACTOR_REQUIRED_GROUPS)."""
    return tuple(settings.TWO_FACTOR_REQUIRED_GROUPS)


# Set on a user by the authentication backend (both facts read with the user).
SECOND_STEP_MEMO = "_ticketui_second_step"


def second_step_facts() -> dict:
    """Annotations for a User queryset: whether the user enrolled an authenticator app, and
    whether one of their groups requires two-factor sign-in."""
    enrolled = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    in_group = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=two_factor_groups()
    )
    return {"second_factor_enrolled": Exists(enrolled), "second_factor_role": Exists(in_group)}


def second_step_of(*, user: AbstractBaseUser) -> str | None:
    """VERIFY for an enrolled user, ENROL for one who must enrol and has not, else None: in one
    query, since it is asked on every request of a user who has not given a second factor, or
    none when the request's user was read with the answer (ticketui.accounts.backends)."""
    facts = getattr(user, SECOND_STEP_MEMO, None)
    if facts is None:
        row = User.objects.filter(pk=user.pk).values(**second_step_facts()).first()
        facts = row and (row["second_factor_enrolled"], row["second_factor_role"])
    if facts is None:
        return None
    enrolled, in_group = facts
    if enrolled:
        return VERIFY
    if in_group or user.is_staff or user.is_superuser:
        return ENROL
    return None


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def recovery_device(*, user: AbstractBaseUser) -> StaticDevice | None:
    return StaticDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def enrolment_secret(*, device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


def enrolment_qr_code(*, device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code in a data: URI (no request leaves the page)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def two_factor_summary(*, user: AbstractBaseUser) -> dict:
    """What the profile page shows: on or off, since when, required or not, codes left."""
    device = two_factor_device(user=user)
    return {
        "device": device,
        "required": two_factor_required(user=user),
        "codes_left": recovery_codes_left(user=user) if device else 0,
    }
