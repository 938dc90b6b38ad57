"""Browser fixtures: Debian's Chromium driven by Playwright. In CI a missing browser is a failure."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import SECRET_CANARY, enrolled_device, totp_code
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.results import SatisfactionEntry
from ticketui.tickets.models import SurveySource, Ticket
from ticketui.tickets.surveys.services import survey_store

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CSP_VIOLATIONS_TO_CONSOLE = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `CSP violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`
));
"""
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the live server's database access
# happens in its own thread, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install it with: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_static_names(settings):
    # The live server finds static files by their plain names; hashing is tested elsewhere.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    # A Content-Security-Policy violation reaches the console only as a browser log entry, which
    # Playwright does not report: make each one a console error, so that every test fails on it.
    context.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    yield page
    assert SECRET_CANARY not in page.content(), "the upstream token appeared in a page"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def login(page, live_server):
    """Signs in through the login page; a user whose role requires two-factor sign-in has an
    authenticator app (added if need be) and types its code on the second step."""
    from django.contrib.auth.models import User

    from ticketui.accounts.two_factor.selectors import two_factor_required

    def log_in(username: str, password: str = "correct horse battery"):
        user = User.objects.get(username=username)
        device = enrolled_device(user) if two_factor_required(user=user) else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        if device is not None:
            page.wait_for_url("**/accounts/two-factor/verify**")
            page.get_by_label("Code").fill(totp_code(device))
            page.get_by_role("button", name="Verify").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return log_in


def surveys_given(agent, count: int = 6) -> None:
    """A few surveys the upstream accepted over the last days, so the report draws its charts."""
    scales = {1: ("Response timeliness", 5, 1), 3: ("Handling result", 5, 1), 7: ("Overall", 10, 2)}
    for number in range(count):
        when = timezone.now() - timedelta(days=number * 3)
        record = AuditRecord.objects.create(
            kind=Kind.SURVEY,
            created_at=when,
            actor=agent,
            actor_username=agent.username,
            case_id=f"CS20260801{number:05d}",
            action_id="score",
            outcome=RecordOutcome.SUCCEEDED,
        )
        stars = {1: 5 - number % 3, 3: 3 + number % 3, 7: 2 + number % 4}
        entries = [
            SatisfactionEntry(
                satisfaction_id=dimension,
                satisfaction_value=given * scales[dimension][2],
                value=scales[dimension][1],
                per_value=scales[dimension][2],
                satisfaction_name=scales[dimension][0],
            )
            for dimension, given in stars.items()
        ]
        survey_store(
            actor=agent,
            ticket=Ticket(case_id=record.case_id, product_category=("ECS", "OBS")[number % 2]),
            record=record,
            entries=entries,
            comment="Quick and clear" if number % 2 else "",
            source=SurveySource.AFTER_CLOSURE,
        )


@pytest.fixture
def sandbox(http_sandbox):
    """End-to-end: the sandbox upstream over real HTTP."""
    return http_sandbox


def open_ticket(page, case_id: str) -> None:
    """From the ticket list: search for the ticket and open its page."""
    from playwright.sync_api import expect

    page.get_by_placeholder("Search case id or summary").fill(case_id)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name=case_id).click()
