"""`manage.py ticket_reply`: the same service, audit and messages as the reply form."""

import pytest
from django.core.management import CommandError, call_command

from ticketui.audit.models import AuditRecord, Kind

from .conftest import posts, thread

pytestmark = pytest.mark.django_db
CASE = "CS2026090100003"


def test_it_posts_a_reply_with_an_attachment_and_prints_the_outcome(
    quiet_engineer, support_user, ticket, tmp_path, capsys
):
    log = tmp_path / "app.log"
    log.write_bytes(b"ERROR disk full\n")

    call_command(
        "ticket_reply", CASE, "--as", "sam", "--text", "Log attached", "--attach", str(log)
    )

    out = capsys.readouterr().out
    assert f"reply {CASE}: succeeded" in out
    assert "Sent. The upstream accepted the reply." in out
    assert "Audit record #" in out
    message = thread(quiet_engineer)[-1]
    assert message["content"] == "Log attached"
    assert message["accessory_list"][0]["file_actual_name"] == "app.log"
    assert AuditRecord.objects.filter(kind=Kind.UPLOAD).count() == 1
    assert AuditRecord.objects.get(kind=Kind.REPLY).actor == support_user


def test_its_output_has_no_log_lines(quiet_engineer, support_user, ticket, capsys):
    call_command("ticket_reply", CASE, "--as", "sam", "--text", "Quiet please")

    captured = capsys.readouterr()
    assert '"level"' not in captured.out
    assert "osm POST" not in captured.out


def test_a_text_past_the_limit_is_refused_with_the_forms_message(sandbox, support_user, ticket):
    with pytest.raises(CommandError, match=r"content: .*at most 2000 characters"):
        call_command("ticket_reply", CASE, "--as", "sam", "--text", "x" * 2001)

    assert not posts(sandbox, "/message")


def test_a_file_of_a_refused_type_is_not_uploaded(sandbox, support_user, ticket, tmp_path):
    tool = tmp_path / "tool.exe"
    tool.write_bytes(b"MZ")

    with pytest.raises(CommandError, match=r"attachments: “tool\.exe”: files of this type"):
        call_command("ticket_reply", CASE, "--as", "sam", "--text", "hi", "--attach", str(tool))

    assert not posts(sandbox, "/accessorys")


def test_a_missing_file_is_refused_before_anything_is_sent(sandbox, support_user, ticket):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("ticket_reply", CASE, "--as", "sam", "--attach", "/nonexistent/x.txt")

    assert not sandbox.state.received


def test_an_empty_reply_is_refused(sandbox, support_user, ticket):
    with pytest.raises(CommandError, match="Write a reply or attach a file"):
        call_command("ticket_reply", CASE, "--as", "sam")


def test_a_refused_reply_exits_non_zero(sandbox, support_user, ticket):
    sandbox.state.tickets[CASE]["status"] = 4

    with pytest.raises(CommandError, match="not posted") as caught:
        call_command("ticket_reply", CASE, "--as", "sam", "--text", "Hello?")

    assert caught.value.returncode == 1


def test_a_user_without_the_role_is_refused(sandbox, outsider, ticket):
    with pytest.raises(CommandError, match="permission"):
        call_command("ticket_reply", CASE, "--as", "olly", "--text", "hi")

    assert not posts(sandbox, "/message")
