"""The list's search finds what it found before SQLite had a trigram index of summaries: the
index (words of three characters or more) and the fallback (shorter words, read from every
summary) give the same tickets as LIKE alone, in English and Chinese, and the index follows every
change to a summary."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from ticketui.tickets.models import Ticket
from ticketui.tickets.selectors import ticket_list

pytestmark = pytest.mark.django_db

SUMMARIES = [
    "ECS instance cannot reach SSH after reboot",
    "OBS bucket returns 403",
    "RDS replica lag above 30 s",
    "replica LAG on the read-only node",
    "云服务器无法登录",
    "数据库备份失败，云服务器重启后恢复",
    "负载均衡证书过期",
    "账单重复扣费",
    'Invoice with 100% discount_code "VIP"',
    "Ünïcode Straße bill",
    "",
]
QUERIES = [
    "replica lag",  # both words indexed
    "LAG replica",  # any order, any case
    "云服务器",  # Chinese, four characters
    "云服务器 登录",  # Chinese, one indexed word and one too short for trigrams
    "登录",  # two characters: the fallback alone
    "云",  # one character
    "ss",
    "403",
    "100%",  # LIKE's wildcards are plain characters
    "discount_code",
    '"VIP"',  # FTS5's quote is a plain character too
    "straße",
    "CS00",  # a case-id prefix
    "cs0000000003",  # a case-id prefix in another case
    "nothing like this",
]


@pytest.fixture
def tickets(db):
    Ticket.objects.bulk_create(
        Ticket(case_id=f"CS{n:010d}", summary=summary, status=1)
        for n, summary in enumerate(SUMMARIES)
    )


def found_before(search: str) -> set[str]:
    """The search as it was before the index: a case-id prefix, or every word with LIKE."""
    words = Q()
    for word in search.split()[:8]:
        words &= Q(summary__icontains=word)
    matching = Ticket.objects.filter(Q(case_id__istartswith=search.strip()) | words)
    return set(matching.values_list("case_id", flat=True))


def found(search: str) -> set[str]:
    return set(ticket_list(search=search).values_list("case_id", flat=True))


@pytest.mark.parametrize("search", QUERIES)
def test_a_search_finds_the_same_tickets_as_before(tickets, search):
    assert found(search) == found_before(search)


def test_the_searches_find_what_a_support_agent_expects(tickets):
    assert found("replica lag") == {"CS0000000002", "CS0000000003"}
    assert found("云服务器") == {"CS0000000004", "CS0000000005"}
    assert found("登录") == {"CS0000000004"}
    assert found("云服务器 重启") == {"CS0000000005"}
    assert found("cs0000000003") == {"CS0000000003"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram index")
def test_words_of_three_characters_or_more_are_looked_up_in_the_index(tickets):
    with CaptureQueriesContext(connection) as indexed:
        list(ticket_list(search="replica 登录"))
    with CaptureQueriesContext(connection) as fallback:
        list(ticket_list(search="登录 ss"))

    assert "MATCH" in indexed.captured_queries[-1]["sql"]
    assert "MATCH" not in fallback.captured_queries[-1]["sql"]


def test_the_index_follows_a_changed_summary_and_a_deleted_ticket(tickets):
    Ticket.objects.filter(case_id="CS0000000002").update(summary="证书过期提醒")
    changed = Ticket.objects.get(case_id="CS0000000006")
    changed.summary = "replica lag again"
    changed.save()
    Ticket.objects.filter(case_id="CS0000000003").delete()
    Ticket.objects.create(case_id="CS0000000099", summary="another replica lag")

    assert found("replica lag") == found_before("replica lag")
    assert found("replica lag") == {"CS0000000006", "CS0000000099"}
    assert found("证书过期") == {"CS0000000002"}
