"""Every aria-describedby and aria-labelledby on the main pages names an element that exists."""

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class _AriaReferences(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            for target in (values.get(name) or "").split():
                self.references.append((tag, name, target))


def missing_references(html: str) -> list[tuple[str, str, str]]:
    parser = _AriaReferences()
    parser.feed(html)
    return [reference for reference in parser.references if reference[2] not in parser.ids]


def test_the_main_pages_point_aria_descriptions_at_elements_that_exist(
    lead_client, sandbox, ticket, dimensions
):
    pages = [
        lead_client.get("/"),
        lead_client.get(f"/tickets/{ticket.pk}/"),
        lead_client.post(f"/tickets/{ticket.pk}/operations", {"action_id": "close"}),
        lead_client.post(f"/tickets/{ticket.pk}/operations", {"operate_desc": "x" * 5000}),
        lead_client.post("/tickets/track", {"case_id": ""}),
        lead_client.get("/audit/"),
        lead_client.get("/audit/?date_from=nonsense"),
        lead_client.get("/bulk/"),
        lead_client.post("/bulk/new", {}),
        lead_client.get("/reports/satisfaction"),
        lead_client.get("/reports/satisfaction?start=nonsense&end=2026-01-01"),
        lead_client.get("/reports/satisfaction/dimensions"),
        lead_client.get("/accounts/profile/"),
    ]

    for response in pages:
        assert response.status_code < 500
        assert missing_references(response.text) == [], response.request["PATH_INFO"]


def test_the_check_finds_a_reference_to_a_missing_element():
    assert missing_references('<input aria-describedby="nowhere"><p id="elsewhere"></p>') == [
        ("input", "aria-describedby", "nowhere")
    ]
