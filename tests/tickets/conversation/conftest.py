import io

import pytest

from ticketui.tickets.conversation.services import AttachmentInput


def thread(sandbox, case_id: str = "CS2026090100003") -> list[dict]:
    """The ticket's messages as the sandbox holds them."""
    return sandbox.state.tickets[case_id].get("message_list", [])


def posts(sandbox, path_part: str) -> list:
    return [r for r in sandbox.state.received if r.method == "POST" and path_part in r.raw_path]


def attachment(name: str = "error.log", data: bytes = b"disk full at 03:12\n") -> AttachmentInput:
    return AttachmentInput(name=name, file=io.BytesIO(data))


@pytest.fixture
def quiet_engineer(sandbox):
    """No canned engineer answer arrives during the test: the thread holds what was sent."""
    sandbox.state.engineer_reply_after = None
    return sandbox
