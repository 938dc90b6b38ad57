"""The team lead's satisfaction report in Chromium: a narrower period changes the figures, the
charts and tables are drawn, and the CSV download holds exactly the period's answers."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import surveys_given

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_team_lead_narrows_the_period_sees_charts_and_tables_and_downloads_its_csv(
    login, live_server, support_user, team_lead
):
    surveys_given(support_user)  # 6 surveys of 3 answers, 0, 3, 6, 9, 12 and 15 days ago
    page = login("tess")
    page.get_by_role("link", name="Reports").click()
    facts = page.locator(".report-facts")
    expect(facts).to_contain_text("6")
    expect(facts).to_contain_text("18")

    start = timezone.localdate() - timedelta(days=7)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_role("button", name="Show").click()

    page.wait_for_url(f"**/reports/satisfaction?*start={start.isoformat()}*")
    expect(page.locator(".muted").first).to_contain_text(f"Surveys from {start.isoformat()}")
    expect(facts.locator("div", has_text="Surveys").locator("dd")).to_have_text("3")
    expect(facts.locator("div", has_text="Answers").locator("dd")).to_have_text("9")
    expect(page.get_by_role("img", name="Mean stars per dimension")).to_be_visible()
    assert page.locator("figure.chart svg").count() >= 5  # means, 3 distributions, trend
    means = page.locator("section", has=page.get_by_role("heading", name="Mean per dimension"))
    expect(means.get_by_role("row")).to_have_count(4)  # header and three dimensions
    expect(means.get_by_role("row", name="Response timeliness")).to_contain_text("of 5")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download answers (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:2] == ["surveyed_at", "case_id"]
    assert len(rows) == 9
    assert {row[1] for row in rows} == {"CS2026080100000", "CS2026080100001", "CS2026080100002"}
