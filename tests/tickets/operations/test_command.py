import pytest
from django.core.management import CommandError, call_command

from ticketui.audit.models import AuditRecord, Kind

pytestmark = pytest.mark.django_db


def test_it_closes_a_ticket_and_prints_the_outcome(sandbox, support_user, capsys):
    call_command("ticket_operate", "CS2026090100003", "close", "--as", "sam", "--desc", "Done")

    out = capsys.readouterr().out
    assert "close CS2026090100003: succeeded" in out
    record = AuditRecord.objects.get(kind=Kind.OPERATION)
    assert record.request_body == {"operate_desc": "Done"}
    assert sandbox.state.tickets["CS2026090100003"]["status"] == 3


def test_an_unknown_ticket_exits_non_zero_and_leaves_an_audit_record(sandbox, support_user):
    with pytest.raises(CommandError) as caught:
        call_command("ticket_operate", "CS-NOPE", "close", "--as", "sam")

    assert caught.value.returncode == 1
    record = AuditRecord.objects.get(kind=Kind.OPERATION)
    assert record.case_id == "CS-NOPE"
    assert record.error_code == "OSM.01010015"


def test_a_refused_operation_exits_non_zero(sandbox, support_user):
    with pytest.raises(CommandError, match="did not succeed"):
        call_command("ticket_operate", "CS2026090100003", "delete", "--as", "sam")


def test_a_user_without_the_role_is_refused(sandbox, outsider):
    with pytest.raises(CommandError, match="permission"):
        call_command("ticket_operate", "CS2026090100003", "close", "--as", "olly")

    assert not [r for r in sandbox.state.received if r.method == "POST"]


def test_an_unknown_user_is_refused(sandbox):
    with pytest.raises(CommandError, match="No active user"):
        call_command("ticket_operate", "CS2026090100003", "close", "--as", "ghost")


def test_a_description_past_the_limit_is_refused_before_sending(sandbox, support_user):
    with pytest.raises(CommandError, match="operate_desc"):
        call_command(
            "ticket_operate", "CS2026090100003", "close", "--as", "sam", "--desc", "x" * 401
        )

    assert not AuditRecord.objects.filter(kind=Kind.OPERATION).exists()
