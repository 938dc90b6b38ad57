"""Writes for two-factor sign-in: enrolling an authenticator app, recovery codes, checking a
second-factor code (limited like passwords, and recorded in the audit trail), turning it off.

The TOTP key and the codes themselves are never logged, audited or put in an error message."""

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ticketui.audit.models import Kind, RecordOutcome
from ticketui.audit.services import NO_ORIGIN, Origin, audit_event

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP_CODE = re.compile(r"\d{6}")


class CodeCheck(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    WAIT = "wait"  # django-otp's growing delay after each wrong code
    LOCKED = "locked"  # AXES_FAILURE_LIMIT wrong codes in a row, for AXES_COOLOFF_TIME


@dataclass(frozen=True, kw_only=True)
class CodeOutcome:
    check: CodeCheck
    device: Device | None = None
    retry_at: datetime | None = None


def code_normalise(code: str) -> str:
    """Spaces and dashes are how people copy codes; recovery codes are lower case."""
    return re.sub(r"[\s-]", "", code).lower()[:32]


def two_factor_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's device being enrolled: the same key until it is confirmed, so reloading the
    enrolment page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def two_factor_enrolment_confirm(
    *, user: AbstractBaseUser, device: TOTPDevice, code: str
) -> list[str] | None:
    """Confirm the device with its first code; returns the new recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user_id=user.pk)
    if device.confirmed or not device.verify_token(code_normalise(code)):
        return None
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: AbstractBaseUser) -> list[str]:
    """A new set of one-time recovery codes; every older one stops working (also a code an
    administrator made with `manage.py addstatictoken`)."""
    StaticToken.objects.filter(device__user_id=user.pk).delete()
    device = StaticDevice.objects.filter(user_id=user.pk, name=RECOVERY_NAME).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _locked_until(devices: list[Device]) -> datetime | None:
    failures = sum(device.throttling_failure_count for device in devices)
    stamps = [d.throttling_failure_timestamp for d in devices if d.throttling_failure_timestamp]
    if failures < settings.AXES_FAILURE_LIMIT or not stamps:
        return None
    until = max(stamps) + settings.AXES_COOLOFF_TIME
    return until if until > timezone.now() else None


def second_factor_locked_until(*, user: AbstractBaseUser) -> datetime | None:
    """When the user may try codes again after too many wrong ones; None if they may now."""
    devices = [
        *TOTPDevice.objects.filter(user_id=user.pk, confirmed=True),
        *StaticDevice.objects.filter(user_id=user.pk, confirmed=True),
    ]
    return _locked_until(devices)


@transaction.atomic
def second_factor_check(
    *, user: AbstractBaseUser, code: str, origin: Origin = NO_ORIGIN
) -> CodeOutcome:
    """Check a code from the authenticator app (six digits) or a recovery code (used up).

    A TOTP code is accepted once (django-otp keeps the last time step used); wrong codes count
    per user across both kinds, so AXES_FAILURE_LIMIT of them in a row lock second-factor sign-in
    for AXES_COOLOFF_TIME. Every wrong code and every lock goes into the audit trail."""
    totp = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
    if totp is None:
        return CodeOutcome(check=CodeCheck.WRONG)
    statics = list(StaticDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True))
    devices = [totp, *statics]
    if until := _locked_until(devices):
        _record_failure(user=user, detail="Second factor: refused, locked out", origin=origin)
        return CodeOutcome(check=CodeCheck.LOCKED, retry_at=until)
    code = code_normalise(code)
    if TOTP_CODE.fullmatch(code):
        device = totp
    else:  # the recovery device holding this code, or any (for the failure to count)
        holding = [d for d in statics if d.token_set.filter(token=code).exists()]
        device = next(iter(holding or statics), None)
    if device is not None:
        allowed, throttled = device.verify_is_allowed()
        if not allowed:
            return CodeOutcome(check=CodeCheck.WAIT, retry_at=throttled.get("locked_until"))
        if device.verify_token(code):
            for other in devices:
                other.throttle_reset()
            kind = "authenticator app" if device is totp else "recovery code"
            audit_event(kind=Kind.LOGIN, actor=user, detail=f"Second factor: {kind}", origin=origin)
            return CodeOutcome(check=CodeCheck.ACCEPTED, device=device)
    else:
        totp.throttle_increment()  # a malformed code still counts against the user
    failures = sum(device.throttling_failure_count for device in devices)
    _record_failure(
        user=user,
        detail=f"Second factor: wrong code ({failures} of {settings.AXES_FAILURE_LIMIT})",
        origin=origin,
    )
    if until := _locked_until(devices):
        return CodeOutcome(check=CodeCheck.LOCKED, retry_at=until)
    return CodeOutcome(check=CodeCheck.WRONG)


def _record_failure(*, user: AbstractBaseUser, detail: str, origin: Origin) -> None:
    audit_event(
        kind=Kind.LOGIN_FAILED,
        actor=user,
        outcome=RecordOutcome.FAILED,
        detail=detail,
        origin=origin,
    )


@transaction.atomic
def two_factor_disable(*, user: AbstractBaseUser) -> None:
    """Remove the authenticator app and the recovery codes (the caller checked a code)."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()
