"""Every main page in Chinese, in Chromium: no interface string left in English, and the
upstream's names (dimensions, ticket types) in Chinese too. Each page's screenshot is kept in
test-artifacts/zh-<page>.png."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, surveys_given
from tests.i18n.test_chinese_pages import english_catalog_strings
from ticketui.accounts.models import Profile
from ticketui.tickets.bulk.services import bulk_create
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.surveys.dimensions import dimensions_sync
from ticketui.tickets.sync.services import sync_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def leftovers(page, strings: set[str]) -> list[str]:
    text = page.locator("body").inner_text()
    return sorted(s for s in strings if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text))


def look(page, name: str, strings: set[str], *, fragment: bool = False) -> None:
    if not fragment:
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"zh-{name}.png", full_page=True)
    assert not leftovers(page, strings), f"{name}: {leftovers(page, strings)}"


def test_a_chinese_team_lead_sees_every_main_page_in_chinese(
    login, live_server, sandbox, team_lead, support_user, browser
):
    dimensions_sync()
    awaiting = Ticket.objects.create(case_id="CS2026090100003", summary="数据库复制延迟", status=2)
    completed = Ticket.objects.create(case_id="CS2026090100004", summary="存储桶 403", status=3)
    Ticket.objects.create(case_id="CS2026090100002", summary="Replica lag", status=1)
    record = operation_submit(
        actor=team_lead, ticket=awaiting, action_id="cancel", operate_desc="客户已自行解决"
    )
    bulk = bulk_create(
        actor=team_lead, tickets=Ticket.objects.filter(status=1), action_id="press", selection={}
    )
    run = sync_start(actor=team_lead)
    surveys_given(team_lead)
    strings = english_catalog_strings()
    page = login("tess")  # the two-factor step in English: the profile is set once signed in
    Profile.objects.create(user=team_lead, language="zh-cn")
    base = live_server.url

    for name, path in [
        ("list", "/"),
        ("ticket", f"/tickets/{awaiting.pk}/"),
        ("ticket-completed", f"/tickets/{completed.pk}/"),
        ("audit", "/audit/"),
        ("audit-record", f"/audit/{record.pk}/"),
        ("report", "/reports/satisfaction"),
        ("dimensions", "/reports/satisfaction/dimensions"),
        ("bulk-list", "/bulk/"),
        ("bulk", f"/bulk/{bulk.pk}/"),
        ("profile", "/accounts/profile/"),
    ]:
        page.goto(base + path)
        look(page, name, strings)
    page.get_by_role("button", name="生成新的恢复码").click()
    page.wait_for_url("**/two-factor/recovery-codes")
    look(page, "recovery-codes", strings)
    # Pages that log to the console (error statuses; a fragment's missing /favicon.ico) open in
    # a context of their own, with the same sign-in.
    signed_in = browser.new_context(storage_state=page.context.storage_state())
    other = signed_in.new_page()
    other.goto(f"{base}/tickets/sync/{run.pk}")  # the list's progress fragment
    look(other, "sync", strings, fragment=True)
    for name, path in [
        ("not-found", "/no-such-page"),
        ("method-not-allowed", "/accounts/language"),
    ]:
        other.goto(base + path)
        look(other, name, strings)
    signed_in.close()

    page.goto(f"{base}/reports/satisfaction")
    expect(page.get_by_role("row", name=re.compile("响应速度")).first).to_be_visible()
    page.goto(f"{base}/tickets/{completed.pk}/")
    expect(page.get_by_role("group", name="响应速度")).to_be_visible()


def test_a_chinese_agent_sees_the_refusal_and_sign_in_pages_in_chinese(
    login, live_server, sandbox, support_user, browser
):
    strings = english_catalog_strings()
    page = login("sam")
    Profile.objects.create(user=support_user, language="zh-cn")

    signed_in = browser.new_context(storage_state=page.context.storage_state())
    forbidden = signed_in.new_page()  # its 403 is logged to the console
    forbidden.goto(f"{live_server.url}/reports/satisfaction")  # team leads only
    look(forbidden, "forbidden", strings)
    signed_in.close()
    page.goto(f"{live_server.url}/accounts/two-factor/enrol")
    look(page, "two-factor-enrol", strings)

    chinese_browser = browser.new_context(locale="zh-CN")
    visitor = chinese_browser.new_page()
    visitor.goto(f"{live_server.url}/accounts/login/")
    look(visitor, "login", strings)
    visitor.get_by_label("用户名").fill("sam")
    visitor.get_by_label("密码").fill("wrong password")
    visitor.get_by_role("button", name="登录").click()
    look(visitor, "login-refused", strings)
    chinese_browser.close()
    assert User.objects.filter(username="sam").exists()
