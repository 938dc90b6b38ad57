"""Two-factor sign-in in Chromium: a team lead is sent to enrolment after the password, adds the
dashboard to an authenticator app by its key, keeps the recovery codes, and from then on gives a
code after the password; an agent turns it on from the profile page."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import totp_code

from .conftest import ARTIFACTS
from .test_browser_accessibility import AXE, LANGUAGES, audited

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str) -> str:
    """What the authenticator app shows for the key typed in from the page."""
    key = secret.replace(" ", "")
    return f"{TOTP(b32decode(key + '=' * (-len(key) % 8))).token():06d}"


def password_step(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def test_a_team_lead_enrols_on_first_sign_in_then_signs_in_with_a_code(
    page, live_server, team_lead
):
    password_step(page, live_server.url, "tess")
    page.wait_for_url("**/accounts/two-factor/enrol**")
    assert page.get_by_role("img", name="QR code").evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=ARTIFACTS / "two-factor-enrol.png", full_page=True)
    page.goto(f"{live_server.url}/audit/")
    page.wait_for_url("**/accounts/two-factor/enrol**")  # nothing else until enrolled

    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    # Waits for the page the form leads to, which a count taken at once could read too early.
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.screenshot(path=ARTIFACTS / "two-factor-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{live_server.url}/audit/")  # where the lead was going
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/**")

    password_step(page, live_server.url, "tess")
    page.wait_for_url("**/accounts/two-factor/verify**")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("That code is not right").is_visible()
    page.screenshot(path=ARTIFACTS / "two-factor-verify.png", full_page=True)
    device = TOTPDevice.objects.get(user=team_lead, confirmed=True)
    device.throttle_reset()  # the growing wait after a wrong code is not what this test is about
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Audit log").is_visible()


def test_an_agent_turns_two_factor_sign_in_on_from_the_profile(page, live_server, support_user):
    password_step(page, live_server.url, "sam")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()

    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="I have saved them, continue").click()
    page.goto(f"{live_server.url}/accounts/profile/")

    assert page.get_by_text("10 recovery codes left").is_visible()
    assert page.get_by_role("button", name="Turn off").is_visible()
    page.screenshot(path=ARTIFACTS / "two-factor-profile.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_two_factor_pages_have_no_serious_accessibility_violation(
    page, live_server, support_user, language
):
    page.context.add_init_script(path=str(AXE))
    password_step(page, live_server.url, "sam")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name=LANGUAGES[language][0], exact=True).click()
    page.goto(f"{live_server.url}/accounts/two-factor/enrol")
    found = audited(page, "two-factor-enrol", language)
    secret = page.locator("#totp-secret").inner_text()
    page.locator("input[name=code]").fill(app_code(secret))
    page.locator("button[type=submit].button-primary").click()
    page.locator("#recovery-codes").wait_for()
    found += audited(page, "two-factor-recovery-codes", language)
    page.goto(f"{live_server.url}/accounts/profile/")
    found += audited(page, "two-factor-profile", language)
    page.locator(".account form button[type=submit]").last.click()  # log out
    password_step_any_language(page, live_server.url, "sam")
    page.wait_for_url("**/accounts/two-factor/verify**")
    found += audited(page, "two-factor-verify", language)

    assert not found, "\n".join(found)


def password_step_any_language(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
