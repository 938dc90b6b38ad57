"""Who owns a ticket: claimed by agents, given by team leads, each change in the audit trail."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import Ticket
from ticketui.tickets.ownership.selectors import owner_candidates
from ticketui.tickets.ownership.services import ticket_assign, ticket_claim
from ticketui.tickets.services import ticket_track

pytestmark = pytest.mark.django_db


def owner_records(kind: str) -> list[dict]:
    return [r.data for r in AuditRecord.objects.filter(kind=kind).order_by("id")]


def test_an_agent_claims_an_unassigned_ticket_and_the_trail_names_both_owners(support_user, ticket):
    claimed = ticket_claim(actor=support_user, ticket=ticket)

    assert claimed.owner == support_user
    assert Ticket.objects.get(pk=ticket.pk).owner_id == support_user.pk
    record = AuditRecord.objects.get(kind=Kind.CLAIM)
    assert record.data == {"from": None, "to": "sam"}
    assert record.case_id == ticket.case_id
    assert record.actor == support_user


def test_a_ticket_someone_looks_after_cannot_be_claimed_and_says_who(
    support_user, team_lead, ticket
):
    ticket_claim(actor=team_lead, ticket=ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_claim(actor=support_user, ticket=Ticket.objects.get(pk=ticket.pk))

    assert "Tess already looks after this ticket." in refused.value.messages
    assert Ticket.objects.get(pk=ticket.pk).owner == team_lead
    assert AuditRecord.objects.filter(kind=Kind.CLAIM).count() == 1


def test_claiming_ones_own_ticket_again_changes_and_records_nothing(support_user, ticket):
    ticket_claim(actor=support_user, ticket=ticket)
    ticket_claim(actor=support_user, ticket=ticket)

    assert AuditRecord.objects.filter(kind=Kind.CLAIM).count() == 1


def test_someone_without_a_role_may_not_claim(outsider, ticket):
    with pytest.raises(PermissionDenied):
        ticket_claim(actor=outsider, ticket=ticket)


def test_a_team_lead_reassigns_and_the_trail_has_the_old_and_new_owner(
    support_user, team_lead, ticket
):
    ticket_claim(actor=support_user, ticket=ticket)

    ticket_assign(actor=team_lead, ticket=ticket, owner=team_lead)
    ticket_assign(actor=team_lead, ticket=ticket, owner=None)

    assert Ticket.objects.get(pk=ticket.pk).owner is None
    assert owner_records(Kind.ASSIGN) == [
        {"from": "sam", "to": "tess"},
        {"from": "tess", "to": None},
    ]


def test_giving_a_ticket_to_its_owner_again_records_nothing(team_lead, ticket):
    ticket_assign(actor=team_lead, ticket=ticket, owner=team_lead)
    ticket_assign(actor=team_lead, ticket=ticket, owner=team_lead)

    assert AuditRecord.objects.filter(kind=Kind.ASSIGN).count() == 1


def test_an_agent_may_not_give_a_ticket_to_someone_else(support_user, team_lead, ticket):
    with pytest.raises(PermissionDenied):
        ticket_assign(actor=support_user, ticket=ticket, owner=team_lead)
    ticket_claim(actor=support_user, ticket=ticket)
    with pytest.raises(PermissionDenied):
        ticket_assign(actor=support_user, ticket=ticket, owner=team_lead)

    assert Ticket.objects.get(pk=ticket.pk).owner == support_user


def test_an_owner_gives_up_their_own_ticket(support_user, ticket):
    ticket_claim(actor=support_user, ticket=ticket)

    ticket_assign(actor=support_user, ticket=ticket, owner=None)

    assert Ticket.objects.get(pk=ticket.pk).owner is None
    assert owner_records(Kind.ASSIGN) == [{"from": "sam", "to": None}]


def test_a_ticket_goes_only_to_someone_whose_role_lets_them_own_tickets(
    team_lead, outsider, ticket
):
    with pytest.raises(ValidationError) as refused:
        ticket_assign(actor=team_lead, ticket=ticket, owner=outsider)

    assert "their role does not allow it" in refused.value.messages[0]
    assert Ticket.objects.get(pk=ticket.pk).owner is None


def test_the_candidates_are_the_active_support_staff(support_user, team_lead, outsider):
    User.objects.create_user("gone", is_active=False).groups.add(*support_user.groups.all())

    assert list(owner_candidates()) == [support_user, team_lead]


def test_tracking_a_synced_ticket_nobody_owns_claims_it_and_leaves_an_owned_one_alone(
    sandbox, support_user, team_lead
):
    Ticket.objects.create(case_id="CS2026090100003", status=2)
    Ticket.objects.create(case_id="CS2026090100004", status=3, owner=team_lead)

    first = ticket_track(actor=support_user, case_id="CS2026090100003")
    second = ticket_track(actor=support_user, case_id="CS2026090100004")

    assert first.owner == support_user
    assert second.owner == team_lead
    assert owner_records(Kind.CLAIM) == [{"from": None, "to": "sam"}]


def test_tracking_a_ticket_makes_the_tracker_its_owner(sandbox, support_user):
    ticket = ticket_track(actor=support_user, case_id="CS2026090100003")

    assert ticket.owner == support_user
    assert AuditRecord.objects.get(kind=Kind.TRACK).data == {"owner": "sam"}
