import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import SatisfactionDimension, Survey
from ticketui.tickets.surveys import dimensions as survey_dimensions
from ticketui.tickets.surveys import services as surveys

pytestmark = pytest.mark.django_db


def posts(sandbox):
    return [request for request in sandbox.state.received if request.method == "POST"]


def test_close_carries_the_ratings_with_scaled_values(sandbox, dimensions, support_user, capsys):
    call_command(
        "ticket_operate",
        "CS2026090100003",
        "close",
        "--as",
        "sam",
        "--rating",
        "1=5",
        "--rating",
        "7=4",
        "--judgement",
        "Fixed fast",
    )

    assert "close CS2026090100003: succeeded" in capsys.readouterr().out
    [sent] = posts(sandbox)
    assert sent.body["judgement"] == "Fixed fast"
    assert [
        (entry["satisfaction_id"], entry["satisfaction_value"])
        for entry in sent.body["incident_satisfaction_list"]
    ] == [(1, 5), (7, 8)]
    assert Survey.objects.get().source == "close"


def test_score_rates_a_completed_ticket(sandbox, dimensions, support_user, capsys):
    call_command(
        "ticket_operate",
        "CS2026090100004",
        "score",
        "--as",
        "sam",
        "--judgement",
        "Good",
        "--rating",
        "3=4",
    )

    assert "score CS2026090100004: succeeded" in capsys.readouterr().out
    [sent] = posts(sandbox)
    assert sent.raw_path == "/v2/servicerequest/cases/CS2026090100004/score"
    assert Survey.objects.get().answers.get().stars == 4
    assert AuditRecord.objects.get(kind=Kind.SURVEY).outcome == "succeeded"


def test_score_fetches_the_dimensions_on_a_first_run(sandbox, support_user):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)

    call_command(
        "ticket_operate", "CS2026090100004", "score", "--as", "sam", "--judgement", "Good",
        "--rating", "1=5",
    )  # fmt: skip

    assert SatisfactionDimension.objects.count() == 3
    assert Survey.objects.exists()


def test_a_second_score_is_refused_and_nothing_is_sent(sandbox, dimensions, support_user):
    arguments = ["CS2026090100004", "score", "--as", "sam", "--judgement", "ok", "--rating", "1=5"]
    call_command("ticket_operate", *arguments)
    sandbox.state.received.clear()

    with pytest.raises(CommandError, match="already been rated"):
        call_command("ticket_operate", *arguments)

    assert not posts(sandbox)


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("1=6", "Rate Response timeliness with 1 to 5 stars."),
        ("1=0", "Rate Response timeliness with 1 to 5 stars."),
        ("2=3", "There is no satisfaction dimension 2"),
    ],
)
def test_a_rating_out_of_range_or_of_an_unknown_dimension_is_refused(
    sandbox, dimensions, support_user, rating, message
):
    with pytest.raises(CommandError, match=message) as caught:
        call_command(
            "ticket_operate", "CS2026090100004", "score", "--as", "sam", "--judgement", "ok",
            "--rating", rating,
        )  # fmt: skip

    assert str(caught.value).startswith("Not sent:")
    assert not posts(sandbox)
    assert not AuditRecord.objects.filter(kind=Kind.SURVEY).exists()


def test_score_without_a_comment_is_refused(sandbox, dimensions, support_user):
    with pytest.raises(CommandError, match=surveys.COMMENT_REQUIRED):
        call_command("ticket_operate", "CS2026090100004", "score", "--as", "sam", "--rating", "1=5")

    assert not posts(sandbox)


@pytest.mark.parametrize("rating", ["1", "one=5", "1=five", "=5"])
def test_a_badly_written_rating_is_refused(sandbox, support_user, rating):
    with pytest.raises(CommandError, match="DIMENSION_ID=STARS"):
        call_command(
            "ticket_operate", "CS2026090100003", "close", "--as", "sam", "--rating", rating
        )

    assert not sandbox.state.received


def test_the_same_dimension_twice_is_refused(sandbox, dimensions, support_user):
    with pytest.raises(CommandError, match="rated once"):
        call_command(
            "ticket_operate", "CS2026090100003", "close", "--as", "sam",
            "--rating", "1=5", "--rating", "1=4",
        )  # fmt: skip

    assert not sandbox.state.received


def test_ratings_with_another_action_are_refused(sandbox, dimensions, support_user):
    with pytest.raises(CommandError, match="go with close or score, not press"):
        call_command("ticket_operate", "CS2026090100003", "press", "--as", "sam", "--rating", "1=5")

    assert not sandbox.state.received


def test_a_refused_score_exits_non_zero(sandbox, dimensions, support_user):
    with pytest.raises(CommandError, match="Only a completed ticket can be rated"):
        call_command(
            "ticket_operate", "CS2026090100003", "score", "--as", "sam", "--judgement", "ok",
            "--rating", "1=5",
        )  # fmt: skip

    assert not posts(sandbox)


def test_sync_dimensions_prints_what_it_did(sandbox, capsys):
    call_command("sync_dimensions")

    assert capsys.readouterr().out.strip() == (
        "Satisfaction dimensions: 3 new, 0 refreshed, 0 no longer offered."
    )


def test_sync_dimensions_exits_non_zero_when_the_upstream_fails(settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    with pytest.raises(CommandError, match="Sync stopped"):
        call_command("sync_dimensions")


def test_a_description_with_score_is_refused(sandbox, dimensions, support_user):
    with pytest.raises(CommandError, match="use --comment"):
        call_command(
            "ticket_operate", "CS2026090100004", "score", "--as", "sam", "--desc", "x",
            "--judgement", "ok", "--rating", "1=5",
        )  # fmt: skip

    assert not sandbox.state.received
