import pytest
import responses
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.results import SatisfactionEntry, UpstreamError
from ticketui.tickets.models import SatisfactionDimension, Survey, SurveyAnswer
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.surveys import dimensions as survey_dimensions
from ticketui.tickets.surveys import selectors as survey_selectors
from ticketui.tickets.surveys import services as surveys
from ticketui.tickets.surveys.dimensions import dimensions_offered, dimensions_sync
from ticketui.tickets.surveys.services import survey_entries, survey_submit

pytestmark = pytest.mark.django_db


def posts(sandbox):
    return [request for request in sandbox.state.received if request.method == "POST"]


# --- Dimensions ------------------------------------------------------------------------------


def test_sync_copies_the_upstreams_dimensions_with_their_scales(sandbox):
    result = dimensions_sync()

    assert (result.created, result.updated, result.retired) == (3, 0, 0)
    overall = SatisfactionDimension.objects.get(satisfaction_id=7)
    assert (overall.name, overall.value, overall.per_value, overall.stars) == (
        "Overall experience",
        10,
        2,
        5,
    )
    assert overall.category_id == "overall"
    assert overall.offered


def test_a_second_sync_updates_and_keeps_the_teams_required_choice(sandbox):
    dimensions_sync()
    SatisfactionDimension.objects.filter(satisfaction_id=3).update(required=True, name="Old")

    result = dimensions_sync()

    assert (result.created, result.updated) == (0, 3)
    handling = SatisfactionDimension.objects.get(satisfaction_id=3)
    assert handling.name == "Handling result"
    assert handling.required


def test_a_dimension_the_upstream_no_longer_lists_stops_being_offered(sandbox):
    SatisfactionDimension.objects.create(
        satisfaction_id=42, name="Gone", value=5, per_value=1, synced_at="2026-01-01T00:00Z"
    )

    assert dimensions_sync().retired == 1
    assert not SatisfactionDimension.objects.get(satisfaction_id=42).offered
    assert [dim.satisfaction_id for dim in dimensions_offered()] == [1, 3, 7]


def test_dimensions_that_cannot_be_shown_as_stars_are_not_offered(settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/config/satisfaction-dimensions",
            json={
                "satisfaction_dimension_list": [
                    {"satisfaction_id": 1, "satisfaction_name": "Fine", "value": 5, "per_value": 1},
                    {
                        "satisfaction_id": 2,
                        "satisfaction_name": "Huge",
                        "value": 500,
                        "per_value": 1,
                    },
                    {"satisfaction_id": 12000, "satisfaction_name": "Id too big", "value": 5},
                ]
            },
        )
        dimensions_sync()

    assert list(SatisfactionDimension.objects.values_list("satisfaction_id", flat=True)) == [1]


def test_an_empty_answer_keeps_the_local_dimensions(settings, sandbox):
    dimensions_sync()
    sandbox_url = settings.OSM_ENDPOINT
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/config/satisfaction-dimensions",
            json={"total_count": 0, "satisfaction_dimension_list": []},
        )
        result = dimensions_sync()
    settings.OSM_ENDPOINT = sandbox_url

    assert result.retired == 0
    assert SatisfactionDimension.objects.filter(offered=True).count() == 3


def test_sync_raises_when_the_upstream_cannot_be_asked(settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    with pytest.raises(UpstreamError):
        dimensions_sync()


def test_a_page_fetches_the_dimensions_once_when_none_are_stored(sandbox):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)

    assert [dim.satisfaction_id for dim in dimensions_offered(fetch_if_empty=True)] == [1, 3, 7]
    assert [dim.satisfaction_id for dim in dimensions_offered()] == [1, 3, 7]
    # Once in each language the dashboard speaks, the team's first.
    assert [request.headers["X-Language"] for request in sandbox.state.received] == [
        "en-us",
        "zh-cn",
    ]


def test_a_failed_fetch_is_not_repeated_on_every_page(settings):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/config/satisfaction-dimensions",
            status=500,
            json={"error_code": "OSM.0004", "error_msg": "Server error"},
        )
        assert dimensions_offered(fetch_if_empty=True) == []
        assert dimensions_offered(fetch_if_empty=True) == []
        assert len(mock.calls) == 1
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)


def test_writes_never_fetch_the_dimensions(sandbox):
    cache.delete(survey_dimensions.LAZY_SYNC_KEY)

    assert dimensions_offered() == []
    assert not sandbox.state.received


# --- Validation --------------------------------------------------------------------------------


def test_n_stars_send_n_times_the_dimensions_per_value(dimensions):
    entries = survey_entries(stars={7: 4, 1: 5}, comment="", dimensions=dimensions, required=False)

    assert [entry.as_json() for entry in entries] == [
        {
            "satisfaction_id": 1,
            "satisfaction_value": 5,
            "value": 5,
            "per_value": 1,
            "satisfaction_name": "Response timeliness",
            "sat_category_id": "service",
        },
        {
            "satisfaction_id": 7,
            "satisfaction_value": 8,
            "value": 10,
            "per_value": 2,
            "satisfaction_name": "Overall experience",
            "sat_category_id": "overall",
        },
    ]


def test_a_known_category_name_is_sent_too(dimensions):
    SatisfactionDimension.objects.filter(satisfaction_id=1).update(category_name="Service")

    entries = survey_entries(
        stars={1: 3},
        comment="",
        dimensions=list(SatisfactionDimension.objects.all()),
        required=False,
    )

    assert entries[0].sat_category_name == "Service"


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_stars_outside_the_scale_are_refused(dimensions, stars):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={1: stars}, comment="", dimensions=dimensions, required=False)

    assert caught.value.message_dict["stars_1"] == [
        surveys.STARS_OUT_OF_RANGE % {"name": "Response timeliness", "stars": 5}
    ]


def test_an_unknown_dimension_is_refused_naming_the_known_ones(dimensions):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={2: 3}, comment="", dimensions=dimensions, required=False)

    assert caught.value.message_dict["survey"] == [
        surveys.UNKNOWN_DIMENSION
        % {"id": 2, "known": "1 Response timeliness, 3 Handling result, 7 Overall experience"}
    ]


@pytest.mark.parametrize("satisfaction_id", [10000, -1])
def test_a_dimension_id_outside_0_to_9999_is_refused(dimensions, satisfaction_id):
    with pytest.raises(ValidationError) as caught:
        survey_entries(
            stars={satisfaction_id: 3}, comment="", dimensions=dimensions, required=False
        )

    assert caught.value.message_dict["survey"] == [
        surveys.SATISFACTION_ID_OUT_OF_RANGE % {"id": satisfaction_id}
    ]


def test_on_close_the_survey_is_optional(dimensions):
    assert survey_entries(stars={}, comment="", dimensions=dimensions, required=False) == []


def test_once_any_dimension_is_rated_the_required_ones_must_be_too(dimensions):
    SatisfactionDimension.objects.filter(satisfaction_id=3).update(required=True)
    dimensions = list(SatisfactionDimension.objects.all())

    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={1: 4}, comment="", dimensions=dimensions, required=False)

    assert caught.value.message_dict == {
        "stars_3": [surveys.REQUIRED_DIMENSION % {"name": "Handling result"}]
    }
    assert survey_entries(stars={}, comment="", dimensions=dimensions, required=False) == []


def test_a_comment_without_any_rating_is_refused_on_close(dimensions):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={}, comment="Nice", dimensions=dimensions, required=False)

    assert caught.value.message_dict["comment"] == [surveys.COMMENT_NEEDS_STARS]


def test_a_rating_needs_a_comment_and_at_least_one_dimension(dimensions):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={}, comment="  ", dimensions=dimensions, required=True)

    assert caught.value.message_dict == {
        "survey": [surveys.NO_STARS],
        "comment": [surveys.COMMENT_REQUIRED],
    }


def test_a_comment_past_400_characters_is_refused(dimensions):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={1: 5}, comment="x" * 401, dimensions=dimensions, required=True)

    assert caught.value.message_dict["comment"] == [
        "Ensure this value has at most 400 characters (it has 401)."
    ]


def test_a_survey_without_known_dimensions_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        survey_entries(stars={1: 5}, comment="Good", dimensions=[], required=True)

    assert surveys.NO_DIMENSIONS in caught.value.message_dict["survey"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("satisfaction_id", 10000),
        ("satisfaction_value", 65536),
        ("value", -1),
        ("per_value", 65536),
        ("satisfaction_name", "x" * 33),
        ("sat_category_id", "c" * 33),
        ("sat_category_name", "n" * 33),
    ],
)
def test_entries_outside_the_upstreams_limits_are_refused(field, value):
    entry = {"satisfaction_id": 1, "satisfaction_value": 5} | {field: value}

    with pytest.raises(ValidationError) as caught:
        surveys.survey_entries_validate(entries=[SatisfactionEntry(**entry)])

    assert caught.value.message_dict["survey"] == [
        surveys.ENTRY_OUT_OF_LIMITS % {"position": 1, "field": field}
    ]


def test_more_than_100_entries_are_refused():
    entries = [SatisfactionEntry(satisfaction_id=n, satisfaction_value=1) for n in range(101)]

    with pytest.raises(ValidationError) as caught:
        surveys.survey_entries_validate(entries=entries)

    assert caught.value.message_dict["survey"] == [
        surveys.TOO_MANY_ENTRIES % {"limit": 100, "count": 101}
    ]


# --- Rating a completed ticket ---------------------------------------------------------------


def test_rating_sends_the_score_call_and_keeps_the_survey(
    sandbox, dimensions, support_user, completed_ticket
):
    record = survey_submit(
        actor=support_user,
        ticket=completed_ticket,
        stars={1: 4, 7: 5},
        comment="Solved in an hour",
    )

    assert record.kind == Kind.SURVEY
    assert record.action_id == "score"
    assert record.outcome == RecordOutcome.SUCCEEDED
    assert record.request_path == "/v2/servicerequest/cases/CS2026090100004/score"
    [sent] = posts(sandbox)
    assert sent.body["judgement"] == "Solved in an hour"
    assert [
        (entry["satisfaction_id"], entry["satisfaction_value"], entry["value"], entry["per_value"])
        for entry in sent.body["incident_satisfaction_list"]
    ] == [(1, 4, 5, 1), (7, 10, 10, 2)]
    survey = Survey.objects.get()
    assert survey.audit_record == record
    assert (survey.case_id, survey.ticket, survey.agent, survey.source) == (
        "CS2026090100004",
        completed_ticket,
        support_user,
        "score",
    )
    # The ticket was refreshed from the upstream before rating; the survey keeps its product.
    upstream_product = sandbox.state.tickets["CS2026090100004"]["product_category_name"]
    assert survey.product == upstream_product != "OBS"
    assert survey.comment == "Solved in an hour"
    assert list(survey.answers.values_list("satisfaction_id", "stars", "scale")) == [
        (1, 4, 5),
        (7, 5, 5),
    ]


def test_the_rating_record_is_committed_as_pending_before_the_upstream_is_called(
    settings, dimensions, support_user, completed_ticket
):
    completed_ticket.refresh_from_db()
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    seen = []

    def answer(request):
        seen.append(list(AuditRecord.objects.values_list("kind", "outcome")))
        return (200, {}, "{}")

    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100004",
            json={"incident_detail_info": {"incident_id": "CS2026090100004", "status": 3}},
        )
        mock.add_callback(
            responses.POST,
            "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100004/score",
            callback=answer,
        )
        survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 3}, comment="ok")

    assert seen == [[("rating", "pending")]]


def test_a_second_rating_is_refused_and_nothing_is_sent(
    sandbox, dimensions, support_user, completed_ticket
):
    survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="Good")
    sandbox.state.received.clear()

    with pytest.raises(ValidationError) as caught:
        survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 1}, comment="Bad")

    assert caught.value.message_dict["survey"] == [survey_selectors.ALREADY_RATED]
    assert not posts(sandbox)
    assert AuditRecord.objects.filter(kind=Kind.SURVEY).count() == 1


def test_a_ticket_rated_at_the_upstream_is_not_rated_again(
    sandbox, dimensions, support_user, completed_ticket
):
    sandbox.state.tickets["CS2026090100004"]["incident_satisfaction"] = [
        {"satisfaction_id": 1, "satisfaction_value": 5}
    ]

    with pytest.raises(ValidationError) as caught:
        survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert caught.value.message_dict["survey"] == [survey_selectors.ALREADY_RATED]
    assert not posts(sandbox)
    assert not AuditRecord.objects.exists()


def test_a_rating_still_on_its_way_blocks_a_second_one(
    sandbox, dimensions, support_user, completed_ticket
):
    from django.utils import timezone

    AuditRecord.objects.create(
        kind=Kind.SURVEY, created_at=timezone.now(), case_id="CS2026090100004", action_id="score"
    )

    with pytest.raises(ValidationError) as caught:
        survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert caught.value.message_dict["survey"] == [survey_selectors.SURVEY_IN_PROGRESS]
    assert not posts(sandbox)


def test_a_pending_rating_left_by_a_crash_long_ago_blocks_nothing(
    sandbox, dimensions, support_user, completed_ticket
):
    AuditRecord.objects.create(
        kind=Kind.SURVEY,
        created_at="2026-01-01T00:00:00Z",
        case_id="CS2026090100004",
        action_id="score",
    )

    record = survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert record.outcome == RecordOutcome.SUCCEEDED


def test_a_ticket_that_is_not_completed_is_not_rated(sandbox, dimensions, support_user, ticket):
    with pytest.raises(ValidationError) as caught:
        survey_submit(actor=support_user, ticket=ticket, stars={1: 4}, comment="ok")

    assert caught.value.message_dict["survey"] == [
        surveys.NOT_COMPLETED % {"status": "Awaiting confirmation"}
    ]
    assert not posts(sandbox)


@pytest.mark.parametrize(
    ("stars", "field"),
    [({1: 6}, "stars_1"), ({1: 0}, "stars_1"), ({99: 3}, "survey"), ({10000: 3}, "survey")],
)
def test_a_rating_out_of_range_or_of_an_unknown_dimension_sends_nothing(
    sandbox, dimensions, support_user, completed_ticket, stars, field
):
    with pytest.raises(ValidationError) as caught:
        survey_submit(actor=support_user, ticket=completed_ticket, stars=stars, comment="ok")

    assert field in caught.value.message_dict
    assert not posts(sandbox)
    assert not AuditRecord.objects.exists()


def test_rating_requires_the_operate_permission(sandbox, dimensions, outsider, completed_ticket):
    with pytest.raises(PermissionDenied):
        survey_submit(actor=outsider, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert not sandbox.state.received


def test_a_rating_the_upstream_refuses_is_recorded_but_no_survey_is_kept(
    sandbox, dimensions, support_user, completed_ticket
):
    # The sandbox remembers a score in its log, even one with an empty list.
    sandbox.state.logs["CS2026090100004"].append({"operate_type": 5})

    record = survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert record.outcome == RecordOutcome.REJECTED
    assert record.error_code == "OSM.01010014"
    assert not Survey.objects.exists()


def test_an_unanswered_rating_keeps_no_survey_and_may_be_tried_again(
    settings, dimensions, support_user, completed_ticket
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    record = survey_submit(actor=support_user, ticket=completed_ticket, stars={1: 4}, comment="ok")

    assert record.outcome == RecordOutcome.NOT_SENT
    assert not Survey.objects.exists()
    assert survey_selectors.survey_closed_reason(ticket=completed_ticket) == ""


# --- A survey with the close action ----------------------------------------------------------


def test_a_close_carrying_a_survey_keeps_it_once_the_upstream_accepted(
    sandbox, dimensions, support_user, ticket
):
    record = operation_submit(
        actor=support_user, ticket=ticket, action_id="close", stars={1: 4, 3: 5}, comment="Thanks"
    )

    assert record.outcome == RecordOutcome.SUCCEEDED
    [sent] = posts(sandbox)
    assert [entry["satisfaction_value"] for entry in sent.body["incident_satisfaction_list"]] == [
        4,
        5,
    ]
    survey = Survey.objects.get()
    assert (survey.source, survey.audit_record, survey.comment) == ("close", record, "Thanks")
    assert SurveyAnswer.objects.count() == 2


def test_a_close_without_a_survey_keeps_none(sandbox, support_user, ticket):
    operation_submit(actor=support_user, ticket=ticket, action_id="close")

    assert not Survey.objects.exists()


def test_a_refused_close_keeps_no_survey_but_its_audit_record(
    sandbox, dimensions, support_user, ticket
):
    sandbox.state.tickets["CS2026090100003"]["status"] = 1
    record = operation_submit(actor=support_user, ticket=ticket, action_id="close", stars={1: 4})

    assert record.outcome == RecordOutcome.REJECTED
    assert record.request_body["incident_satisfaction_list"][0]["satisfaction_value"] == 4
    assert not Survey.objects.exists()


def test_a_survey_only_rides_on_close(sandbox, support_user, ticket):
    with pytest.raises(ValidationError) as caught:
        operation_submit(
            actor=support_user,
            ticket=ticket,
            action_id="cancel",
            stars={1: 3},
        )

    assert caught.value.message_dict["survey"] == [surveys.SURVEY_ONLY_ON_CLOSE]
    assert not sandbox.state.received


def test_a_close_survey_outside_the_dimensions_scale_is_refused_before_sending(
    sandbox, dimensions, support_user, ticket
):
    with pytest.raises(ValidationError):
        operation_submit(actor=support_user, ticket=ticket, action_id="close", stars={1: 70000})

    assert not sandbox.state.received
    assert not AuditRecord.objects.exists()


def test_a_category_name_the_upstream_sends_is_kept_and_sent(settings, dimensions):
    sandbox_url = settings.OSM_ENDPOINT
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.GET,
            "http://127.0.0.1:9/v2/servicerequest/config/satisfaction-dimensions",
            json={
                "satisfaction_dimension_list": [
                    {
                        "satisfaction_id": 1,
                        "satisfaction_name": "Response timeliness",
                        "value": 5,
                        "per_value": 1,
                        "sat_category_id": "service",
                        "sat_category_name": "Service",
                    }
                ]
            },
        )
        dimensions_sync()
    settings.OSM_ENDPOINT = sandbox_url

    entries = survey_entries(
        stars={1: 2}, comment="", dimensions=dimensions_offered(), required=False
    )

    assert entries[0].sat_category_name == "Service"
