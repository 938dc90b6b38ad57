"""The main pages in Chinese show no English string of the interface's catalog."""

import html
import re

import pytest
from django.utils import translation

from ticketui.accounts.models import Profile
from ticketui.tickets.models import SavedView, Ticket
from ticketui.tickets.operations.services import operation_submit

pytestmark = pytest.mark.django_db
# A language's own name is shown in that language in any interface, as language pickers do.
OWN_NAMES = {"English"}
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def english_catalog_strings() -> set[str]:
    """Interface strings (no placeholders) whose Chinese differs from the English."""
    with translation.override("zh-hans"):
        catalog = translation.trans_real.translation("zh-hans")._catalog
    return {
        msgid
        for msgid, text in catalog.items()
        if isinstance(msgid, str)
        and msgid
        and "%" not in msgid
        and text != msgid
        and len(msgid) > 3
    } - OWN_NAMES


def visible_text(page: str) -> str:
    return html.unescape(TAGS.sub("\n", page))


def test_the_main_pages_in_chinese_leave_no_interface_string_in_english(
    lead_client, team_lead, sandbox, dimensions
):
    Profile.objects.create(user=team_lead, language="zh-cn")
    ticket = Ticket.objects.create(
        case_id="CS2026090100003", summary="数据库复制延迟", status=2, product_category="RDS"
    )
    completed = Ticket.objects.create(case_id="CS2026090100004", summary="存储桶 403", status=3)
    SavedView.objects.create(owner=team_lead, name="旧工单", query="age=7d&owner=me", shared=True)
    record = operation_submit(
        actor=team_lead, ticket=ticket, action_id="cancel", operate_desc="客户已自行解决"
    )
    pages = [
        "/",
        f"/tickets/{ticket.pk}/",
        f"/tickets/{completed.pk}/",
        "/audit/",
        f"/audit/{record.pk}/",
        "/reports/satisfaction",
        "/reports/satisfaction/dimensions",
        "/accounts/profile/",
        "/bulk/",
        "/views/",
        "/?owner=none&sort=oldest",
    ]
    strings = english_catalog_strings()
    assert len(strings) > 200

    for url in pages:
        response = lead_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in response.text, url
        text = visible_text(response.text)
        leftovers = sorted(
            s for s in strings if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)
        )
        assert not leftovers, f"{url}: {leftovers}"


@pytest.fixture
def chinese_lead(team_lead):
    Profile.objects.create(user=team_lead, language="zh-cn")
    return team_lead


def test_the_date_filters_start_reads_as_a_date_in_chinese(lead_client, chinese_lead):
    for url in ("/audit/", "/reports/satisfaction"):
        text = visible_text(lead_client.get(url).text)
        assert "起始日期" in text, url
        assert "来源" not in text, url


def test_tracking_an_unknown_case_id_is_refused_in_chinese(lead_client, chinese_lead, sandbox):
    response = lead_client.post(
        "/tickets/track", {"case_id": "CS-NOPE"}, headers={"HX-Request": "true"}
    )

    assert "上游没有案例编号为 CS-NOPE 的工单。" in visible_text(response.text)


def test_when_a_ticket_was_refreshed_reads_as_one_phrase_in_chinese(lead_client, chinese_lead):
    from django.utils import timezone

    ticket = Ticket.objects.create(case_id="CS2026090100003", status=2, refreshed_at=timezone.now())

    text = visible_text(lead_client.get(f"/tickets/{ticket.pk}/").text)

    assert re.search(r"从上游刷新于\s*(现在|\d+ ?秒(之)?前|\d+ ?分钟(之)?前)", text), text
    assert " 前" not in text


def test_the_profile_names_the_time_zones_places_in_chinese(lead_client, chinese_lead):
    text = visible_text(lead_client.get("/accounts/profile/").text)

    assert "GMT+8 — 北京、上海、新加坡、香港" in text
    assert "GMT-5 — 纽约（冬令时）、波哥大、利马" in text
    assert "Beijing" not in text


def test_the_first_message_is_marked_as_the_problem_not_an_operations_description(
    lead_client, chinese_lead, sandbox
):
    ticket = Ticket.objects.create(case_id="CS2026090100003", status=2)

    thread = lead_client.get(f"/tickets/{ticket.pk}/conversation/", headers={"HX-Request": "true"})

    assert '<span class="badge">问题描述</span>' in thread.text
    assert "操作说明" not in visible_text(thread.text)
