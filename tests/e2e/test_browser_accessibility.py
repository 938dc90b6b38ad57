"""Every main page, in English and in Chinese, passes axe-core's audit with no serious or
critical violation; each page's screenshot is kept in test-artifacts/pages/.

axe-core (tests/e2e/vendor/axe.min.js, MPL-2.0, see the README there) is added as an init script
through the DevTools protocol: a <script> tag added by Playwright is inline, and the pages' CSP
(script-src 'self' 'nonce-…') rightly refuses it. Init scripts are not subject to the page's CSP,
so the pages are audited exactly as users get them, CSP and all, without bypass_csp."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import SavedView, Ticket
from ticketui.tickets.surveys.dimensions import dimensions_sync
from ticketui.tickets.sync.services import tickets_sync_now

from .conftest import ARTIFACTS, surveys_given

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = {"serious", "critical"}
LANGUAGES = {"en": ("EN", "en"), "zh": ("中文", "zh-hans")}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


@pytest.fixture
def site(sandbox, team_lead, support_user):
    tickets_sync_now(full=True)
    dimensions_sync()
    surveys_given(support_user)
    SavedView.objects.create(owner=team_lead, name="Old ones", query="age=7d&owner=me")
    SavedView.objects.create(owner=support_user, name="Team queue", query="owner=none", shared=True)
    return {
        "awaiting": Ticket.objects.get(case_id="CS2026090100003"),
        "completed": Ticket.objects.get(case_id="CS2026090100004"),
        "record": AuditRecord.objects.filter(kind=Kind.SURVEY).first(),
    }


def audited(page, name: str, language: str) -> list[str]:
    """The page's serious and critical violations, described; its screenshot is kept."""
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[language][1])
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}-{language}.png", full_page=True)
    return [
        f"{name}-{language}: {violation['id']} ({violation['impact']}) {violation['help']}: "
        + "; ".join(violation["nodes"])
        for violation in page.evaluate(RUN_AXE)
        if violation["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_main_page_has_no_serious_accessibility_violation(
    browser, page, login, live_server, site, language
):
    page.context.add_init_script(path=str(AXE))
    found: list[str] = []

    # Before logging in, the browser's own language chooses the login page's language.
    visitor = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale={"en": "en-US", "zh": "zh-CN"}[language]
    )
    visitor.add_init_script(path=str(AXE))
    login_page = visitor.new_page()
    login_page.goto(f"{live_server.url}/accounts/login/")
    found += audited(login_page, "login", language)
    visitor.close()

    login("tess")
    page.get_by_role("button", name=LANGUAGES[language][0], exact=True).click()
    found += audited(page, "ticket-list", language)

    page.goto(f"{live_server.url}/tickets/{site['awaiting'].pk}/")
    page.locator("input[name=action_id][value=close]").check()
    expect(page.locator(".survey-section")).to_be_visible()
    found += audited(page, "ticket-awaiting-confirmation", language)

    page.goto(f"{live_server.url}/tickets/{site['completed'].pk}/")
    expect(page.locator("#survey-panel form")).to_be_visible()
    found += audited(page, "ticket-completed-unrated", language)

    for name, path in [
        ("audit-list", "/audit/"),
        ("audit-record", f"/audit/{site['record'].pk}/"),
        ("satisfaction-report", "/reports/satisfaction"),
        ("satisfaction-dimensions", "/reports/satisfaction/dimensions"),
        ("profile", "/accounts/profile/"),
        ("saved-views", "/views/"),
        ("ticket-list-unassigned-oldest", "/?owner=none&sort=oldest"),
    ]:
        page.goto(f"{live_server.url}{path}")
        found += audited(page, name, language)

    assert not found, "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_inline_style_is_reported_as_a_console_error_so_page_tests_fail_on_it(
    browser, live_server
):
    from tests.e2e.conftest import CSP_VIOLATIONS_TO_CONSOLE

    context = browser.new_context()
    context.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")

    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    context.close()

    assert any(error.startswith("CSP violation: style-src") for error in errors), errors
