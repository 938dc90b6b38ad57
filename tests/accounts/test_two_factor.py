"""Two-factor sign-in: enrolment, the second step after the password, recovery codes, the limit
on wrong codes, and the admin behind it. Each test signs in for real (password, then code)."""

import logging
import re
from base64 import b32encode

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import enrolled_device, force_login_password_only, totp_code
from tests.i18n.test_chinese_pages import english_catalog_strings, visible_text
from ticketui.accounts.models import Profile
from ticketui.accounts.two_factor.services import RECOVERY_CODE_COUNT, recovery_codes_regenerate
from ticketui.audit.models import AuditRecord, Kind

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
VERIFY = "/accounts/two-factor/verify"
ENROL = "/accounts/two-factor/enrol"


@pytest.fixture(autouse=True)
def _no_growing_delay(settings):
    """django-otp's growing wait between wrong codes (1, 2, 4 s...) is tested on its own below."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def password_step(client, user: User, follow: bool = False):
    return client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=follow
    )


def code_of(device: TOTPDevice) -> str:
    return totp_code(device)


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows for the key typed in from the enrolment page."""
    from base64 import b32decode

    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{TOTP(b32decode(key)).token():06d}"


def test_a_team_lead_is_sent_to_enrolment_right_after_the_password(client, team_lead):
    response = password_step(client, team_lead)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == f"{ENROL}?next=%2F"
    assert client.get("/audit/")["Location"].startswith(ENROL)
    assert client.get("/accounts/profile/")["Location"].startswith(ENROL)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200
    assert b"Your role requires a second factor" in page.content


def test_enrolment_shows_the_qr_code_and_key_and_takes_a_first_code(client, team_lead):
    password_step(client, team_lead)
    page = client.get(f"{ENROL}?next=/audit/")
    secret = page.context["secret"]
    device = TOTPDevice.objects.get(user=team_lead)

    assert page.context["qr_code"].startswith("data:image/svg+xml")
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")
    assert secret in page.content.decode()
    assert not device.confirmed

    wrong = client.post(ENROL, {"code": "000000", "next": "/audit/"})
    assert wrong.status_code == 400
    assert client.get("/")["Location"].startswith(ENROL)

    done = client.post(ENROL, {"code": code_from_secret(secret), "next": "/audit/"})

    assert done.status_code == 200
    assert len(done.context["codes"]) == RECOVERY_CODE_COUNT
    assert all(code in done.content.decode() for code in done.context["codes"])
    assert secret not in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/audit/").status_code == 200


def test_reloading_the_enrolment_page_keeps_the_key_already_scanned(client, team_lead):
    password_step(client, team_lead)

    assert client.get(ENROL).context["secret"] == client.get(ENROL).context["secret"]
    assert TOTPDevice.objects.filter(user=team_lead).count() == 1


def test_an_enrolled_user_gives_a_code_after_the_password_on_every_sign_in(client, team_lead):
    device = enrolled_device(team_lead)
    password_step(client, team_lead)

    assert client.get("/audit/")["Location"] == f"{VERIFY}?next=%2Faudit%2F"
    response = client.post(VERIFY, {"code": code_of(device), "next": "/audit/"})

    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    logins = AuditRecord.objects.filter(kind=Kind.LOGIN, actor=team_lead)
    assert sorted(logins.values_list("detail", flat=True)) == [
        "",  # the password
        "Second factor: authenticator app",
    ]


def test_a_wrong_code_is_refused_recorded_and_leaves_the_dashboard_closed(client, team_lead):
    enrolled_device(team_lead)
    password_step(client, team_lead)

    response = client.post(VERIFY, {"code": "123456"})

    assert b"That code is not right" in response.content
    assert client.get("/")["Location"].startswith(VERIFY)
    failure = AuditRecord.objects.get(kind=Kind.LOGIN_FAILED, actor=team_lead)
    assert failure.detail == "Second factor: wrong code (1 of 5)"
    assert "123456" not in str(failure.__dict__)


def test_a_code_cannot_be_used_twice(client, team_lead):
    device = enrolled_device(team_lead)
    code = code_of(device)
    password_step(client, team_lead)
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")

    password_step(client, team_lead)
    replay = client.post(VERIFY, {"code": code})

    assert b"That code is not right" in replay.content
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_recovery_code_signs_in_once(client, team_lead):
    enrolled_device(team_lead)
    codes = recovery_codes_regenerate(user=team_lead)
    password_step(client, team_lead)

    assert client.post(VERIFY, {"code": codes[0].upper()})["Location"] == "/"
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=team_lead).count() == RECOVERY_CODE_COUNT - 1
    client.post("/accounts/logout/")

    password_step(client, team_lead)
    assert b"That code is not right" in client.post(VERIFY, {"code": codes[0]}).content
    assert client.post(VERIFY, {"code": codes[1]})["Location"] == "/"


def test_new_recovery_codes_invalidate_the_old_ones(client, team_lead):
    device = enrolled_device(team_lead)
    old = recovery_codes_regenerate(user=team_lead)
    password_step(client, team_lead)
    client.post(VERIFY, {"code": code_of(device)})

    page = client.post("/accounts/two-factor/recovery-codes")

    new = page.context["codes"]
    assert len(new) == RECOVERY_CODE_COUNT
    assert not set(old) & set(new)
    client.post("/accounts/logout/")
    password_step(client, team_lead)
    assert b"That code is not right" in client.post(VERIFY, {"code": old[0]}).content
    assert client.post(VERIFY, {"code": new[0]})["Location"] == "/"


def test_five_wrong_codes_in_a_row_lock_second_factor_sign_in(client, team_lead, settings):
    settings.AXES_FAILURE_LIMIT = 5
    device = enrolled_device(team_lead)
    password_step(client, team_lead)
    for _ in range(4):
        assert b"That code is not right" in client.post(VERIFY, {"code": "000000"}).content

    locked = client.post(VERIFY, {"code": "000000"})

    assert locked.status_code == 429
    assert b"Too many wrong codes" in locked.content
    assert client.get("/")["Location"].startswith("/accounts/login/")  # signed out
    password_step(client, team_lead)
    assert client.get(VERIFY).status_code == 429
    password_step(client, team_lead)
    assert client.post(VERIFY, {"code": code_of(device)}).status_code == 429
    details = list(
        AuditRecord.objects.filter(kind=Kind.LOGIN_FAILED, actor=team_lead)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details[:5] == [f"Second factor: wrong code ({n} of 5)" for n in range(1, 6)]


def test_the_lock_ends_after_the_cooloff_and_a_right_code_resets_the_count(
    client, team_lead, settings
):
    device = enrolled_device(team_lead)
    password_step(client, team_lead)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})
    settings.AXES_COOLOFF_TIME = settings.AXES_COOLOFF_TIME * 0

    password_step(client, team_lead)
    assert client.post(VERIFY, {"code": code_of(device)})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_codes_tried_too_quickly_after_a_wrong_one_are_not_checked(client, team_lead, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = enrolled_device(team_lead)
    password_step(client, team_lead)
    client.post(VERIFY, {"code": "000000"})

    response = client.post(VERIFY, {"code": code_of(device)})

    assert b"wait a few seconds" in response.content
    assert client.get("/")["Location"].startswith(VERIFY)


def test_an_agent_signs_in_with_the_password_alone_until_they_turn_it_on(client, support_user):
    password_step(client, support_user)

    assert client.get("/").status_code == 200
    profile = client.get("/accounts/profile/")
    assert b"Turn on two-factor sign-in" in profile.content


def test_an_agent_turns_it_on_and_off_again_with_a_code(client, support_user):
    password_step(client, support_user)
    enrol = client.get(ENROL)
    assert b"Your role requires" not in enrol.content
    assert b"Audit log" in enrol.content or b"My activity" in enrol.content  # may go back
    secret = enrol.context["secret"]
    client.post(ENROL, {"code": code_from_secret(secret)})
    device = TOTPDevice.objects.get(user=support_user, confirmed=True)
    assert b"recovery codes left" in client.get("/accounts/profile/").content

    wrong = client.post("/accounts/two-factor/disable", {"code": "000000"}, follow=True)
    assert b"That code is not right" in wrong.content
    assert TOTPDevice.objects.filter(user=support_user).exists()

    client.post("/accounts/two-factor/disable", {"code": code_of(device)})

    assert not TOTPDevice.objects.filter(user=support_user).exists()
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    password_step(client, support_user)
    assert client.get("/").status_code == 200


def test_a_team_lead_cannot_turn_it_off(client, team_lead):
    device = enrolled_device(team_lead)
    password_step(client, team_lead)
    client.post(VERIFY, {"code": code_of(device)})

    response = client.post("/accounts/two-factor/disable", {"code": code_of(device)})

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=team_lead).exists()
    assert b"Turn off" not in client.get("/accounts/profile/").content


def test_the_admin_needs_the_second_factor_too(client):
    root = User.objects.create_superuser("root", password=PASSWORD)
    assert client.get("/admin/login/?next=/admin/")["Location"] == ("/accounts/login/?next=/admin/")
    password_step(client, root)
    assert client.get("/admin/")["Location"].startswith(ENROL)
    secret = client.get(ENROL).context["secret"]
    client.post(ENROL, {"code": code_from_secret(secret)})

    assert client.get("/admin/").status_code == 200


def test_the_admin_turns_away_a_session_that_skipped_the_second_factor(client, settings):
    """Even without the middleware's redirect, the admin site itself wants a verified session."""
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("SecondFactorMiddleware")
    ]
    root = User.objects.create_superuser("root", password=PASSWORD)
    force_login_password_only(client, root)

    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_key_never_reaches_the_logs_or_the_audit_trail(client, team_lead, caplog):
    caplog.set_level(logging.DEBUG)
    password_step(client, team_lead)
    secret = client.get(ENROL).context["secret"].replace(" ", "")
    client.post(ENROL, {"code": "000000"})
    client.post(ENROL, {"code": code_from_secret(secret)})
    key = TOTPDevice.objects.get(user=team_lead).key

    for record in AuditRecord.objects.all():
        text = str(record.__dict__)
        assert key not in text
        assert secret not in text
    assert key not in caplog.text
    assert secret not in caplog.text
    assert secret not in client.get("/accounts/profile/").content.decode().replace(" ", "")


def test_the_two_factor_pages_in_chinese_leave_no_interface_string_in_english(client, support_user):
    Profile.objects.create(user=support_user, language="zh-cn")
    force_login_password_only(client, support_user)
    strings = english_catalog_strings()
    enrol = client.get(ENROL)
    secret = enrol.context["secret"]
    codes = client.post(ENROL, {"code": code_from_secret(secret)})
    client.post("/accounts/logout/")
    force_login_password_only(client, support_user)
    pages = {
        "enrol": enrol,
        "codes": codes,
        "verify": client.get(VERIFY),
        "wrong": client.post(VERIFY, {"code": "000000"}),
    }
    client.post(VERIFY, {"code": code_of(TOTPDevice.objects.get(user=support_user))})
    pages["profile"] = client.get("/accounts/profile/")

    with translation.override("zh-hans"):
        for name, page in pages.items():
            text = visible_text(page.content.decode())
            left = sorted(
                s for s in strings if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)
            )
            assert not left, f"{name}: {left}"
            assert "两步" in text, name


def test_a_code_an_administrator_made_on_the_server_signs_in_once(client, team_lead):
    from io import StringIO

    from django.core.management import call_command

    enrolled_device(team_lead)
    recovery_codes_regenerate(user=team_lead)
    out = StringIO()
    call_command("addstatictoken", team_lead.username, stdout=out)
    code = out.getvalue().strip()
    password_step(client, team_lead)

    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    recovery_codes_regenerate(user=team_lead)
    assert not StaticToken.objects.filter(token=code).exists()


def test_the_admin_does_not_show_a_users_key_or_recovery_codes(client, team_lead):
    device = enrolled_device(team_lead)
    codes = recovery_codes_regenerate(user=team_lead)
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))

    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    tokens = client.get("/admin/otp_static/staticdevice/")

    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert b32encode(device.bin_key).decode().rstrip("=") not in page.content.decode()
    assert not [code for code in codes if code in tokens.content.decode()]


def test_the_admin_pages_that_give_people_roles_and_remove_devices_render(client, team_lead):
    device = enrolled_device(team_lead)
    client.force_login(User.objects.create_superuser("root", password=PASSWORD))

    assert client.get(f"/admin/auth/user/{team_lead.pk}/change/").status_code == 200
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/delete/").status_code == 200


@pytest.mark.parametrize("target", ["a b", "audit", "tickets:list", "https://evil.example/"])
def test_a_next_address_that_is_not_a_path_here_leads_to_the_ticket_list(client, team_lead, target):
    device = enrolled_device(team_lead)
    password_step(client, team_lead)

    response = client.post(VERIFY, {"code": code_of(device), "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"
