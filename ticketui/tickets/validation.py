"""Text checked against the upstream's limits (ticketui.osm.limits), with the messages forms,
services and the command line share."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from ticketui.osm import limits

CONTROL_CHARACTERS = "Remove control characters (such as NUL) from this text."
CASE_ID_INVALID = "A case id has 1 to 64 characters."
CASE_ID_DOTS = "A case id cannot be “.” or “..”: no upstream ticket has one."


def text_errors(value: str, limit: int) -> list[str]:
    """What is wrong with a text field bound for the upstream; empty when nothing is."""
    errors = []
    try:  # the forms' own max_length message, so a form and the command line say the same
        MaxLengthValidator(limit)(value)
    except ValidationError as exc:
        errors.extend(exc.messages)
    if any(ord(char) < 32 and char not in "\r\n\t" for char in value):
        errors.append(CONTROL_CHARACTERS)
    return errors


def case_id_validate(case_id: str) -> str:
    """The case id stripped, or ValidationError keyed `case_id`."""
    case_id = case_id.strip()
    if not 1 <= len(case_id) <= limits.CASE_ID_MAX or text_errors(case_id, limits.CASE_ID_MAX):
        raise ValidationError({"case_id": [CASE_ID_INVALID]})
    case_id_sendable_check(case_id)
    return case_id


def case_id_sendable_check(case_id: str) -> None:
    """ValidationError keyed `case_id` for an id that, as a path segment, the HTTP stack removes
    on the way out (another call would be sent than the one recorded): a ticket kept from before
    this check, or from an upstream that lists one."""
    if case_id in limits.DOT_SEGMENT_CASE_IDS:
        raise ValidationError({"case_id": [CASE_ID_DOTS]})
